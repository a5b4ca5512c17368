// Facts from RFC 6902 and from the behaviour of evanphx/json-patch v4 (the library
// k8s.io/apiserver applies JSON patches with), including its non-standard extensions.
import { describe, expect, it } from 'vitest';
import { PatchError } from './errors.ts';
import { applyJsonPatch, decodeJsonPatch, jsonPatchStrictErrors, MAX_JSON_PATCH_OPERATIONS } from './json-patch.ts';

interface Case {
  name: string;
  doc: unknown;
  patch: unknown[];
  result?: unknown;
  /** Expected failure: a fragment of the message (always 422 here). */
  error?: string;
}

const cases: Case[] = [
  { name: 'add a member', doc: { foo: 'bar' }, patch: [{ op: 'add', path: '/baz', value: 'qux' }], result: { foo: 'bar', baz: 'qux' } },
  { name: 'add overwrites an existing member', doc: { foo: 'bar' }, patch: [{ op: 'add', path: '/foo', value: 1 }], result: { foo: 1 } },
  { name: 'add inserts into a list', doc: { foo: ['bar', 'baz'] }, patch: [{ op: 'add', path: '/foo/1', value: 'qux' }], result: { foo: ['bar', 'qux', 'baz'] } },
  { name: 'add at the length appends', doc: { foo: ['bar'] }, patch: [{ op: 'add', path: '/foo/1', value: 'x' }], result: { foo: ['bar', 'x'] } },
  { name: 'add with - appends', doc: { foo: ['bar'] }, patch: [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], result: { foo: ['bar', ['abc', 'def']] } },
  { name: 'add with -1 appends (negative indices count from the end)', doc: { foo: ['bar', 'baz'] }, patch: [{ op: 'add', path: '/foo/-1', value: 'qux' }], result: { foo: ['bar', 'baz', 'qux'] } },
  { name: 'add -1 to an empty list', doc: { foo: [] }, patch: [{ op: 'add', path: '/foo/-1', value: 'qux' }], result: { foo: ['qux'] } },
  { name: 'add without a value adds null', doc: {}, patch: [{ op: 'add', path: '/a' }], result: { a: null } },
  { name: 'add a nested object', doc: { foo: 'bar' }, patch: [{ op: 'add', path: '/child', value: { grandchild: {} } }], result: { foo: 'bar', child: { grandchild: {} } } },
  { name: 'escaped tokens', doc: { 'a/b': { 'c~d': 1 } }, patch: [{ op: 'replace', path: '/a~1b/c~0d', value: 2 }], result: { 'a/b': { 'c~d': 2 } } },
  { name: 'annotation keys with slashes', doc: { metadata: { annotations: {} } }, patch: [{ op: 'add', path: '/metadata/annotations/example.com~1team', value: 'a' }], result: { metadata: { annotations: { 'example.com/team': 'a' } } } },
  { name: 'remove a member', doc: { baz: 'qux', foo: 'bar' }, patch: [{ op: 'remove', path: '/baz' }], result: { foo: 'bar' } },
  { name: 'remove a null member', doc: { qux: { baz: 1, bar: null } }, patch: [{ op: 'remove', path: '/qux/bar' }], result: { qux: { baz: 1 } } },
  { name: 'remove a list element', doc: { foo: ['bar', 'qux', 'baz'] }, patch: [{ op: 'remove', path: '/foo/1' }], result: { foo: ['bar', 'baz'] } },
  { name: 'remove with a negative index', doc: { foo: ['bar', 'qux', 'baz'] }, patch: [{ op: 'remove', path: '/foo/-2' }], result: { foo: ['bar', 'baz'] } },
  { name: 'replace a member', doc: { baz: 'qux' }, patch: [{ op: 'replace', path: '/baz', value: 'boo' }], result: { baz: 'boo' } },
  { name: 'replace a missing member adds it', doc: { a: 1 }, patch: [{ op: 'replace', path: '/b', value: 2 }], result: { a: 1, b: 2 } },
  { name: 'replace a list element', doc: { foo: ['bar', 'qux'] }, patch: [{ op: 'replace', path: '/foo/1', value: 'bum' }], result: { foo: ['bar', 'bum'] } },
  { name: 'replace with null keeps the member', doc: { bar: [{ baz: 1 }] }, patch: [{ op: 'replace', path: '/bar/0/baz', value: null }], result: { bar: [{ baz: null }] } },
  { name: 'replace the whole document', doc: { id: 'a' }, patch: [{ op: 'test', path: '', value: { id: 'a' } }, { op: 'replace', path: '', value: { id: 'b', x: 1 } }], result: { id: 'b', x: 1 } },
  { name: 'move a member', doc: { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } }, patch: [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }], result: { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } } },
  { name: 'move within a list', doc: { foo: ['all', 'grass', 'cows', 'eat'] }, patch: [{ op: 'move', from: '/foo/1', path: '/foo/3' }], result: { foo: ['all', 'cows', 'eat', 'grass'] } },
  { name: 'copy a list element', doc: { foo: ['bar', 'qux'], bar: ['qux'] }, patch: [{ op: 'copy', from: '/foo/0', path: '/bar/0' }], result: { foo: ['bar', 'qux'], bar: ['bar', 'qux'] } },
  { name: 'copy a list into itself', doc: { foo: ['bar'] }, patch: [{ op: 'copy', from: '/foo', path: '/foo/0' }], result: { foo: [['bar'], 'bar'] } },
  { name: 'copy from a missing member writes null', doc: { a: {} }, patch: [{ op: 'copy', from: '/a/x', path: '/b' }], result: { a: {}, b: null } },
  { name: 'copies are independent', doc: { a: { v: 1 } }, patch: [{ op: 'copy', from: '/a', path: '/b' }, { op: 'replace', path: '/b/v', value: 2 }], result: { a: { v: 1 }, b: { v: 2 } } },
  { name: 'test passes on equal values', doc: { baz: 'qux', foo: ['a', 2, 'c'] }, patch: [{ op: 'test', path: '/baz', value: 'qux' }, { op: 'test', path: '/foo/1', value: 2 }], result: { baz: 'qux', foo: ['a', 2, 'c'] } },
  { name: 'test compares objects structurally', doc: { a: { x: 1, y: [1, 2] } }, patch: [{ op: 'test', path: '/a', value: { y: [1, 2], x: 1 } }], result: { a: { x: 1, y: [1, 2] } } },
  { name: 'test of null against a missing member passes', doc: { baz: 'qux' }, patch: [{ op: 'test', path: '/foo', value: null }], result: { baz: 'qux' } },
  { name: 'test of null against a null member passes', doc: { foo: null }, patch: [{ op: 'test', path: '/foo', value: null }], result: { foo: null } },
  { name: 'a path without a leading slash is read from its second segment', doc: { b: 1 }, patch: [{ op: 'replace', path: 'a/b', value: 2 }], result: { b: 2 } },

  { name: 'add below a missing member', doc: { foo: 'bar' }, patch: [{ op: 'add', path: '/baz/bat', value: 'qux' }], error: 'add operation does not apply: doc is missing path: "/baz/bat"' },
  { name: 'add below a scalar', doc: { foo: 'bar' }, patch: [{ op: 'add', path: '/foo/x', value: 1 }], error: 'doc is missing path' },
  { name: 'add at the root', doc: {}, patch: [{ op: 'add', path: '', value: 'qux' }], error: 'doc is missing path' },
  { name: 'add past the end', doc: { foo: ['bar'] }, patch: [{ op: 'add', path: '/foo/2', value: 'bum' }], error: 'invalid index' },
  { name: 'add before the start', doc: { foo: ['bar', 'baz'] }, patch: [{ op: 'add', path: '/foo/-4', value: 'bum' }], error: 'invalid index' },
  { name: 'add with a word for an index', doc: { foo: [] }, patch: [{ op: 'add', path: '/foo/x', value: 1 }], error: 'not a proper array index' },
  { name: 'remove a missing member', doc: { a: { b: { d: 1 } } }, patch: [{ op: 'remove', path: '/a/b/c' }], error: 'Unable to remove nonexistent key: c' },
  { name: 'remove past the end', doc: { a: { b: [1] } }, patch: [{ op: 'remove', path: '/a/b/1' }], error: 'invalid index' },
  { name: 'remove with -', doc: { foo: [] }, patch: [{ op: 'remove', path: '/foo/-' }], error: 'not a proper array index' },
  { name: 'remove -1 from an empty list', doc: { foo: [] }, patch: [{ op: 'remove', path: '/foo/-1' }], error: 'invalid index' },
  { name: 'replace past the end', doc: { foo: ['bar', 'baz'] }, patch: [{ op: 'replace', path: '/foo/2', value: 'bum' }], error: 'doc is missing key' },
  { name: 'replace below a missing member', doc: { name: { foo: 'bat' } }, patch: [{ op: 'replace', path: '/foo/bar', value: 'baz' }], error: 'replace operation does not apply: doc is missing path' },
  { name: 'replace the document with a scalar', doc: {}, patch: [{ op: 'replace', path: '', value: 1 }], error: 'must be object or array' },
  { name: 'move from a missing member', doc: { a: { b: { d: 1 } } }, patch: [{ op: 'move', from: '/a/b/c', path: '/a/b/e' }], error: 'Unable to remove nonexistent key' },
  { name: 'move past the end', doc: { foo: ['all', 'grass', 'cows', 'eat'] }, patch: [{ op: 'move', from: '/foo/1', path: '/foo/4' }], error: 'invalid index' },
  { name: 'copy past the end', doc: { foo: ['bar'] }, patch: [{ op: 'copy', path: '/foo/2', from: '/foo/0' }], error: 'invalid index' },
  { name: 'test of a different value', doc: { baz: 'qux' }, patch: [{ op: 'test', path: '/baz', value: 'bar' }], error: 'testing value "/baz" failed' },
  { name: 'test of a missing member', doc: { baz: 'qux' }, patch: [{ op: 'test', path: '/foo', value: 42 }], error: 'testing value "/foo" failed' },
  { name: 'test without a value of a present member', doc: { a: 1 }, patch: [{ op: 'test', path: '/a' }], error: 'testing value "/a" failed' },
  { name: 'a missing path', doc: {}, patch: [{ op: 'add', pathz: '/baz', value: 'qux' }], error: 'missing its "path" field' },
  { name: 'a null path', doc: {}, patch: [{ op: 'add', path: null }], error: 'missing its "path" field' },
  { name: 'a null from', doc: {}, patch: [{ op: 'copy', from: null }], error: 'missing its "from" field' },
  { name: 'an unknown op', doc: {}, patch: [{ op: 'frob', path: '/a' }], error: 'Unexpected kind: frob' },
  { name: 'a null op', doc: {}, patch: [{ op: null, path: '' }], error: 'Unexpected kind: unknown' },
];

