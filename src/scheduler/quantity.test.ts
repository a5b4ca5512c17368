import { describe, expect, it } from 'vitest';
import { milliValue, value } from './quantity.ts';

describe('quantities', () => {
  it.each([
    ['100m', 100],
    ['0.5', 500],
    ['2', 2000],
    ['.1', 100],
    ['1e-1', 100],
    ['0.0001', 1],
    ['1500u', 2],
    ['1k', 1_000_000],
    [4, 4000],
    ['-100m', -100],
  ])('cpu %s is %d millicores', (q, want) => expect(milliValue(q)).toBe(want));

  it.each([
    ['128Mi', 134_217_728],
    ['1G', 1_000_000_000],
    ['1e3', 1000],
    ['1E3', 1000],
    ['1Ki', 1024],
    ['1.5Gi', 1_610_612_736],
    ['100m', 1],
    ['12345', 12345],
    ['0', 0],
    ['64Gi', 68_719_476_736],
  ])('memory %s is %d bytes', (q, want) => expect(value(q)).toBe(want));

  it.each(['', 'abc', '1Mb', '1.2.3', '--1', 'e3', ' 1'])('%j is not a quantity', (q) => expect(value(q)).toBeUndefined());
});
