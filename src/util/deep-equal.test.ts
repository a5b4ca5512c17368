import { describe, expect, it } from 'vitest';
import { deepEqual } from './deep-equal.ts';

describe('deepEqual', () => {
  it.each([
    [{ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }, true],
    [{ a: 1 }, { a: 1, b: undefined }, true],
    [{ a: 1 }, { a: 1, b: null }, false],
    [[1, 2], [2, 1], false],
    [{ a: [] }, { a: {} }, false],
    ['1', 1, false],
    [null, null, true],
    [{ a: { b: { c: 1 } } }, { a: { b: { c: 2 } } }, false],
  ])('%j vs %j', (a, b, want) => {
    expect(deepEqual(a, b)).toBe(want);
  });
});