describe('applyJsonPatch', () => {
  it.each(cases)('$name', (c) => {
    const doc = structuredClone(c.doc);
    if (c.error) {
      let caught: unknown;
      try {
        applyJsonPatch(doc, c.patch);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(PatchError);
      expect((caught as PatchError).code).toBe(422);
      expect((caught as PatchError).reason).toBe('Invalid');
      expect((caught as PatchError).message).toContain(c.error);
    } else {
      expect(applyJsonPatch(doc, c.patch)).toStrictEqual(c.result);
    }
    expect(doc).toStrictEqual(c.doc);
  });

  it('applies all operations or none', () => {
    const doc = { a: 1 };
    expect(() =>
      applyJsonPatch(doc, [
        { op: 'replace', path: '/a', value: 2 },
        { op: 'test', path: '/a', value: 1 },
      ]),
    ).toThrow(PatchError);
    expect(doc).toStrictEqual({ a: 1 });
  });
});

describe('decodeJsonPatch', () => {
  it('refuses a body that is not a list of operations with 400', () => {
    for (const body of [{ op: 'add' }, 'x', 1, [1], [[]]]) {
      expect(() => decodeJsonPatch(body)).toThrow(expect.objectContaining({ code: 400, reason: 'BadRequest' }));
    }
    expect(() => decodeJsonPatch({})).toThrow('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  });

  it('decodes null as an empty patch', () => {
    expect(decodeJsonPatch(null)).toStrictEqual([]);
    expect(applyJsonPatch({ a: 1 }, null)).toStrictEqual({ a: 1 });
  });

  it('refuses more than the maximum number of operations with 413', () => {
    const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '/a' }));
    expect(() => decodeJsonPatch(ops)).toThrow(
      expect.objectContaining({ code: 413, message: 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001' }),
    );
    expect(decodeJsonPatch(ops.slice(1))).toHaveLength(MAX_JSON_PATCH_OPERATIONS);
  });
});

describe('jsonPatchStrictErrors', () => {
  it('names members an operation does not have', () => {
    expect(jsonPatchStrictErrors([{ op: 'add', path: '/a', value: 1 }, { op: 'add', path: '/b', valu: 2 }])).toStrictEqual([
      'json patch unknown field "[1].valu"',
    ]);
  });
});
