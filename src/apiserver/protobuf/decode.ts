// Decodes `application/vnd.kubernetes.protobuf` request bodies into the JSON form the rest of the
// server handles, mirroring apimachinery's protobuf serializer (pkg/runtime/serializer/protobuf):
// the 4-byte magic `k8s\0`, a runtime.Unknown envelope {typeMeta, raw, contentEncoding,
// contentType}, then the object's own message chosen by its TypeMeta. The JSON produced is what
// Go's encoding/json would write for the same decoded Go value (see ./schema.ts for the rules).
import type { JsonObject, JsonValue } from '../../api/meta/types.ts';
import { MalformedProtobufError, UnsupportedProtobufKindError } from './errors.ts';
import { type FieldDef, type MessageDef, messageDef, messageForKind } from './schema.ts';
import { WIRE_BYTES, WIRE_FIXED64, WIRE_VARINT, WireReader } from './wire.ts';

export const PROTOBUF_MAGIC: Readonly<Uint8Array> = new Uint8Array([0x6b, 0x38, 0x73, 0x00]);
export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

export interface ProtobufObject {
  apiVersion: string;
  kind: string;
  [field: string]: JsonValue;
}

export interface DecodeOptions {
  /** Used when the envelope carries no TypeMeta (the caller knows the kind from the URL). */
  defaultApiVersion?: string;
  defaultKind?: string;
}

/** Decoded fields of one message, by field number, before rendering to JSON. */
type State = Map<number, unknown>;
interface Ctx {
  path: string[];
  depth: number;
}

// No k8s type nests anywhere near this deep; the cap only bounds hostile input.
const MAX_DEPTH = 100;
// Unix seconds of Go's zero time.Time (0001-01-01T00:00:00Z): a Time that means "unset".
const GO_ZERO_TIME_SECONDS = -62135596800;
// RFC 3339 years run from 0000 to 9999; Go refuses to marshal times outside them.
const MIN_SECONDS = -62167219200;
const MAX_SECONDS = 253402300799;

/**
 * Decodes one protobuf request body. Throws MalformedProtobufError (400) for bytes that are not a
 * valid encoding and UnsupportedProtobufKindError (415) for a valid envelope of a kind without
 * tables; never reads outside `buf` and always terminates.
 */
export function decodeProtobufObject(buf: Uint8Array, opts: DecodeOptions = {}): ProtobufObject {
  if (buf.length < 4 || !PROTOBUF_MAGIC.every((b, i) => buf[i] === b)) {
    throw new MalformedProtobufError('missing the "k8s\\x00" prefix of a Kubernetes protobuf message');
  }
  const ctx: Ctx = { path: [], depth: 0 };
  const envelope = decodeMessage(new WireReader(buf, 4), messageDef('Unknown'), ctx, 'envelope');
  const typeMeta = (envelope.get(1) as State | undefined) ?? new Map();
  const apiVersion = (typeMeta.get(1) as string | undefined) || opts.defaultApiVersion || '';
  const kind = (typeMeta.get(2) as string | undefined) || opts.defaultKind || '';
  if (!kind) throw new MalformedProtobufError('the envelope names no kind');
  const encoding = envelope.get(3) as string | undefined;
  if (encoding) throw new UnsupportedProtobufKindError(apiVersion, kind, `the body of the request was in an unknown format - content encoding "${encoding}" is not supported`);
  const contentType = envelope.get(4) as string | undefined;
  if (contentType && contentType !== PROTOBUF_CONTENT_TYPE) {
    throw new UnsupportedProtobufKindError(apiVersion, kind, `the body of the request was in an unknown format - embedded content type "${contentType}" is not supported`);
  }
  const def = messageForKind(apiVersion, kind);
  if (!def) throw new UnsupportedProtobufKindError(apiVersion, kind);
  const raw = (envelope.get(2) as Uint8Array | undefined) ?? new Uint8Array();
  const state = decodeMessage(new WireReader(raw), def, ctx, kind);
  return { kind, apiVersion, ...renderMessage(def, state, ctx) };
}

