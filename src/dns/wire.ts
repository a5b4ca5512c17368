// DNS messages on the wire, for the server's hot path: a hand parser for queries (header,
// question, and a walk over the other sections to find the EDNS OPT record) and an encoder with
// name compression and truncation for responses. Names in responses that equal the query name or
// the zone are written as pointers into the question, so a cached response answers a query
// spelled in another case once the question bytes are copied over. Record data the encoder does
// not know itself is written by dns-packet.
import dnsPacket, { type Answer } from 'dns-packet';
import { joinLabels, parseIPv4, parseIPv6 } from './names.ts';
import { classNumber, T, typeNumber } from './rrtypes.ts';

export const HEADER = 12;
export const MAX_MESSAGE = 65535;
export const MIN_UDP = 512;

// Header flag bits (16-bit word at offset 2).
export const QR = 0x8000;
export const AA = 0x0400;
export const TC = 0x0200;
export const RD = 0x0100;
export const RA = 0x0080;
export const CD = 0x0010;

export interface Edns {
  udpSize: number;
  version: number;
  /** The 16 flag bits (DO is 0x8000). */
  flags: number;
}

export interface Query {
  id: number;
  /** The query's header flags. */
  flags: number;
  /** Offset just past the question name. */
  qnameEnd: number;
  qtype: number;
  qclass: number;
  /** Offset just past the question. */
  questionEnd: number;
  edns?: Edns;
}

export type ParseResult =
  | { ok: true; query: Query }
  /** Too short to answer, or a response: dropped (answering those invites reflection loops). */
  | { ok: false; action: 'ignore' }
  | { ok: false; action: 'reply'; rcode: 1 | 4; id: number; flags: number };

/**
 * Parses a query. Accepts what miekg/dns's default accept function accepts: opcode QUERY, one
 * question, at most one answer and one authority record and two additional records; anything
 * malformed is FORMERR, another opcode NOTIMP. Compression pointers are refused in the question.
 */
export function parseQuery(buf: Buffer): ParseResult {
  const len = buf.length;
  if (len < HEADER) return { ok: false, action: 'ignore' };
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  if (flags & QR) return { ok: false, action: 'ignore' };
  const opcode = (flags >> 11) & 0xf;
  if (opcode !== 0) return { ok: false, action: 'reply', rcode: 4, id, flags };
  const formerr = { ok: false, action: 'reply', rcode: 1, id, flags } as const;
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  const ns = buf.readUInt16BE(8);
  const ar = buf.readUInt16BE(10);
  if (qd !== 1 || an > 1 || ns > 1 || ar > 2) return formerr;
  let off = HEADER;
  let total = 0;
  for (;;) {
    if (off >= len) return formerr;
    const l = buf[off]!;
    if (l === 0) {
      off++;
      break;
    }
    if (l & 0xc0) return formerr;
    total += l + 1;
    if (total > 254) return formerr;
    off += l + 1;
  }
  const qnameEnd = off;
  if (off + 4 > len) return formerr;
  const qtype = buf.readUInt16BE(off);
  const qclass = buf.readUInt16BE(off + 2);
  off += 4;
  const questionEnd = off;
  let edns: Edns | undefined;
  const records = an + ns + ar;
  for (let i = 0; i < records; i++) {
    const nameStart = off;
    // Skip an owner name (pointers allowed outside the question).
    for (let hops = 0; ; hops++) {
      if (off >= len || hops > 127) return formerr;
      const l = buf[off]!;
      if (l === 0) {
        off++;
        break;
      }
      if ((l & 0xc0) === 0xc0) {
        if (off + 2 > len) return formerr;
        off += 2;
        break;
      }
      if (l & 0xc0) return formerr;
      off += l + 1;
    }
    if (off + 10 > len) return formerr;
    const type = buf.readUInt16BE(off);
    const rdlen = buf.readUInt16BE(off + 8);
    if (off + 10 + rdlen > len) return formerr;
    if (type === T.OPT) {
      // One OPT, owned by the root, in the additional section (RFC 6891).
      if (edns || i < an + ns || off !== nameStart + 1) return formerr;
      const ttl = buf.readUInt32BE(off + 4);
      edns = { udpSize: buf.readUInt16BE(off + 2), version: (ttl >>> 16) & 0xff, flags: ttl & 0xffff };
    }
    off += 10 + rdlen;
  }
  return { ok: true, query: { id, flags, qnameEnd, qtype, qclass, questionEnd, ...(edns ? { edns } : {}) } };
}

