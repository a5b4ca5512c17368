// Path elements of field sets: how one step into an object is named, ordered, serialised in
// FieldsV1 keys (`f:`, `k:`, `v:`, `i:`) and printed in conflict messages.
// Mirrors sigs.k8s.io/structured-merge-diff fieldpath/element.go, fieldpath/serialize-pe.go,
// value/value.go (Compare, ToString) and value/fields.go (FieldList ordering).
import type { JsonValue } from '../../api/meta/types.ts';

/** One step of a path. Exactly one variant: a struct/map field, a keyed list item, a set item, or an index. */
export type PathElement =
  | { readonly field: string }
  | { readonly key: readonly (readonly [string, JsonValue])[] }
  | { readonly value: JsonValue }
  | { readonly index: number };

export type Path = readonly PathElement[];

export function fieldElement(name: string): PathElement {
  return { field: name };
}

/** A keyed list item; key fields are kept sorted by name as upstream requires. */
export function keyElement(fields: Record<string, JsonValue>): PathElement {
  const key = Object.entries(fields);
  if (key.length > 1) key.sort(([a], [b]) => compareStrings(a, b));
  return { key };
}

export function compareStrings(a: string, b: string): number {
  // Go compares strings bytewise (UTF-8); comparing code points gives the same order. UTF-16
  // units order like code points until a surrogate is involved, so only then walk code points.
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x < 0xd800 && y < 0xd800) return x < y ? -1 : 1;
    return compareCodePoints(a, b);
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

function rank(v: JsonValue): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (v !== null && typeof v === 'object') return 4;
  return 5; // null sorts last
}

/** Total order on JSON values: numbers < strings < booleans < lists < maps < null. */
export function compareValues(a: JsonValue, b: JsonValue): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return a === b ? 0 : (a as number) < (b as number) ? -1 : 1;
    case 1:
      return compareStrings(a as string, b as string);
    case 2:
      return a === b ? 0 : a ? 1 : -1;
    case 3: {
      const la = a as JsonValue[];
      const lb = b as JsonValue[];
      for (let i = 0; ; i++) {
        if (i >= la.length) return i >= lb.length ? 0 : -1;
        if (i >= lb.length) return 1;
        const c = compareValues(la[i]!, lb[i]!);
        if (c !== 0) return c;
      }
    }
    case 4: {
      // Maps compare by their entries in lexical key order; a missing key sorts after a present one.
      const ma = a as Record<string, JsonValue>;
      const mb = b as Record<string, JsonValue>;
      const keys = [...new Set([...Object.keys(ma), ...Object.keys(mb)])].sort(compareStrings);
      for (const k of keys) {
        if (!(k in ma)) return 1;
        if (!(k in mb)) return -1;
        const c = compareValues(ma[k]!, mb[k]!);
        if (c !== 0) return c;
      }
      return 0;
    }
    default:
      return 0;
  }
}

export function valuesEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (typeof a !== 'object' && a === b) return true;
  return jsonEqual(a, b) || compareValues(a, b) === 0;
}

/**
 * Structural equality of JSON values: same types, same array items in order, same own keys with
 * equal values (in any key order). Cheap and strict: when it holds, compareValues is 0 and a
 * schema comparison of the two values finds nothing; when it does not, callers fall back to those.
 */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (typeof a !== 'object' || a === null) return a === b;
  // Objects here come from JSON, which has no NaN (the one value unequal to itself).
  if (a === b) return true;
  if (typeof b !== 'object' || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  let n = 0;
  for (const k in a) {
    if (!Object.prototype.hasOwnProperty.call(a, k)) continue;
    if (!Object.prototype.hasOwnProperty.call(b, k) || !jsonEqual(a[k], b[k])) return false;
    n++;
  }
  for (const k in b) if (Object.prototype.hasOwnProperty.call(b, k)) n--;
  return n === 0;
}

function elementRank(pe: PathElement): number {
  if ('field' in pe) return 0;
  if ('key' in pe) return 1;
  if ('value' in pe) return 2;
  return 3;
}

