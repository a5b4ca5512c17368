// Small helpers for reading untyped wire objects safely. Strategies see plain JSON; these keep the
// field access readable without `any`.

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object at obj[key], created empty when absent (for defaulting). */
export function child(obj: Obj, key: string): Obj {
  const v = obj[key];
  if (isObj(v)) return v;
  const fresh: Obj = {};
  obj[key] = fresh;
  return fresh;
}

export function objAt(obj: unknown, key: string): Obj | undefined {
  if (!isObj(obj)) return undefined;
  const v = obj[key];
  return isObj(v) ? v : undefined;
}

export function arrAt(obj: unknown, key: string): unknown[] {
  if (!isObj(obj)) return [];
  const v = obj[key];
  return Array.isArray(v) ? v : [];
}

export function objs(list: unknown[]): Obj[] {
  return list.filter(isObj);
}

export function strAt(obj: unknown, key: string): string {
  if (!isObj(obj)) return '';
  const v = obj[key];
  return typeof v === 'string' ? v : '';
}

export function numAt(obj: unknown, key: string): number | undefined {
  if (!isObj(obj)) return undefined;
  const v = obj[key];
  return typeof v === 'number' ? v : undefined;
}

export function has(obj: unknown, key: string): boolean {
  return isObj(obj) && obj[key] !== undefined && obj[key] !== null;
}

export function stringMap(v: unknown): Record<string, string> {
  if (!isObj(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

/** Sets obj[key] = value when the key is absent, null or the empty string (Go's zero value). */
export function setDefault(obj: Obj, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null || obj[key] === '') obj[key] = value;
}

/**
 * Deep equality with Go's apiequality.Semantic flavour for JSON: an absent key equals null, and
 * (for maps and lists) empty equals absent, as nil and empty collections compare equal after
 * a round trip through the typed structs.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (isEmptyish(a) && isEmptyish(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    return a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (isObj(a) && isObj(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!semanticEqual(a[k], b[k])) return false;
    return true;
  }
  return a === b;
}

function isEmptyish(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isObj(v)) return Object.keys(v).length === 0;
  return false;
}

export function clone<T>(v: T): T {
  return v === undefined ? v : (structuredClone(v) as T);
}

/**
 * The field diff upstream appends to "spec is immutable" errors (a cmp.Diff-like listing of the
 * top-level fields that changed), titled with the Go type, e.g. `core.PodSpec`.
 */
export function specDiff(goType: string, prev: Obj, next: Obj): string {
  const lines = [`  ${goType}{`];
  for (const k of new Set([...Object.keys(prev), ...Object.keys(next)])) {
    if (semanticEqual(prev[k], next[k])) continue;
    if (prev[k] !== undefined) lines.push(`- \t${k}: ${JSON.stringify(prev[k])},`);
    if (next[k] !== undefined) lines.push(`+ \t${k}: ${JSON.stringify(next[k])},`);
  }
  lines.push('  }');
  return lines.join('\n');
}