/** The question name in presentation form (labels as latin1, dots and backslashes escaped). */
export function questionName(buf: Buffer, q: Query): string {
  const labels: string[] = [];
  for (let off = HEADER; off < q.qnameEnd - 1; ) {
    const l = buf[off]!;
    labels.push(buf.toString('latin1', off + 1, off + 1 + l));
    off += l + 1;
  }
  return joinLabels(labels);
}

/** Offsets of the question name's labels (leftmost first). */
export function questionLabelOffsets(buf: Buffer, q: Query): number[] {
  const out: number[] = [];
  for (let off = HEADER; off < q.qnameEnd - 1; off += buf[off]! + 1) out.push(off);
  return out;
}

const keyScratch = Buffer.allocUnsafe(256 + 5);

/** Cache key: the lowercased wire name, type, class and whether EDNS was used. */
export function cacheKey(buf: Buffer, q: Query): string {
  const n = q.qnameEnd - HEADER;
  for (let i = 0; i < n; i++) {
    const b = buf[HEADER + i]!;
    keyScratch[i] = b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
  }
  keyScratch[n] = q.qtype >> 8;
  keyScratch[n + 1] = q.qtype & 0xff;
  keyScratch[n + 2] = q.qclass >> 8;
  keyScratch[n + 3] = q.qclass & 0xff;
  keyScratch[n + 4] = q.edns ? 1 : 0;
  return keyScratch.toString('latin1', 0, n + 5);
}

/** Header flags of a response to `queryFlags`: QR, opcode, RD and CD copied, as miekg's SetReply. */
export function replyFlags(queryFlags: number, opts: { aa?: boolean; ra?: boolean; rcode: number }): number {
  return QR | (queryFlags & 0x7800) | (queryFlags & RD) | (queryFlags & CD) | (opts.aa ? AA : 0) | (opts.ra ? RA : 0) | (opts.rcode & 0xf);
}

// ---- encoding -----------------------------------------------------------------------------------

export interface EncodeInput {
  id: number;
  /** Header flags (TC is added when records are dropped). */
  flags: number;
  /** The question as it came: the bytes from offset 12 to the end of the question. */
  question?: Buffer;
  /** Names found in the question, for compression: the full name at 12 and the zone. */
  questionNames?: { name: string; offset: number }[];
  answers?: readonly Answer[];
  authority?: readonly Answer[];
  additionals?: readonly Answer[];
  /** An OPT record to end the message with. */
  opt?: { udpSize: number; flags: number; extRcode?: number };
  /** Largest message allowed; records that do not fit are dropped and TC set. */
  limit?: number;
}

export interface Encoded {
  buf: Buffer;
  truncated: boolean;
  /** Offset of the OPT record, or -1. */
  optOffset: number;
  /** Whether a name was written without compression against the question (SRV targets). */
  hasUncompressedNames: boolean;
}

class Overflow extends Error {}
const OVERFLOW = new Overflow('message too long');

type RecordCodec = { encode(data: unknown, buf: Buffer, offset: number): Buffer; encodingLength(data: unknown): number } & { encode: { bytes: number } };
const recordCodec = (dnsPacket as unknown as { record(type: string): RecordCodec }).record;

/** Writes one message into a shared scratch buffer (encoding is synchronous). */
class Writer {
  private static readonly scratch = Buffer.allocUnsafe(MAX_MESSAGE + 1024);
  readonly buf = Writer.scratch;
  off = HEADER;
  readonly dict = new Map<string, number>();
  uncompressed = false;

