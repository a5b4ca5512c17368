import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../api/meta/types.ts';
import { FieldSet } from './fields.ts';
import { decodeFieldsV1, encodeFieldsV1 } from './fields-cache.ts';
import { cloneJson } from './json-clone.ts';
import { compareStrings, compareValues, jsonEqual, keyElement, valuesEqual } from './path-element.ts';

const f = (field: string) => ({ field });

describe('decodeFieldsV1 and encodeFieldsV1', () => {
  const text = '{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{}}}';

  it('shares one frozen set per text, which cannot be built on', () => {
    const a = decodeFieldsV1(JSON.parse(text) as JsonObject);
    const b = decodeFieldsV1(JSON.parse(text) as JsonObject);
    expect(a).toBe(b);
    expect(a.isFrozen()).toBe(true);
    expect(() => a.insertMut([f('status')])).toThrow(/shared field set/);
    expect(() => a.withPrefix(f('spec')).insertMut([f('x')])).toThrow(/shared field set/);
  });

  it('decodes what fromFieldsV1 decodes, and rejects what it rejects', () => {
    const messy = { 'f:b': {}, 'k:{ "port":1, "a":"x"}': {}, 'f:a': { '.': {}, 'f:c': {} } } as JsonObject;
    expect(decodeFieldsV1(messy).equals(FieldSet.fromFieldsV1(messy))).toBe(true);
    expect(() => decodeFieldsV1({ 'f:a': 'x' } as unknown as JsonObject)).toThrow(/expected an object/);
    // undefined would vanish from the JSON text; it must still be rejected.
    expect(() => decodeFieldsV1({ 'f:a': undefined } as unknown as JsonObject)).toThrow(/expected an object/);
  });

  it('encodes a fresh canonical object on every call', () => {
    const set = decodeFieldsV1(JSON.parse(text) as JsonObject);
    const one = encodeFieldsV1(set);
    const two = encodeFieldsV1(set);
    expect(JSON.stringify(one)).toBe(text);
    expect(one).not.toBe(two);
    (one['f:spec'] as JsonObject)['f:x'] = {};
    expect(JSON.stringify(encodeFieldsV1(set))).toBe(text);
  });

  it('encodes an equal set of the same manager exactly as its own', () => {
    const s1 = FieldSet.of([f('spec'), f('replicas')], [f('spec'), keyElement({ name: 'a' })]);
    const s2 = FieldSet.of([f('spec'), keyElement({ name: 'a' })], [f('spec'), f('replicas')]);
    const s3 = FieldSet.of([f('spec'), f('paused')]);
    expect(encodeFieldsV1(s1, 'm')).toEqual(s1.toFieldsV1());
    expect(JSON.stringify(encodeFieldsV1(s2, 'm'))).toBe(JSON.stringify(s2.toFieldsV1()));
    expect(encodeFieldsV1(s3, 'm')).toEqual({ 'f:spec': { 'f:paused': {} } });
  });
});

describe('set algebra returns an input when the result equals it', () => {
  const a = FieldSet.of([f('a'), f('b')], [f('c')]);
  const b = FieldSet.of([f('a'), f('b')]);
  const none = FieldSet.of([f('x')]);

  it.each([
    ['union with a subset', () => a.union(b), a],
    ['union with the empty set', () => new FieldSet().union(a), a],
    ['difference with a disjoint set', () => a.difference(none), a],
    ['recursive difference with a disjoint set', () => a.recursiveDifference(none), a],
    ['intersection with a superset', () => b.intersection(a), b],
  ])('%s', (_name, op, same) => {
    expect(op()).toBe(same);
  });

  it('still computes new sets otherwise, leaving inputs alone', () => {
    expect(a.difference(b).paths()).toEqual([[f('c')]]);
    expect(b.union(none).size()).toBe(2);
    expect(a.size()).toBe(2);
    expect(b.size()).toBe(1);
  });
});

describe('equality and ordering helpers', () => {
  it('jsonEqual implies compareValues equality and ignores key order', () => {
    const pairs: [unknown, unknown, boolean][] = [
      [{ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 }, true],
      [{ a: 1 }, { a: 1, b: undefined }, false],
      [[1, 2], [2, 1], false],
      [{ a: Number.NaN }, { a: Number.NaN }, false],
      ['x', 'x', true],
      [null, {}, false],
    ];
    for (const [x, y, eq] of pairs) {
      expect(jsonEqual(x as never, y as never)).toBe(eq);
      if (eq) expect(compareValues(x as never, y as never)).toBe(0);
    }
    // compareValues counts an undefined value like null; valuesEqual keeps that.
    expect(valuesEqual({ a: undefined } as never, { a: null })).toBe(true);
  });

  it('compareStrings orders by code point, surrogate pairs included', () => {
    const words = ['b', 'a', 'ab', '', '\uffff', '😀', 'a😀', 'a\uffff'];
    const byCodePoint = (x: string, y: string) => {
      const a = [...x].map((c) => c.codePointAt(0)!);
      const b = [...y].map((c) => c.codePointAt(0)!);
      for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
      return a.length - b.length;
    };
    for (const x of words) for (const y of words) expect(Math.sign(compareStrings(x, y))).toBe(Math.sign(byCodePoint(x, y)));
  });

  it('cloneJson copies deeply, keeps undefined values and own __proto__ keys', () => {
    const src = JSON.parse('{"a":{"b":[1,{"c":2}]},"__proto__":{"x":1}}') as Record<string, unknown>;
    src['u'] = undefined;
    const copy = cloneJson(src);
    expect(copy).toEqual(src);
    expect(Object.keys(copy)).toEqual(Object.keys(src));
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect((copy['a'] as { b: unknown[] }).b).not.toBe((src['a'] as { b: unknown[] }).b);
    const date = new Date(0);
    expect(cloneJson({ d: date }).d).toEqual(date);
  });
});
