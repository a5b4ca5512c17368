// Schema-aware reads of an object: the field set a value sets, and the comparison of two
// versions of an object as added / modified / removed field sets.
// Mirrors sigs.k8s.io/structured-merge-diff typed/tofieldset.go, typed/compare.go and
// fieldpath/set.go (EnsureNamedFieldsAreMembers).
import type { JsonValue } from '../../api/meta/types.ts';
import type { SchemaNode } from '../../api/schema/types.ts';
import { FieldSet } from './fields.ts';
import { type Path, type PathElement, serializePathElement, valuesEqual } from './path-element.ts';
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
  walkFieldSet(value, node, [], out);
  return out;
}

function walkFieldSet(value: JsonValue, node: SchemaNode | undefined, path: PathElement[], out: FieldSet): void {
  const atom = resolveAtom(node, value);
  if (atom.kind === 'scalar') {
    out.insertMut(path);
    return;
  }
  if (atom.kind === 'list') {
    if (atom.mode === 'atomic') {
      out.insertMut(path);
      return;
    }
    const list = asList(value) ?? [];
    const seen = new Set<string>();
    const dups = new Set<string>();
    for (const item of list) {
      const pe = tryElement(atom, item);
      if (!pe) continue;
      const k = serializePathElement(pe);
      if (seen.has(k) && !dups.has(k)) {
        // A duplicated item is owned as a whole: its contents cannot be told apart.
        dups.add(k);
        out.insertMut([...path, pe]);
      }
      seen.add(k);
    }
    for (const item of list) {
      const pe = tryElement(atom, item);
      if (!pe || dups.has(serializePathElement(pe))) continue;
      walkFieldSet(item, atom.item, [...path, pe], out);
      out.insertMut([...path, pe]);
    }
    return;
  }
  if (atom.atomic) {
    out.insertMut(path);
    return;
  }
  const map = asMap(value);
  if (!map) return;
  for (const [k, v] of Object.entries(map)) {
    const child = fieldSchema(atom, k);
    const childPath = [...path, { field: k }];
    walkFieldSet(v, child.node, childPath, out);
    const empty = v === null || (asMap(v) !== undefined && Object.keys(v as JsonMap).length === 0);
    if (empty || !child.named) out.insertMut(childPath);
  }
}

/** Adds every declared struct field that leads to owned paths as a member itself (used by pruning). */
export function ensureNamedFieldsAreMembers(set: FieldSet, node: SchemaNode | undefined): FieldSet {
  const out = FieldSet.of();
  const walk = (s: FieldSet, n: SchemaNode | undefined, prefix: PathElement[]): void => {
    const atom = resolveAtom(n, undefined);
    for (const pe of s.memberElements()) out.insertMut([...prefix, pe]);
    for (const pe of s.childElements()) {
      let childNode: SchemaNode | undefined;
      if ('field' in pe && atom.kind === 'map') {
        const f = fieldSchema(atom, pe.field);
        childNode = f.node;
        if (f.named) out.insertMut([...prefix, pe]);
      } else if ('key' in pe && atom.kind === 'list') {
        childNode = atom.item;
      }
      walk(s.withPrefix(pe), childNode, [...prefix, pe]);
    }
  };
  walk(set, node, []);
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
const NON_OMITEMPTY_LISTS = new Set(['io.k8s.api.core.v1.PodSpec/containers']);

function implicitValue(parent: SchemaNode | undefined, key: string, child: { node: SchemaNode | undefined; named: boolean }): JsonValue | undefined {
  const n = child.node;
  if (!child.named || !n || !parent?.name?.startsWith('io.k8s.')) return undefined;
  if (NON_OMITEMPTY_LISTS.has(`${parent.name}/${key}`)) return null;
  if (VALUE_STRUCT_FIELDS.has(key) && n.name?.startsWith('io.k8s.') && n.properties) return {};
  return undefined;
}

/** Compares `lhs` (before) with `rhs` (after) under the schema. */
export function compare(lhs: JsonValue | undefined, rhs: JsonValue | undefined, node: SchemaNode | undefined): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  if (lhs === undefined && rhs === undefined) return c;
  compareAt(lhs, rhs, node, [], c);
  return c;
}

function compareLeaf(lhs: JsonValue | undefined, rhs: JsonValue | undefined, path: Path, c: Comparison): void {
  if (lhs === undefined) c.added.insertMut(path);
  else if (rhs === undefined) c.removed.insertMut(path);
  else if (!valuesEqual(lhs, rhs)) c.modified.insertMut(path);
}

function compareAt(lhs: JsonValue | undefined, rhs: JsonValue | undefined, node: SchemaNode | undefined, path: PathElement[], c: Comparison): void {
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
  if (lhs === undefined) c.added.insertMut(path);
  else if (rhs === undefined) c.removed.insertMut(path);
}

// Returns true when the list must be compared as one leaf.
function compareList(atom: Atom & { kind: 'list' }, lhs: JsonValue | undefined, rhs: JsonValue | undefined, path: PathElement[], c: Comparison): boolean {
  const l = asList(lhs);
  const r = asList(rhs);
  if (atom.mode === 'atomic' || ((!l || l.length === 0) && (!r || r.length === 0))) return true;
  // Group items by element; duplicates (allowed in stored objects) are compared as whole items.
  const order: PathElement[] = [];
  const groups = new Map<string, { l: JsonValue[]; r: JsonValue[] }>();
  const add = (items: JsonValue[] | undefined, side: 'l' | 'r'): void => {
    for (const item of items ?? []) {
      const pe = tryElement(atom, item);
      if (!pe) continue;
      const k = serializePathElement(pe);
      let g = groups.get(k);
      if (!g) {
        g = { l: [], r: [] };
        groups.set(k, g);
        order.push(pe);
      }
      g[side].push(item);
    }
  };
  add(l, 'l');
  add(r, 'r');
  for (const pe of order) {
    const g = groups.get(serializePathElement(pe))!;
    const itemPath = [...path, pe];
    if (g.l.length <= 1 && g.r.length <= 1) {
      compareAt(g.l[0], g.r[0], atom.item, itemPath, c);
    } else if (g.l.length >= 2 && g.r.length >= 2) {
      const same = g.l.length === g.r.length && g.l.every((x, i) => valuesEqual(x, g.r[i]));
      if (!same) c.modified.insertMut(itemPath);
    } else if (g.l.length >= 2) {
      if (g.r.length > 0) compareAt(undefined, g.r[0], atom.item, itemPath, c);
      c.removed.insertMut(itemPath);
    } else {
      if (g.l.length > 0) compareAt(g.l[0], undefined, atom.item, itemPath, c);
      c.added.insertMut(itemPath);
    }
  }
  return false;
}

function compareMap(atom: Atom & { kind: 'map' }, lhs: JsonValue | undefined, rhs: JsonValue | undefined, path: PathElement[], c: Comparison): boolean {
  const l = asMap(lhs);
  const r = asMap(rhs);
  const emptyL = !l || Object.keys(l).length === 0;
  const emptyR = !r || Object.keys(r).length === 0;
  if (atom.atomic || (emptyL && emptyR)) return true;
  const keys = new Set([...Object.keys(l ?? {}), ...Object.keys(r ?? {})]);
  for (const k of keys) {
    const child = fieldSchema(atom, k);
    const implicit = implicitValue(atom.node, k, child);
    const lv = l ? (k in l ? l[k] : implicit) : undefined;
    const rv = r ? (k in r ? r[k] : implicit) : undefined;
    if (lv === undefined && rv === undefined) continue;
    compareAt(lv, rv, child.node, [...path, { field: k }], c);
  }
  return false;
}