  ensure(n: number): void {
    if (this.off + n > MAX_MESSAGE) throw OVERFLOW;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.off++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v & 0xffff, this.off);
    this.off += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.off);
    this.off += 4;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.off);
    this.off += b.length;
  }

  /** Writes a name, compressed against earlier names unless `compress` is false. */
  name(name: string, compress = true): void {
    const s = name.endsWith('.') && !name.endsWith('\\.') ? name.slice(0, -1) : name;
    if (s === '') return this.u8(0);
    const starts = labelStarts(s);
    const written: { suffix: string; offset: number }[] = [];
    let i = 0;
    for (; i < starts.length; i++) {
      const suffix = i === 0 ? s : s.slice(starts[i]);
      if (compress) {
        const ptr = this.dict.get(suffix);
        if (ptr !== undefined) {
          this.u16(0xc000 | ptr);
          break;
        }
      }
      const end = i + 1 < starts.length ? starts[i + 1]! - 1 : s.length;
      const label = unescapeLabel(s.slice(starts[i], end));
      const len = Buffer.byteLength(label, 'latin1');
      if (len > 63 || len === 0) throw new Error(`invalid name ${JSON.stringify(name)}`);
      written.push({ suffix, offset: this.off });
      this.ensure(len + 1);
      this.buf[this.off] = len;
      this.buf.write(label, this.off + 1, len, 'latin1');
      this.off += len + 1;
    }
    if (i === starts.length) this.u8(0);
    if (!compress) this.uncompressed = true;
    for (const w of written) if (w.offset < 0x4000 && !this.dict.has(w.suffix)) this.dict.set(w.suffix, w.offset);
  }

  /** Writes one resource record; false when it is not written at all (OPT from elsewhere). */
  record(a: Answer): boolean {
    if (a.type === 'OPT') return false;
    const rec = a as { name: string; type: string; class?: string; ttl?: number; data?: unknown };
    const type = typeNumber(rec.type);
    this.name(rec.name);
    this.u16(type);
    this.u16(classNumber(rec.class));
    this.u32(rec.ttl ?? 0);
    const data = rec.data;
    const lenAt = this.off;
    switch (type) {
      case T.A: {
        const ip = parseIPv4(String(data));
        if (!ip) throw new Error(`invalid A data ${String(data)}`);
        this.u16(4);
        this.bytes(ip);
        return true;
      }
      case T.AAAA: {
        const ip = parseIPv6(String(data));
        if (!ip) throw new Error(`invalid AAAA data ${String(data)}`);
        this.u16(16);
        this.bytes(ip);
        return true;
      }
      case T.CNAME:
      case T.PTR:
      case T.NS:
        this.u16(0);
        this.name(String(data));
        break;
      case T.SOA: {
        const d = data as { mname: string; rname: string; serial?: number; refresh?: number; retry?: number; expire?: number; minimum?: number };
        this.u16(0);
        this.name(d.mname);
        this.name(d.rname);
        this.u32(d.serial ?? 0);
        this.u32(d.refresh ?? 0);
        this.u32(d.retry ?? 0);
        this.u32(d.expire ?? 0);
        this.u32(d.minimum ?? 0);
        break;
      }
      case T.MX: {
        const d = data as { preference?: number; exchange: string };
        this.u16(0);
        this.u16(d.preference ?? 0);
        this.name(d.exchange);
        break;
      }
      case T.SRV: {
        const d = data as { priority?: number; weight?: number; port: number; target: string };
        this.u16(0);
        this.u16(d.priority ?? 0);
        this.u16(d.weight ?? 0);
        this.u16(d.port);
        // RFC 2782: the target is not compressed.
        this.name(d.target, false);
        break;
      }
      case T.TXT: {
        this.u16(0);
        const parts = Array.isArray(data) ? data : [data];
        for (const p of parts as (string | Buffer)[]) {
          const b = typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p);
          if (b.length === 0) this.u8(0);
          for (let i = 0; i < b.length; i += 255) {
            const chunk = b.subarray(i, i + 255);
            this.u8(chunk.length);
            this.bytes(chunk);
          }
        }
        break;
      }
      default: {
        // Other types (upstream answers): dns-packet writes RDLENGTH and RDATA.
        const codec = recordCodec(rec.type);
        this.ensure(codec.encodingLength(data));
        codec.encode(data, this.buf, this.off);
        this.off += codec.encode.bytes;
        return true;
      }
    }
    const rdlen = this.off - lenAt - 2;
    this.buf.writeUInt16BE(rdlen, lenAt);
    return true;
  }
}