function decodeMessage(r: WireReader, def: MessageDef, ctx: Ctx, where: string): State {
  const state: State = new Map();
  try {
    readInto(r, def, state, ctx);
  } catch (e) {
    if (e instanceof MalformedProtobufError) {
      const at = ctx.path.length ? ` at ${ctx.path.join('.')}` : '';
      throw new MalformedProtobufError(`${e.detail} (in ${where}${at})`);
    }
    throw e;
  }
  return state;
}

function readInto(r: WireReader, def: MessageDef, state: State, ctx: Ctx): void {
  if (++ctx.depth > MAX_DEPTH) throw new MalformedProtobufError('messages nested too deeply');
  while (!r.done()) {
    const { num, wireType } = r.key();
    const f = def.byNum.get(num);
    if (!f) {
      r.skip(wireType, num); // unknown fields are ignored, as proto decoders do
      continue;
    }
    ctx.path.push(f.json ?? f.type);
    if (f.map) {
      let entries = state.get(num) as Map<string, unknown> | undefined;
      if (!entries) state.set(num, (entries = new Map()));
      expectWire(wireType, WIRE_BYTES, 'map entry');
      readMapEntry(r.sub('map entry'), f, entries, ctx);
    } else if (f.repeated) {
      let list = state.get(num) as unknown[] | undefined;
      if (!list) state.set(num, (list = []));
      if (f.scalar && wireType === WIRE_BYTES && f.type !== 'string' && f.type !== 'bytes') {
        const packed = r.sub('packed list');
        while (!packed.done()) list.push(readScalar(packed, f.type, scalarWire(f.type)));
      } else {
        list.push(readValue(r, f, wireType, undefined, ctx));
      }
    } else {
      state.set(num, readValue(r, f, wireType, state.get(num), ctx));
    }
    ctx.path.pop();
  }
  ctx.depth--;
}

/** One value; a repeated occurrence of a singular message merges into it, as in Go. */
function readValue(r: WireReader, f: FieldDef, wireType: number, previous: unknown, ctx: Ctx): unknown {
  if (f.scalar) return readScalar(r, f.type, wireType);
  expectWire(wireType, WIRE_BYTES, f.type);
  const state = (previous as State | undefined) ?? new Map();
  readInto(r.sub(f.type), messageDef(f.type), state, ctx);
  return state;
}

function readMapEntry(r: WireReader, f: FieldDef, entries: Map<string, unknown>, ctx: Ctx): void {
  let key = '';
  let value: unknown;
  while (!r.done()) {
    const { num, wireType } = r.key();
    if (num === 1) key = readScalar(r, 'string', wireType) as string;
    else if (num === 2) value = readValue(r, f, wireType, undefined, ctx);
    else r.skip(wireType, num);
  }
  entries.set(key, value);
}

function scalarWire(type: string): number {
  if (type === 'double') return WIRE_FIXED64;
  return type === 'string' || type === 'bytes' ? WIRE_BYTES : WIRE_VARINT;
}

function expectWire(actual: number, expected: number, what: string): void {
  if (actual !== expected) throw new MalformedProtobufError(`wire type ${actual} where ${what} needs ${expected}`);
}

function readScalar(r: WireReader, type: string, wireType: number): string | number | boolean | Uint8Array {
  expectWire(wireType, scalarWire(type), type);
  switch (type) {
    case 'string':
      return r.string(type);
    case 'bytes':
      return r.bytes(type);
    case 'double':
      return r.double();
    case 'bool':
      return r.varint() !== 0n;
    case 'int32':
      return Number(BigInt.asIntN(32, r.varint()));
    default: // int64; values beyond 2^53 lose precision, as they would in JavaScript JSON.
      return Number(BigInt.asIntN(64, r.varint()));
  }
}

