// Small helpers over decoded JSON values (what JSON.parse returns), shared by the patch
// algorithms. Objects are plain records; arrays are arrays; everything else is a scalar or null.

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Structural equality of two JSON values; object key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** Deep copy of a JSON value, so algorithms may mutate freely without touching the caller's. */
export function cloneJson<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

/**
 * Removes object properties whose value is null, at any depth (arrays are walked, but a null
 * array element is kept). Upstream does this to values it copies from a patch into the object
 * (json-patch's pruneNulls, strategicpatch's discardNullValuesFromPatch). Mutates `v`.
 */
export function pruneNulls(v: unknown): void {
  if (Array.isArray(v)) {
    for (const item of v) pruneNulls(item);
  } else if (isObject(v)) {
    for (const [k, child] of Object.entries(v)) {
      if (child === null) delete v[k];
      else pruneNulls(child);
    }
  }
}

/** A short rendering of a value for error messages (bounded, so huge patches stay readable). */
export function describe(v: unknown, max = 200): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The JSON type name used in messages: object, array, string, number, boolean or null. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}