function labelStarts(s: string): number[] {
  const starts = [0];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x2e) starts.push(i + 1);
  }
  return starts;
}

const unescapeLabel = (l: string) => (l.indexOf('\\') < 0 ? l : l.replace(/\\(.)/g, '$1'));

/** Encodes a response; with `limit`, drops trailing records that do not fit and sets TC. */
export function encodeResponse(input: EncodeInput): Encoded {
  const w = new Writer();
  const limit = Math.min(input.limit ?? MAX_MESSAGE, MAX_MESSAGE);
  if (input.question) {
    w.bytes(input.question);
    for (const n of input.questionNames ?? []) if (!w.dict.has(n.name) && n.offset < 0x4000) w.dict.set(n.name, n.offset);
  }
  const optLen = input.opt ? 11 : 0;
  const sections = [input.answers ?? [], input.authority ?? [], input.additionals ?? []];
  const counts = [0, 0, 0];
  let truncated = false;
  outer: for (let s = 0; s < 3; s++) {
    for (const a of sections[s]!) {
      const start = w.off;
      let wrote: boolean;
      try {
        wrote = w.record(a);
      } catch (e) {
        if (e !== OVERFLOW) throw e;
        w.off = start;
        truncated = true;
        break outer;
      }
      if (!wrote) continue;
      if (w.off + optLen > limit) {
        w.off = start;
        truncated = true;
        break outer;
      }
      counts[s]!++;
    }
  }
  let optOffset = -1;
  if (input.opt) {
    optOffset = w.off;
    w.u8(0);
    w.u16(T.OPT);
    w.u16(input.opt.udpSize);
    w.u8(input.opt.extRcode ?? 0);
    w.u8(0);
    w.u16(input.opt.flags);
    w.u16(0);
  }
  const buf = w.buf;
  buf.writeUInt16BE(input.id & 0xffff, 0);
  buf.writeUInt16BE((input.flags | (truncated ? TC : 0)) & 0xffff, 2);
  buf.writeUInt16BE(input.question ? 1 : 0, 4);
  buf.writeUInt16BE(counts[0]!, 6);
  buf.writeUInt16BE(counts[1]!, 8);
  buf.writeUInt16BE(counts[2]! + (input.opt ? 1 : 0), 10);
  const out = Buffer.allocUnsafe(w.off);
  buf.copy(out, 0, 0, w.off);
  return { buf: out, truncated, optOffset, hasUncompressedNames: w.uncompressed };
}

/**
 * Turns a cached response into the answer to another query with the same lowercased question:
 * new ID, the query's RD/CD bits, its question name bytes (original case) and its EDNS size and
 * DO bit. The result is a fresh buffer.
 */
export function patchCached(cached: Buffer, optOffset: number, query: Buffer, q: Query): Buffer {
  const out = Buffer.allocUnsafe(cached.length);
  cached.copy(out);
  out[0] = query[0]!;
  out[1] = query[1]!;
  out[2] = (out[2]! & ~0x01) | (query[2]! & 0x01);
  out[3] = (out[3]! & ~0x10) | (query[3]! & 0x10);
  query.copy(out, HEADER, HEADER, q.qnameEnd);
  if (optOffset >= 0 && q.edns) {
    out.writeUInt16BE(q.edns.udpSize, optOffset + 3);
    out.writeUInt16BE(q.edns.flags & 0x8000, optOffset + 7);
  }
  return out;
}

/** The most a response to `q` may hold: 64 KiB over TCP, the EDNS size (at least 512) over UDP. */
export function sizeLimit(q: Query, proto: 'udp' | 'tcp'): number {
  if (proto === 'tcp') return MAX_MESSAGE;
  // 65507: the most a UDP datagram over IPv4 carries.
  return q.edns ? Math.min(65507, Math.max(MIN_UDP, q.edns.udpSize)) : MIN_UDP;
}

/** A bare error reply (FORMERR/NOTIMP): header only, as miekg/dns writes for rejected messages. */
export function headerOnlyReply(id: number, queryFlags: number, rcode: number): Buffer {
  const out = Buffer.alloc(HEADER);
  out.writeUInt16BE(id, 0);
  out.writeUInt16BE(replyFlags(queryFlags, { rcode }), 2);
  return out;
}
