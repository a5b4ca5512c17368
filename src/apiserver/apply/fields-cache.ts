// FieldsV1 decoding and encoding with memory: an object's managedFields entries are decoded on
// every write, though most of them (every manager but the writer) are the same text as last
// time, and are then encoded back unchanged. Decoded sets are cached by their JSON text and
// frozen, so the set algebra (which returns an input when the result equals it) hands the very
// same set to the encoder, which replays its remembered output.
import type { JsonObject } from '../../api/meta/types.ts';
import { FieldSet } from './fields.ts';

// Text → frozen set, least recently used first. Sets are small (a few KB of text each).
const decoded = new Map<string, FieldSet>();
const DECODED_MAX = 2048;
// Frozen set → the JSON text of its FieldsV1 form.
const encoded = new WeakMap<FieldSet, string>();

/**
 * FieldSet.fromFieldsV1(obj), shared: the result is frozen and must not be built on. Throws as
 * fromFieldsV1 does.
 */
export function decodeFieldsV1(obj: JsonObject): FieldSet {
  // Only plain trees of objects are cached: JSON text would hide what fromFieldsV1 rejects.
  if (!isPlainTree(obj)) return FieldSet.fromFieldsV1(obj);
  const text = JSON.stringify(obj);
  const hit = decoded.get(text);
  if (hit) {
    decoded.delete(text);
    decoded.set(text, hit);
    return hit;
  }
  const set = FieldSet.fromFieldsV1(obj).freeze();
  if (decoded.size >= DECODED_MAX) decoded.delete(decoded.keys().next().value!);
  decoded.set(text, set);
  return set;
}

/** set.toFieldsV1(), a fresh object each time; remembered for frozen sets. */
export function encodeFieldsV1(set: FieldSet): JsonObject {
  if (!set.isFrozen()) return set.toFieldsV1();
  const text = encoded.get(set);
  if (text !== undefined) return JSON.parse(text) as JsonObject;
  const out = set.toFieldsV1();
  encoded.set(set, JSON.stringify(out));
  return out;
}

// Whether every value below `obj` is a plain object (the only shape FieldsV1 allows), so that
// its JSON text stands for it exactly.
function isPlainTree(obj: unknown): boolean {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return false;
  const proto = Object.getPrototypeOf(obj) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  const o = obj as Record<string, unknown>;
  for (const k in o) {
    if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
    if (k === '__proto__' || !isPlainTree(o[k])) return false;
  }
  return true;
}
