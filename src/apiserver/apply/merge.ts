// Schema-aware writes: merging an applied configuration into a live object, and removing a
// set of fields from an object.
// Mirrors sigs.k8s.io/structured-merge-diff typed/merge.go (rule: the applied side wins at every
// leaf; granular maps and associative lists merge member by member) and typed/remove.go.
import type { JsonValue } from '../../api/meta/types.ts';
import type { SchemaNode } from '../../api/schema/types.ts';
import type { FieldSet } from './fields.ts';
import { type PathElement, fieldKey, serializePathElement } from './path-element.ts';
import { type Atom, fieldSchema, listItemElement, resolveAtom, sameAtom } from './schema-atoms.ts';

type JsonMap = { [k: string]: JsonValue };

function asMap(v: JsonValue | undefined): JsonMap | undefined {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}

function tryElement(atom: Atom & { kind: 'list' }, item: JsonValue): PathElement | undefined {
  try {
    return listItemElement(atom, item);
  } catch {
    return undefined;
  }
}

/**
 * `rhs` (the applied configuration) merged onto `lhs` (the live object). At leaves, atomic
 * values and values whose kind changed, `rhs` replaces `lhs`; granular maps keep `lhs` keys the
 * configuration does not mention; associative lists keep unmentioned live items. Inputs are not
 * mutated, but the result shares structure with them.
 */
export function merge(lhs: JsonValue | undefined, rhs: JsonValue | undefined, node: SchemaNode | undefined): JsonValue | undefined {
  if (rhs === undefined) return lhs;
  if (lhs === undefined) return rhs;
  const al = resolveAtom(node, lhs);
  const ar = resolveAtom(node, rhs);
  if (!sameAtom(al, ar)) return rhs;
  if (ar.kind === 'map') return mergeMap(ar, lhs, rhs);
  if (ar.kind === 'list') return mergeList(ar, lhs, rhs);
  return rhs;
}

function mergeMap(atom: Atom & { kind: 'map' }, lhs: JsonValue, rhs: JsonValue): JsonValue {
  const l = asMap(lhs);
  const r = asMap(rhs);
  const emptyL = !l || Object.keys(l).length === 0;
  const emptyR = !r || Object.keys(r).length === 0;
  if (atom.atomic || (emptyL && emptyR)) return rhs;
  const out: JsonMap = {};
  // Live key order first, then keys new in the configuration, so stored objects stay stable.
  for (const k of Object.keys(l ?? {})) {
    const v = merge(l![k], r && k in r ? r[k] : undefined, fieldSchema(atom, k).node);
    if (v !== undefined) out[k] = v;
  }
  for (const k of Object.keys(r ?? {})) {
    if (l && k in l) continue;
    out[k] = r![k]!;
  }
  return out;
}

interface Indexed {
  /** Keys (serialised elements) of the addressable items, in list order. */
  keys: string[];
  /** Raw list position of each addressable item. */
  positions: number[];
  items: Map<string, JsonValue>;
}

// Duplicated live items (legal in stored objects) index as null: merging treats them as absent.
function index(atom: Atom & { kind: 'list' }, list: JsonValue[]): Indexed {
  const keys: string[] = [];
  const positions: number[] = [];
  const items = new Map<string, JsonValue>();
  for (let i = 0; i < list.length; i++) {
    const item = list[i]!;
    const pe = tryElement(atom, item);
    if (!pe) continue;
    const k = serializePathElement(pe);
    items.set(k, items.has(k) ? null : item);
    keys.push(k);
    positions.push(i);
  }
  return { keys, positions, items };
}

/**
 * Associative list merge. Items present on both sides follow the configuration's order; live-only
 * items stay where they were relative to their neighbours. Same walk as upstream's
 * visitListItems so results order identically.
 */
function mergeList(atom: Atom & { kind: 'list' }, lhs: JsonValue, rhs: JsonValue): JsonValue {
  const l = Array.isArray(lhs) ? lhs : [];
  const r = Array.isArray(rhs) ? rhs : [];
  if (atom.mode === 'atomic' || (l.length === 0 && r.length === 0)) return rhs;
  const L = index(atom, l);
  const R = index(atom, r);
  const shared = R.keys.filter((k) => L.items.has(k));
  let sharedAt = 0;
  let next: string | undefined = shared.length > 0 ? shared[sharedAt++] : undefined;
  const advance = (): void => {
    next = sharedAt < shared.length ? shared[sharedAt++] : undefined;
  };
  const mergedR = new Set<string>();
  const out: JsonValue[] = [];
  const push = (v: JsonValue | undefined): void => {
    if (v !== undefined) out.push(v);
  };
  let li = 0;
  let ri = 0;
  const ln = L.keys.length;
  const rn = R.keys.length;
  while (li < ln || ri < rn) {
    if (li < ln && ri < rn) {
      const k = L.keys[li]!;
      if (k === R.keys[ri]) {
        mergedR.add(k);
        push(merge(nullAsAbsent(L.items.get(k)), R.items.get(k), atom.item));
        li++;
        ri++;
        advance();
        continue;
      }
      // A live item the configuration moves further down: skip it here, it is merged later.
      if (R.items.has(k) && next !== undefined && next !== k) {
        li++;
        continue;
      }
    }
    if (li < ln) {
      const k = L.keys[li]!;
      if (!R.items.has(k)) {
        push(l[L.positions[li]!]);
        li++;
        continue;
      } else if (mergedR.has(k)) {
        li++;
      }
    }
    if (ri < rn) {
      const k = R.keys[ri]!;
      mergedR.add(k);
      push(merge(nullAsAbsent(L.items.get(k)), R.items.get(k), atom.item));
      ri++;
      if (next === k) advance();
    }
  }
  return out;
}

function nullAsAbsent(v: JsonValue | undefined): JsonValue | undefined {
  return v === null ? undefined : v;
}

/**
 * `value` without the fields in `toRemove`. A member removes the whole field or item; paths below
 * a member-less node recurse into it. A map or list emptied this way is dropped.
 */
export function removeItems(value: JsonValue, toRemove: FieldSet, node: SchemaNode | undefined): JsonValue | undefined {
  if (toRemove.isEmpty()) return value;
  const atom = resolveAtom(node, value);
  if (atom.kind === 'list') {
    if (atom.mode === 'atomic' || !Array.isArray(value) || value.length === 0) return value;
    const out: JsonValue[] = [];
    for (const item of value) {
      const pe = tryElement(atom, item);
      if (!pe) {
        out.push(item);
        continue;
      }
      const key = serializePathElement(pe);
      if (toRemove.hasMemberKey(key)) continue;
      const sub = toRemove.withPrefixKey(key);
      const kept = sub.isEmpty() ? item : removeItems(item, sub, atom.item);
      if (kept !== undefined) out.push(kept);
    }
    return out.length > 0 ? out : undefined;
  }
  if (atom.kind === 'map') {
    const m = asMap(value);
    if (atom.atomic || !m || Object.keys(m).length === 0) return value;
    const out: JsonMap = {};
    for (const [k, v] of Object.entries(m)) {
      const key = fieldKey(k);
      if (toRemove.hasMemberKey(key)) continue;
      const sub = toRemove.withPrefixKey(key);
      const kept = sub.isEmpty() ? v : removeItems(v, sub, fieldSchema(atom, k).node);
      if (kept !== undefined) out[k] = kept;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  return value;
}
