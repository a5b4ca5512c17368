// Encodes a JSON object into the Kubernetes protobuf wire form the way Go's generated marshallers
// do (k8s.io/api generated.pb.go): fields in number order, value fields written even when zero
// (empty strings included), pointer fields only when set, map entries sorted by key, and a zero
// Time as an empty message. The decoder's tests use it; it can also serve protobuf responses.
import type { JsonObject, JsonValue } from '../../api/meta/types.ts';
import { PROTOBUF_MAGIC } from './decode.ts';
import { type FieldDef, type MessageDef, messageDef, messageForKind } from './schema.ts';
import { WireWriter } from './wire.ts';

/**
 * The `k8s\0` + runtime.Unknown body for `obj`. Throws a plain Error when the kind has no tables
 * or a value does not fit its field's type (a programming error, not client input).
 */
export function encodeProtobufObject(obj: { apiVersion: string; kind: string; [k: string]: unknown }): Uint8Array {
  const def = messageForKind(obj.apiVersion, obj.kind);
  if (!def) throw new Error(`no protobuf tables for ${obj.apiVersion}/${obj.kind}`);
  const typeMeta = new WireWriter().stringField(1, obj.apiVersion).stringField(2, obj.kind).finish();
  const envelope = new WireWriter()
    .raw(PROTOBUF_MAGIC)
    .bytesField(1, typeMeta)
    .bytesField(2, encodeMessage(def, obj as JsonObject))
    .stringField(3, '')
    .stringField(4, ''); // Go leaves the envelope's contentType empty
  return envelope.finish();
}

/** One message's fields (without its own key and length). */
export function encodeMessage(def: MessageDef, obj: JsonObject): Uint8Array {
  const w = new WireWriter();
  for (const f of [...def.fields].sort((a, b) => a.num - b.num)) {
    if (f.json === null) {
      w.bytesField(f.num, encodeMessage(messageDef(f.type), obj));
      continue;
    }
    const v = obj[f.json];
    if (f.map) {
      if (v === undefined || v === null) continue;
      const entries = v as JsonObject;
      for (const key of Object.keys(entries).sort()) {
        const entry = new WireWriter().stringField(1, key);
        writeValue(entry, 2, f.type, entries[key]!);
        w.bytesField(f.num, entry.finish());
      }
    } else if (f.repeated) {
      for (const item of (v as JsonValue[] | undefined) ?? []) writeValue(w, f.num, f.type, item);
    } else if (!f.scalar) {
      if (v === null) w.bytesField(f.num, new Uint8Array());
      else if (v !== undefined) writeValue(w, f.num, f.type, v);
    } else if (f.presence === 'pointer') {
      if (v !== undefined && v !== null) writeValue(w, f.num, f.type, v);
    } else {
      writeValue(w, f.num, f.type, v ?? zeroJson(f));
    }
  }
  return w.finish();
}

function zeroJson(f: FieldDef): JsonValue {
  if (f.type === 'string' || f.type === 'bytes') return '';
  return f.type === 'bool' ? false : 0;
}

function writeValue(w: WireWriter, num: number, type: string, v: JsonValue): void {
  switch (type) {
    case 'string':
      w.stringField(num, String(v));
      return;
    case 'bytes':
      w.bytesField(num, Buffer.from(String(v), 'base64'));
      return;
    case 'bool':
      w.varintField(num, v ? 1 : 0);
      return;
    case 'int32':
    case 'int64':
      w.varintField(num, BigInt(Math.trunc(Number(v))));
      return;
    case 'double':
      w.doubleField(num, Number(v));
      return;
    default:
      w.bytesField(num, encodeSpecialOrMessage(type, v));
  }
}

function encodeSpecialOrMessage(type: string, v: JsonValue): Uint8Array {
  const w = new WireWriter();
  switch (type) {
    case 'Time':
    case 'MicroTime': {
      if (v === null) return w.finish();
      const ms = Date.parse(String(v));
      if (Number.isNaN(ms)) throw new Error(`not an RFC 3339 time: ${String(v)}`);
      const seconds = Math.floor(ms / 1000);
      const micros = type === 'MicroTime' ? microsOf(String(v)) : 0;
      return w.varintField(1, seconds).varintField(2, micros * 1000).finish();
    }
    case 'Quantity':
      return w.stringField(1, String(v)).finish();
    case 'IntOrString':
      return typeof v === 'string'
        ? w.varintField(1, 1).varintField(2, 0).stringField(3, v).finish()
        : w.varintField(1, 0).varintField(2, Number(v)).stringField(3, '').finish();
    case 'Raw':
      return w.bytesField(1, new TextEncoder().encode(JSON.stringify(v))).finish();
    default:
      return encodeMessage(messageDef(type), v as JsonObject);
  }
}

/** Sub-second digits of an RFC 3339 string as microseconds (Date.parse keeps only millis). */
function microsOf(text: string): number {
  const frac = /\.(\d+)/.exec(text)?.[1] ?? '';
  return Number((frac + '000000').slice(0, 6));
}
