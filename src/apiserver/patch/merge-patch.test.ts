// Facts from RFC 7386 (its appendix A examples) and evanphx/json-patch v4 MergePatch, the
// implementation k8s.io/apiserver uses.
import { describe, expect, it } from 'vitest';
import { PatchError } from './errors.ts';
import { applyMergePatch } from './merge-patch.ts';

const cases: { name: string; doc: unknown; patch: unknown; result: unknown }[] = [
  { name: 'replace a member', doc: { a: 'b' }, patch: { a: 'c' }, result: { a: 'c' } },
  { name: 'add a member', doc: { a: 'b' }, patch: { b: 'c' }, result: { a: 'b', b: 'c' } },
  { name: 'null removes a member', doc: { a: 'b', b: 'c' }, patch: { a: null }, result: { b: 'c' } },
  { name: 'null for a missing member is a no-op', doc: { a: 'b' }, patch: { x: null }, result: { a: 'b' } },
  { name: 'arrays are replaced', doc: { a: ['b'] }, patch: { a: ['c', 'd'] }, result: { a: ['c', 'd'] } },
  { name: 'an object replaces an array', doc: { a: ['b'] }, patch: { a: { b: 'c' } }, result: { a: { b: 'c' } } },
  { name: 'nested objects merge', doc: { a: { b: 'c', d: 'e' } }, patch: { a: { b: 'x', d: null } }, result: { a: { b: 'x' } } },
  { name: 'nulls inside a new object are dropped', doc: { e: null }, patch: { a: 1, b: { c: null, d: 2 } }, result: { e: null, a: 1, b: { d: 2 } } },
  { name: 'a null member of the document counts as absent', doc: { a: null }, patch: { a: { b: null, c: 1 } }, result: { a: { c: 1 } } },
  { name: 'arrays keep their null elements', doc: {}, patch: { a: [null, { b: null, c: 1 }] }, result: { a: [null, { c: 1 }] } },
  { name: 'an array replacing an object is copied as is', doc: { a: { x: 1 } }, patch: { a: [{ b: null }] }, result: { a: [{ b: null }] } },
  { name: 'scale via merge patch', doc: { spec: { replicas: 1, template: {} } }, patch: { spec: { replicas: 5 } }, result: { spec: { replicas: 5, template: {} } } },
  { name: 'an empty patch changes nothing', doc: { a: 1 }, patch: {}, result: { a: 1 } },
  { name: 'an array patch becomes the result', doc: { a: 1 }, patch: [1, { b: null }], result: [1, {}] },
];

describe('applyMergePatch', () => {
  it.each(cases)('$name', ({ doc, patch, result }) => {
    const d = structuredClone(doc);
    const p = structuredClone(patch);
    expect(applyMergePatch(d, p)).toStrictEqual(result);
    expect(d).toStrictEqual(doc);
    expect(p).toStrictEqual(patch);
  });

  it('refuses a null or scalar patch as upstream does (400)', () => {
    for (const patch of [null, 'x', 1, true]) {
      expect(() => applyMergePatch({}, patch)).toThrow(PatchError);
      expect(() => applyMergePatch({}, patch)).toThrow(expect.objectContaining({ code: 400, message: 'Invalid JSON Patch' }));
    }
  });
});
