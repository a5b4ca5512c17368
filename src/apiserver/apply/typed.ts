// Schema-aware reads of an object: the field set a value sets, and the comparison of two
// versions of an object as added / modified / removed field sets.
// Mirrors sigs.k8s.io/structured-merge-diff typed/tofieldset.go, typed/compare.go and
// fieldpath/set.go (EnsureNamedFieldsAreMembers).
import type { JsonValue } from '../../api/meta/types.ts';
import type { SchemaNode } from '../../api/schema/types.ts';
import { FieldSet } from './fields.ts';
import { type PathElement, jsonEqual, serializePathElement, valuesEqual } from './path-element.ts';
import { PathCursor } from './path-cursor.ts';
import { type Atom, fieldSchema, listItemElement, resolveAtom, sameAtom } from './schema-atoms.ts';

type JsonMap = { [k: string]: JsonValue };

function asMap(v: JsonValue | undefined): JsonMap | undefined {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}

function asList(v: JsonValue | undefined): JsonValue[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

function tryElement(atom: Atom & { kind: 'list' }, item: JsonValue): PathElement | undefined {
  try {
    return listItemElement(atom, item);
  } catch {
    return undefined; // unaddressable items (possible only in stored objects) own nothing
  }
}

/**
 * The fields `value` sets: scalars and atomic values as members; declared struct fields only
 * through what they contain (or as members when null or `{}`); map entries and associative list
 * items as members of their own, with their contents below them.
 */
export function toFieldSet(value: JsonValue, node: SchemaNode | undefined): FieldSet {
  const out = new FieldSet();
  walkFieldSet(value, node, PathCursor.root(), out);
  return out;
}

function walkFieldSet(value: JsonValue, node: SchemaNode | undefined, path: PathCursor, out: FieldSet): void {
  const atom = resolveAtom(node, value);
  if (atom.kind === 'scalar') {
    path.addTo(out);
    return;
  }
  if (atom.kind === 'list') {
    if (atom.mode === 'atomic') {
      path.addTo(out);
      return;
    }
    const list = asList(value) ?? [];
    const pes: (PathElement | undefined)[] = [];
    const keys: string[] = [];
    const seen = new Set<string>();
    let dups: Set<string> | undefined;
    for (const item of list) {
      const pe = tryElement(atom, item);
      const k = pe ? serializePathElement(pe) : '';
      pes.push(pe);
      keys.push(k);
      if (!pe) continue;
      if (seen.has(k) && !dups?.has(k)) {
        // A duplicated item is owned as a whole: its contents cannot be told apart.
        (dups ??= new Set()).add(k);
        path.child(pe, k).addTo(out);
      }
      seen.add(k);
    }
    for (let i = 0; i < list.length; i++) {
      const pe = pes[i];
      if (!pe || dups?.has(keys[i]!)) continue;
      const itemPath = path.child(pe, keys[i]!);
      walkFieldSet(list[i]!, atom.item, itemPath, out);
      itemPath.addTo(out);
    }
    return;
  }
  if (atom.atomic) {
    path.addTo(out);
    return;
  }
  const map = asMap(value);
  if (!map) return;
  for (const k in map) {
    if (!Object.prototype.hasOwnProperty.call(map, k)) continue;
    const v = map[k]!;
    const child = fieldSchema(atom, k);
    const childPath = path.field(k);
    walkFieldSet(v, child.node, childPath, out);
    const empty = v === null || (asMap(v) !== undefined && isEmptyMap(v as JsonMap));
    if (empty || !child.named) childPath.addTo(out);
  }
}

function isEmptyMap(m: JsonMap): boolean {
  for (const k in m) if (Object.prototype.hasOwnProperty.call(m, k)) return false;
  return true;
}

/** Adds every declared struct field that leads to owned paths as a member itself (used by pruning). */
export function ensureNamedFieldsAreMembers(set: FieldSet, node: SchemaNode | undefined): FieldSet {
  return ensureNode(set, node);
}

// Frozen (shared, decoded) subtrees recur across writes: their results are remembered per schema node.
const ensured = new WeakMap<FieldSet, Map<SchemaNode | undefined, FieldSet>>();

function ensureNode(s: FieldSet, n: SchemaNode | undefined): FieldSet {
  const frozen = s.isFrozen();
  const memo = frozen ? ensured.get(s) : undefined;
  const hit = memo?.get(n);
  if (hit) return hit;
  const atom = resolveAtom(n, undefined);
  const out = new FieldSet();
  s.forEachMember((pe, key) => out.addMemberMut(key, pe));
  s.forEachChild((pe, key, sub) => {
    let childNode: SchemaNode | undefined;
    if ('field' in pe && atom.kind === 'map') {
      const f = fieldSchema(atom, pe.field);
      childNode = f.node;
      if (f.named) out.addMemberMut(key, pe);
    } else if ('key' in pe && atom.kind === 'list') {
      childNode = atom.item;
    }
    out.setChildMut(key, pe, ensureNode(sub, childNode));
  });
  if (frozen) {
    out.freeze();
    if (memo) memo.set(n, out);
    else ensured.set(s, new Map([[n, out]]));
  }
  return out;
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

export function isSame(c: Comparison): boolean {
  return c.added.isEmpty() && c.modified.isEmpty() && c.removed.isEmpty();
}

/** Removes `exclude` (and everything under its members) from every part of the comparison. */
export function excludeFromComparison(c: Comparison, exclude: FieldSet | undefined): Comparison {
  if (!exclude || exclude.isEmpty()) return c;
  return {
    added: c.added.recursiveDifference(exclude),
    modified: c.modified.recursiveDifference(exclude),
    removed: c.removed.recursiveDifference(exclude),
  };
}

// Fields a typed built-in object always carries because Go embeds them by value (structs, seen
// as `{}` when unset) or serialises them without omitempty (PodSpec.containers, seen as null).
// Upstream therefore never sees them appear or disappear as a whole, so Update entries carry no
// `.` member for them; treating them as present reproduces that. Only for built-in types
// (`io.k8s.*` schema names): custom resources are unstructured upstream too.
const VALUE_STRUCT_FIELDS = new Set(['metadata', 'spec', 'status', 'template', 'updateStrategy', 'strategy', 'resources']);
// Field name → the types that declare it without omitempty.
const NON_OMITEMPTY_LISTS = new Map([['containers', 'io.k8s.api.core.v1.PodSpec']]);

function implicitValue(parent: SchemaNode | undefined, key: string, child: { node: SchemaNode | undefined; named: boolean }): JsonValue | undefined {
  const n = child.node;
  if (!VALUE_STRUCT_FIELDS.has(key) && !NON_OMITEMPTY_LISTS.has(key)) return undefined;
  if (!child.named || !n || !parent?.name?.startsWith('io.k8s.')) return undefined;
  if (NON_OMITEMPTY_LISTS.get(key) === parent.name) return null;
  if (VALUE_STRUCT_FIELDS.has(key) && n.name?.startsWith('io.k8s.') && n.properties) return {};
  return undefined;
}

/** Compares `lhs` (before) with `rhs` (after) under the schema. */
export function compare(lhs: JsonValue | undefined, rhs: JsonValue | undefined, node: SchemaNode | undefined): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  if (lhs === undefined && rhs === undefined) return c;
  compareAt(lhs, rhs, node, PathCursor.root(), c);
  return c;
}

function compareLeaf(lhs: JsonValue | undefined, rhs: JsonValue | undefined, path: PathCursor, c: Comparison): void {
  if (lhs === undefined) path.addTo(c.added);
  else if (rhs === undefined) path.addTo(c.removed);
  else if (!valuesEqual(lhs, rhs)) path.addTo(c.modified);
}

// Equal values compare as nothing (see jsonEqual), so callers skip equal subtrees before
// descending: a write that changes a few fields costs little more than a structural equality.
function compareAt(lhs: JsonValue | undefined, rhs: JsonValue | undefined, node: SchemaNode | undefined, path: PathCursor, c: Comparison): void {
  if (lhs === undefined) {
    if (rhs !== undefined) addedAt(rhs, node, path, c.added);
    return;
  }
  const al = lhs === undefined ? undefined : resolveAtom(node, lhs);
  const ar = rhs === undefined ? undefined : resolveAtom(node, rhs);
  // Values of different kinds (a scalar replaced by a map) compare as one leaf.
  const atom = al && ar && !sameAtom(al, ar) ? undefined : (ar ?? al)!;
  let leaf = true;
  if (atom?.kind === 'list') leaf = compareList(atom, lhs, rhs, path, c);
  else if (atom?.kind === 'map') leaf = compareMap(atom, lhs, rhs, path, c);
  if (leaf) {
    compareLeaf(lhs, rhs, path, c);
    return;
  }
  // A granular value that appeared or vanished as a whole is itself added or removed.
  if (lhs === undefined) path.addTo(c.added);
  else if (rhs === undefined) path.addTo(c.removed);
}

// compareAt(undefined, rhs) for rhs defined (every create walks this): each value is added, and
// a granular one after its contents.
function addedAt(rhs: JsonValue, node: SchemaNode | undefined, path: PathCursor, added: FieldSet): void {
  const atom = resolveAtom(node, rhs);
  if (atom.kind === 'list') {
    const r = asList(rhs);
    if (atom.mode !== 'atomic' && r && r.length > 0) {
      const order: ItemGroup[] = [];
      groupItems(atom, r, 'r', new Map(), order);
      for (const g of order) {
        const itemPath = path.child(g.pe, g.key);
        // A duplicated item is added as a whole.
        if (g.r.length === 1) addedAt(g.r[0]!, atom.item, itemPath, added);
        else itemPath.addTo(added);
      }
    }
  } else if (atom.kind === 'map') {
    const r = asMap(rhs);
    if (!atom.atomic && r) {
      for (const k in r) {
        if (!Object.prototype.hasOwnProperty.call(r, k)) continue;
        const rv = r[k];
        if (rv !== undefined) addedAt(rv, fieldSchema(atom, k).node, path.field(k), added);
      }
    }
  }
  path.addTo(added);
}

interface ItemGroup {
  pe: PathElement;
  key: string;
  l: JsonValue[];
  r: JsonValue[];
}

function groupItems(atom: Atom & { kind: 'list' }, items: JsonValue[], side: 'l' | 'r', groups: Map<string, ItemGroup>, order: ItemGroup[]): void {
  for (const item of items) {
    const pe = tryElement(atom, item);
    if (!pe) continue;
    const k = serializePathElement(pe);
    let g = groups.get(k);
    if (!g) {
      g = { pe, key: k, l: [], r: [] };
      groups.set(k, g);
      order.push(g);
    }
    g[side].push(item);
  }
}

// Returns true when the list must be compared as one leaf.
function compareList(atom: Atom & { kind: 'list' }, lhs: JsonValue | undefined, rhs: JsonValue | undefined, path: PathCursor, c: Comparison): boolean {
  const l = asList(lhs);
  const r = asList(rhs);
  if (atom.mode === 'atomic' || ((!l || l.length === 0) && (!r || r.length === 0))) return true;
  // Group items by element; duplicates (allowed in stored objects) are compared as whole items.
  const order: ItemGroup[] = [];
  const groups = new Map<string, ItemGroup>();
  if (l) groupItems(atom, l, 'l', groups, order);
  if (r) groupItems(atom, r, 'r', groups, order);
  for (const g of order) {
    if (g.l.length <= 1 && g.r.length <= 1) {
      if (g.l.length === 1 && g.r.length === 1 && jsonEqual(g.l[0], g.r[0])) continue;
      compareAt(g.l[0], g.r[0], atom.item, path.child(g.pe, g.key), c);
    } else if (g.l.length >= 2 && g.r.length >= 2) {
      const same = g.l.length === g.r.length && g.l.every((x, i) => valuesEqual(x, g.r[i]));
      if (!same) path.child(g.pe, g.key).addTo(c.modified);
    } else if (g.l.length >= 2) {
      const itemPath = path.child(g.pe, g.key);
      if (g.r.length > 0) compareAt(undefined, g.r[0], atom.item, itemPath, c);
      itemPath.addTo(c.removed);
    } else {
      const itemPath = path.child(g.pe, g.key);
      if (g.l.length > 0) compareAt(g.l[0], undefined, atom.item, itemPath, c);
      itemPath.addTo(c.added);
    }
  }
  return false;
}

function compareMap(atom: Atom & { kind: 'map' }, lhs: JsonValue | undefined, rhs: JsonValue | undefined, path: PathCursor, c: Comparison): boolean {
  const l = asMap(lhs);
  const r = asMap(rhs);
  const emptyL = !l || isEmptyMap(l);
  const emptyR = !r || isEmptyMap(r);
  if (atom.atomic || (emptyL && emptyR)) return true;
  // Every own key of either side once: the left's, then the right's that the left lacks.
  if (l) for (const k of Object.keys(l)) compareKey(atom, l, r, k, path, c);
  if (r) for (const k of Object.keys(r)) if (!l || !Object.prototype.hasOwnProperty.call(l, k)) compareKey(atom, l, r, k, path, c);
  return false;
}

function compareKey(atom: Atom & { kind: 'map' }, l: JsonMap | undefined, r: JsonMap | undefined, k: string, path: PathCursor, c: Comparison): void {
  const inL = l !== undefined && k in l;
  const inR = r !== undefined && k in r;
  if (inL && inR) {
    const lv = l[k];
    const rv = r[k];
    if (lv !== undefined && rv !== undefined && jsonEqual(lv, rv)) return;
  }
  const child = fieldSchema(atom, k);
  // Only a map that lacks the key stands in the implicit value for it.
  const implicit = (l && !inL) || (r && !inR) ? implicitValue(atom.node, k, child) : undefined;
  const lv = l ? (inL ? l[k] : implicit) : undefined;
  const rv = r ? (inR ? r[k] : implicit) : undefined;
  if (lv === undefined && rv === undefined) return;
  compareAt(lv, rv, child.node, path.field(k), c);
}