/** Order of path elements: fields, then keys, then set values, then indexes. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const ra = elementRank(a);
  const rb = elementRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if ('field' in a) return compareStrings(a.field, (b as { field: string }).field);
  if ('key' in a) {
    const ka = a.key;
    const kb = (b as { key: readonly (readonly [string, JsonValue])[] }).key;
    for (let i = 0; ; i++) {
      if (i >= ka.length) return i >= kb.length ? 0 : -1;
      if (i >= kb.length) return 1;
      const c = compareStrings(ka[i]![0], kb[i]![0]) || compareValues(ka[i]![1], kb[i]![1]);
      if (c !== 0) return c;
    }
  }
  if ('value' in a) return compareValues(a.value, (b as { value: JsonValue }).value);
  const ia = (a as { index: number }).index;
  const ib = (b as { index: number }).index;
  return ia === ib ? 0 : ia < ib ? -1 : 1;
}

export function pathElementsEqual(a: PathElement, b: PathElement): boolean {
  return comparePathElements(a, b) === 0;
}

/**
 * JSON text as Go's encoding/json writes it: map keys sorted, `<`, `>`, `&`, U+2028 and U+2029
 * escaped. Key and set-item elements embed values in this form, so it must match byte for byte.
 */
export function goJson(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return goJsonString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  const keys = Object.keys(v).sort(compareStrings);
  return `{${keys.map((k) => `${goJsonString(k)}:${goJson(v[k]!)}`).join(',')}}`;
}

function goJsonString(s: string): string {
  const j = JSON.stringify(s);
  if (!needsGoEscape(j)) return j;
  return j.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// Field names repeat across objects; one key string per name also keeps its hash computed.
const fieldKeys = new Map<string, string>();
const FIELD_KEYS_MAX = 10_000;

/** serializePathElement({ field: name }), interned. */
export function fieldKey(name: string): string {
  let k = fieldKeys.get(name);
  if (k === undefined) {
    k = `f:${name}`;
    if (fieldKeys.size >= FIELD_KEYS_MAX) fieldKeys.clear();
    fieldKeys.set(name, k);
  }
  return k;
}

function needsGoEscape(j: string): boolean {
  for (let i = 0; i < j.length; i++) {
    const c = j.charCodeAt(i);
    if (c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

/** The FieldsV1 key for one element: `f:name`, `k:{"name":"x"}`, `v:"x"`, `i:3`. */
export function serializePathElement(pe: PathElement): string {
  if ('field' in pe) return `f:${pe.field}`;
  if ('key' in pe && pe.key.length === 1) return `k:{${goJsonString(pe.key[0]![0])}:${goJson(pe.key[0]![1])}}`;
  if ('key' in pe) return `k:{${pe.key.map(([k, v]) => `${goJsonString(k)}:${goJson(v)}`).join(',')}}`;
  if ('value' in pe) return `v:${goJson(pe.value)}`;
  return `i:${pe.index}`;
}

/** Thrown for a FieldsV1 key whose type prefix is unknown; readers skip such keys as upstream does. */
export class UnknownPathElementType extends Error {}

/** Parses a FieldsV1 key; throws on malformed input. */
export function parsePathElement(s: string): PathElement {
  if (s.length < 2) throw new Error('key must be 2 characters long');
  if (s[1] !== ':') throw new Error(`missing colon: ${s}`);
  const body = s.slice(2);
  switch (s[0]) {
    case 'f':
      return { field: body };
    case 'v':
      return { value: JSON.parse(body) as JsonValue };
    case 'k': {
      const parsed = JSON.parse(body) as unknown;
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new Error(`key element must be a JSON object: ${s}`);
      }
      return keyElement(parsed as Record<string, JsonValue>);
    }
    case 'i': {
      if (!/^-?\d+$/.test(body)) throw new Error(`invalid index: ${s}`);
      return { index: Number(body) };
    }
    default:
      throw new UnknownPathElementType(`unknown path element type: ${s}`);
  }
}

/** Human form used in conflict messages: `.spec`, `[name="nginx"]`, `[=value]`, `[0]`. */
export function pathElementToString(pe: PathElement): string {
  if ('field' in pe) return `.${pe.field}`;
  if ('key' in pe) return `[${pe.key.map(([k, v]) => `${k}=${valueToString(v)}`).join(',')}]`;
  if ('value' in pe) return `[=${valueToString(pe.value)}]`;
  return `[${pe.index}]`;
}

export function pathToString(path: Path): string {
  return path.map(pathElementToString).join('');
}

/** Go's value.ToString: strings quoted, numbers and booleans bare, lists bracketed. */
export function valueToString(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : goFloat(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(valueToString).join(',')}]`;
  return Object.entries(v)
    .map(([k, x]) => `${k}=${valueToString(x)}`)
    .join('');
}

// Go's %v for float64 switches to exponent form below 1e-4 and from 1e21, with a two-digit exponent.
function goFloat(x: number): string {
  const abs = Math.abs(x);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) {
    const [mant, exp] = x.toExponential().split('e') as [string, string];
    const sign = exp.startsWith('-') ? '-' : '+';
    return `${mant}e${sign}${exp.replace(/^[+-]/, '').padStart(2, '0')}`;
  }
  return String(x);
}
