// FieldsV1 decoding and encoding with memory: an object's managedFields entries are decoded on
// every write, though most of them (every manager but the writer) are the same text as last
// time, and are then encoded back unchanged. Decoded sets are cached by their JSON text and
// frozen, so the set algebra (which returns an input when the result equals it) hands the very
// same set to the encoder, which replays its remembered output.
import type { JsonObject } from '../../api/meta/types.ts';
import { FieldSet } from './fields.ts';
import { cloneJson } from './json-clone.ts';

// Text → frozen set, least recently used first. Sets are small (a few KB of text each).
const decoded = new Map<string, FieldSet>();
const DECODED_MAX = 2048;
// Frozen set → its FieldsV1 form, never handed out itself (callers get copies).
const encoded = new WeakMap<FieldSet, JsonObject>();
// Manager identifier → the set last encoded for it: writes by one manager to objects of one
// shape (pods of a ReplicaSet, re-applies of one manifest) produce equal sets over and over.
const recent = new Map<string, FieldSet>();
const RECENT_MAX = 1024;

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

/**
 * set.toFieldsV1(), a fresh object each time. `managerId` names the entry the set is encoded
 * for; the set must not be built on afterwards (it may be frozen and remembered).
 */
export function encodeFieldsV1(set: FieldSet, managerId?: string): JsonObject {
  if (!set.isFrozen() && managerId !== undefined) {
    const last = recent.get(managerId);
    if (last && last.equals(set)) set = last;
    else {
      if (recent.size >= RECENT_MAX) recent.clear();
      recent.set(managerId, set.freeze());
    }
  }
  if (!set.isFrozen()) return set.toFieldsV1();
  let out = encoded.get(set);
  if (out === undefined) {
    out = set.toFieldsV1();
    encoded.set(set, out);
  }
  return cloneJson(out);
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
