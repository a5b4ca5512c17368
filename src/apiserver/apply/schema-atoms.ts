// How a schema node (or, without one, the value itself) decides the merge granularity of a
// value: scalar, atomic or granular map, atomic list, set or keyed list.
// Mirrors sigs.k8s.io/structured-merge-diff schema/elements.go, typed/helpers.go
// (deduceAtom, listItemToPathElement) and the untyped "deduced" schema; list semantics follow the
// OpenAPI extensions, falling back to strategic-merge-patch tags as the API schema contract says.
import type { JsonValue } from '../../api/meta/types.ts';
import type { SchemaNode } from '../../api/schema/types.ts';
import { type PathElement, keyElement, pathElementToString } from './path-element.ts';

export type Atom =
  | { kind: 'scalar' }
  | { kind: 'list'; mode: 'atomic' | 'set' | 'map'; keys: readonly string[]; item: SchemaNode | undefined }
  /** `node` undefined: an untyped map whose every key is deduced from its value. */
  | { kind: 'map'; atomic: boolean; node: SchemaNode | undefined };

const SCALAR: Atom = { kind: 'scalar' };
const DEDUCED_MAP: Atom = { kind: 'map', atomic: false, node: undefined };
const ATOMIC_LIST: Atom = { kind: 'list', mode: 'atomic', keys: [], item: undefined };

function isObject(v: JsonValue | undefined): v is { [k: string]: JsonValue } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Without a schema: maps are granular, lists atomic, everything else a scalar. */
export function deduceAtom(value: JsonValue | undefined): Atom {
  if (isObject(value)) return DEDUCED_MAP;
  if (Array.isArray(value)) return ATOMIC_LIST;
  return SCALAR;
}

function isScalarNode(n: SchemaNode | undefined): boolean {
  return !!n && (n.type === 'string' || n.type === 'integer' || n.type === 'number' || n.type === 'boolean' || !!n['x-kubernetes-int-or-string']);
}

function listAtom(node: SchemaNode): Atom {
  const item = node.items;
  const listType = node['x-kubernetes-list-type'];
  const keys = node['x-kubernetes-list-map-keys'];
  const scalarItems = isScalarNode(item);
  if (listType === 'map') {
    if (keys && keys.length > 0) return { kind: 'list', mode: 'map', keys, item };
    return { kind: 'list', mode: scalarItems ? 'set' : 'atomic', keys: [], item };
  }
  if (listType === 'set') return { kind: 'list', mode: 'set', keys: [], item };
  if (listType === 'atomic') return { kind: 'list', mode: 'atomic', keys: [], item };
  const strategy = (node['x-kubernetes-patch-strategy'] ?? '').split(',');
  if (strategy.includes('merge')) {
    const mergeKey = node['x-kubernetes-patch-merge-key'];
    if (mergeKey && !scalarItems) return { kind: 'list', mode: 'map', keys: [mergeKey], item };
    if (scalarItems) return { kind: 'list', mode: 'set', keys: [], item };
  }
  return { kind: 'list', mode: 'atomic', keys: [], item };
}

/**
 * The atom for `value` under `node`. A value whose shape contradicts its schema (a string where
 * an object is declared) is handled as if untyped, so merging stays total; validation elsewhere
 * rejects such objects.
 */
export function resolveAtom(node: SchemaNode | undefined, value: JsonValue | undefined): Atom {
  if (!node) return deduceAtom(value);
  const isList = node.type === 'array' || (!node.type && !!node.items);
  const isMap = node.type === 'object' || (!node.type && (!!node.properties || !!node.additionalProperties));
  if (isList) {
    if (value !== undefined && value !== null && !Array.isArray(value)) return deduceAtom(value);
    return listAtom(node);
  }
  if (isMap) {
    if (value !== undefined && value !== null && !isObject(value)) return deduceAtom(value);
    return { kind: 'map', atomic: node['x-kubernetes-map-type'] === 'atomic', node };
  }
  if (isScalarNode(node)) return value === undefined || value === null || typeof value !== 'object' ? SCALAR : deduceAtom(value);
  return deduceAtom(value);
}

