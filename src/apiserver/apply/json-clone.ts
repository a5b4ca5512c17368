// Deep copies of JSON-shaped objects, several times faster than structuredClone for the plain
// objects and arrays requests decode to.

/**
 * A deep copy of `v`: plain objects (own enumerable keys, undefined values kept, `__proto__` as
 * an ordinary key) and arrays are copied member by member; anything else that is an object
 * (a Date, a Map) goes through structuredClone. Unlike structuredClone, an object reached twice
 * is copied twice.
 */
export function cloneJson<T>(v: T): T {
  return cloneValue(v) as T;
}

function cloneValue(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = cloneValue(v[i]);
    return out;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return structuredClone(v);
  const src = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k in src) {
    if (!Object.prototype.hasOwnProperty.call(src, k)) continue;
    if (k === '__proto__') Object.defineProperty(out, k, { value: cloneValue(src[k]), enumerable: true, writable: true, configurable: true });
    else out[k] = cloneValue(src[k]);
  }
  return out;
}
