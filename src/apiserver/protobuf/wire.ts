// Protobuf wire primitives (https://protobuf.dev/programming-guides/encoding/): a bounds-checked
// reader that fails with MalformedProtobufError instead of reading past its window, and a small
// writer used by the encoder. Every read advances or throws, so decoding always terminates.
import { MalformedProtobufError } from './errors.ts';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

const utf8 = new TextDecoder('utf-8', { fatal: false });

export class WireReader {
  pos: number;
  readonly end: number;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** An unsigned varint of up to 64 bits. */
  varint(): bigint {
    let lo = 0;
    // The first four bytes fit a plain number; longer varints (negatives, big int64) use bigint.
    for (let i = 0; i < 4; i++) {
      const b = this.byte('varint');
      lo |= (b & 0x7f) << (7 * i);
      if (b < 0x80) return BigInt(lo >>> 0);
    }
    let value = BigInt(lo >>> 0);
    for (let i = 4; i < 10; i++) {
      const b = this.byte('varint');
      value |= BigInt(b & 0x7f) << BigInt(7 * i);
      if (b < 0x80) return BigInt.asUintN(64, value);
    }
    throw new MalformedProtobufError('varint is longer than 10 bytes');
  }

  /** A field key: field number and wire type. */
  key(): { num: number; wireType: number } {
    const key = this.varint();
    const num = Number(key >> 3n);
    if (num === 0 || num > 0x1fffffff) throw new MalformedProtobufError(`invalid field number ${num}`);
    return { num, wireType: Number(key & 7n) };
  }

  /** A length-delimited payload as a reader over its window (no copy). */
  sub(what: string): WireReader {
    const len = this.varint();
    if (len > BigInt(this.end - this.pos)) {
      throw new MalformedProtobufError(`${what} claims ${len} bytes but only ${this.end - this.pos} remain`);
    }
    const start = this.pos;
    this.pos += Number(len);
    return new WireReader(this.buf, start, this.pos);
  }

  bytes(what: string): Uint8Array {
    const r = this.sub(what);
    return this.buf.slice(r.pos, r.end);
  }

  string(what: string): string {
    const r = this.sub(what);
    return utf8.decode(this.buf.subarray(r.pos, r.end));
  }

  double(): number {
    this.need(8, 'fixed64');
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }

  /** Skips a field this decoder has no definition for. Groups (wire types 3/4) are refused. */
  skip(wireType: number, num: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.need(8, 'fixed64');
        this.pos += 8;
        return;
      case WIRE_BYTES:
        this.sub(`field ${num}`);
        return;
      case WIRE_FIXED32:
        this.need(4, 'fixed32');
        this.pos += 4;
        return;
      default:
        throw new MalformedProtobufError(`field ${num} has unsupported wire type ${wireType}`);
    }
  }

  private byte(what: string): number {
    if (this.pos >= this.end) throw new MalformedProtobufError(`truncated ${what}`);
    return this.buf[this.pos++]!;
  }

  private need(n: number, what: string): void {
    if (this.end - this.pos < n) throw new MalformedProtobufError(`truncated ${what}`);
  }
}

const utf8Encoder = new TextEncoder();

/** Appends protobuf fields to a growing buffer. */
export class WireWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  raw(bytes: Uint8Array): this {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    return this;
  }

  varint(value: bigint | number): this {
    let v = BigInt.asUintN(64, BigInt(value));
    this.reserve(10);
    while (v >= 0x80n) {
      this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.len++] = Number(v);
    return this;
  }

  key(num: number, wireType: number): this {
    return this.varint((BigInt(num) << 3n) | BigInt(wireType));
  }

  bytesField(num: number, bytes: Uint8Array): this {
    return this.key(num, WIRE_BYTES).varint(bytes.length).raw(bytes);
  }

  stringField(num: number, value: string): this {
    return this.bytesField(num, utf8Encoder.encode(value));
  }

  varintField(num: number, value: bigint | number): this {
    return this.key(num, WIRE_VARINT).varint(value);
  }

  doubleField(num: number, value: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, value, true);
    return this.key(num, WIRE_FIXED64).raw(b);
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}