export function sameAtom(a: Atom, b: Atom): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'list' && b.kind === 'list') return a.mode === b.mode;
  if (a.kind === 'map' && b.kind === 'map') return a.atomic === b.atomic;
  return true;
}

/**
 * The schema of map key `key`, and whether it is a declared field (a struct member) rather than
 * a free-form map entry. Declared fields are owned through their leaves; map entries are owned
 * themselves, which is why `f:labels` holds `f:app` as a member.
 */
export function fieldSchema(atom: Atom & { kind: 'map' }, key: string): { node: SchemaNode | undefined; named: boolean } {
  const node = atom.node;
  if (!node) return { node: undefined, named: false };
  const prop = node.properties?.[key];
  if (prop) return { node: prop, named: true };
  const ap = node.additionalProperties;
  return { node: typeof ap === 'object' ? ap : undefined, named: false };
}

/** Thrown for list items that cannot be addressed (missing keys, nulls, maps in sets). */
export class ItemError extends Error {}

/** The path element naming `item` in an associative list (mode `set` or `map`). */
export function listItemElement(atom: Atom & { kind: 'list' }, item: JsonValue): PathElement {
  if (atom.mode === 'map') {
    if (item === null) throw new ItemError('associative list with keys may not have a null element');
    if (!isObject(item)) throw new ItemError('associative list with keys may not have non-map elements');
    const fields: Record<string, JsonValue> = {};
    for (const k of atom.keys) {
      if (item[k] !== undefined) fields[k] = item[k]!;
      else {
        const def = atom.item?.properties?.[k]?.default;
        if (def !== undefined) fields[k] = def as JsonValue;
      }
    }
    if (Object.keys(fields).length === 0) {
      throw new ItemError(
        `associative list with keys has an element that omits all key fields ${goStringList(atom.keys)} (and doesn't have default values for any key fields)`,
      );
    }
    return keyElement(fields);
  }
  if (isObject(item)) throw new ItemError("associative list without keys has an element that's a map type");
  if (Array.isArray(item)) throw new ItemError('not supported: associative list with lists as elements');
  if (item === null) throw new ItemError("associative list without keys has an element that's an explicit null");
  return { value: item };
}

function goStringList(xs: readonly string[]): string {
  return `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;
}

/** A validation problem at a path, printed as upstream's ValidationError. */
export interface SchemaError {
  path: string;
  message: string;
}

/**
 * Checks what upstream's typed conversion rejects in an applied object: list items that cannot
 * be addressed, and duplicate keys or set values.
 */
export function validateForApply(value: JsonValue, node: SchemaNode | undefined, path = ''): SchemaError[] {
  const errs: SchemaError[] = [];
  validateInto(value, node, path, errs);
  return errs;
}

function validateInto(value: JsonValue, node: SchemaNode | undefined, path: string, errs: SchemaError[]): void {
  const atom = resolveAtom(node, value);
  if (atom.kind === 'map' && isObject(value) && !atom.atomic) {
    for (const k in value) {
      if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
      const v = value[k]!;
      // Scalars under a declared or deduced schema have nothing to check.
      if (v === null || typeof v !== 'object') continue;
      validateInto(v, fieldSchema(atom, k).node, `${path}.${k}`, errs);
    }
  } else if (atom.kind === 'list' && Array.isArray(value) && atom.mode !== 'atomic') {
    const seen = new Set<string>();
    value.forEach((item, i) => {
      let pe: PathElement;
      try {
        pe = listItemElement(atom, item);
      } catch (err) {
        errs.push({ path, message: `element ${i}: ${(err as Error).message}` });
        return;
      }
      const id = pathElementToString(pe);
      if (seen.has(id)) {
        errs.push({ path, message: `duplicate entries for key ${id}` });
        return;
      }
      seen.add(id);
      validateInto(item, atom.item, path + id, errs);
    });
  }
}

export function formatSchemaErrors(errs: readonly SchemaError[]): string {
  const one = (e: SchemaError): string => (e.path ? `${e.path}: ${e.message}` : e.message);
  if (errs.length === 1) return one(errs[0]!);
  return ['errors:', ...errs.map((e) => `  ${one(e)}`)].join('\n');
}
