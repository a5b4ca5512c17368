// Objects shared between readers (decoded store values, informer caches) must never be mutated.
// Under test they are frozen deeply, so a mutation throws where it happens; in production the walk
// is skipped (a few percent of a busy server's time) and the rule rests on the tests.
export const FREEZE_SHARED = process.env.VITEST !== undefined || process.env.K8TS_FREEZE_SHARED === '1';

/** Marks v as shared and read-only: deeply frozen under test, returned as it is otherwise. */
export function readOnly<T>(v: T): T {
  return FREEZE_SHARED ? deepFreeze(v) : v;
}

export function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