function renderMessage(def: MessageDef, state: State, ctx: Ctx, out: JsonObject = {}): JsonObject {
  for (const f of def.fields) {
    const v = state.get(f.num);
    if (f.json === null) {
      // Embedded struct: Go writes it even when empty, and JSON lifts its fields into ours.
      renderMessage(messageDef(f.type), (v as State | undefined) ?? new Map(), ctx, out);
    } else if (f.map) {
      const entries = v as Map<string, unknown> | undefined;
      if (!entries?.size) continue; // nil and empty maps look alike on the wire; omitempty drops both
      const obj: JsonObject = {};
      for (const [k, item] of entries) obj[k] = renderMapValue(f.type, item, ctx);
      out[f.json] = obj;
    } else if (f.repeated) {
      const list = v as unknown[] | undefined;
      if (list?.length) out[f.json] = list.map((item) => renderValue(f.type, item, ctx) ?? null);
    } else if (!f.scalar) {
      if (v === undefined) continue;
      const rendered = renderValue(f.type, v, ctx);
      if (rendered !== undefined) out[f.json] = rendered;
    } else if (f.presence === 'pointer') {
      if (v !== undefined) out[f.json] = renderScalar(v);
    } else if (f.presence === 'always') {
      out[f.json] = renderScalar(v ?? zeroOf(f.type));
    } else if (v !== undefined && !isZero(v)) {
      out[f.json] = renderScalar(v);
    }
  }
  return out;
}

function renderMapValue(type: string, item: unknown, ctx: Ctx): JsonValue {
  if (item === undefined) item = isScalarType(type) ? zeroOf(type) : new Map();
  return renderValue(type, item, ctx) ?? null;
}

function isScalarType(type: string): boolean {
  return ['string', 'bytes', 'int32', 'int64', 'bool', 'double'].includes(type);
}

/** A value's JSON, or undefined where Go would write null (zero Time, empty RawExtension). */
function renderValue(type: string, v: unknown, ctx: Ctx): JsonValue | undefined {
  if (isScalarType(type)) return renderScalar(v);
  const state = v as State;
  switch (type) {
    case 'Time':
    case 'MicroTime':
      return renderTime(state, type === 'MicroTime');
    case 'Quantity':
      return (state.get(1) as string | undefined) || '0';
    case 'IntOrString':
      return state.get(1) === 1 ? ((state.get(3) as string | undefined) ?? '') : ((state.get(2) as number | undefined) ?? 0);
    case 'Raw':
      return renderRaw(state);
    default:
      return renderMessage(messageDef(type), state, ctx);
  }
}

function renderScalar(v: unknown): JsonValue {
  return v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : (v as JsonValue);
}

function zeroOf(type: string): unknown {
  if (type === 'string') return '';
  if (type === 'bytes') return new Uint8Array();
  return type === 'bool' ? false : 0;
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false || (v instanceof Uint8Array && v.length === 0);
}

/** metav1.Time is whole seconds (nanos are dropped, as upstream does); MicroTime keeps micros. */
function renderTime(state: State, micro: boolean): string | undefined {
  if (state.size === 0) return undefined; // Go marshals a zero Time as zero bytes
  let seconds = (state.get(1) as number | undefined) ?? 0;
  let nanos = micro ? ((state.get(2) as number | undefined) ?? 0) : 0;
  seconds += Math.floor(nanos / 1e9);
  nanos = ((nanos % 1e9) + 1e9) % 1e9;
  if (seconds === GO_ZERO_TIME_SECONDS && nanos === 0) return undefined;
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) throw new MalformedProtobufError(`time ${seconds}s is outside years 0000-9999`);
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  return micro ? `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${base}Z`;
}

/** RawExtension and FieldsV1 carry JSON text in their bytes. */
function renderRaw(state: State): JsonValue | undefined {
  const raw = state.get(1) as Uint8Array | undefined;
  if (!raw?.length) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(raw)) as JsonValue;
  } catch {
    throw new MalformedProtobufError('embedded raw JSON does not parse');
  }
}
