import { describe, expect, it } from 'vitest';
import { findCompactedRevision } from './compacted-revision.ts';

describe('findCompactedRevision', () => {
  it.each([
    { compacted: 0, known: 0, current: 1, probes: 1 },
    { compacted: 0, known: 0, current: 900, probes: 1 },
    { compacted: 1, known: 0, current: 900, probes: 1, expected: 0 },
    { compacted: 37, known: 37, current: 900, probes: 1 },
    { compacted: 2, known: 0, current: 900 },
    { compacted: 899, known: 10, current: 900 },
    { compacted: 900, known: 10, current: 900 },
    { compacted: 512, known: 500, current: 100_000 },
  ])('finds $compacted from known $known below current $current', async ({ compacted, known, current, probes, expected }) => {
    const asked: number[] = [];
    const found = await findCompactedRevision(known, async () => current, async (r) => {
      asked.push(r);
      return r >= compacted;
    });
    expect(found).toBe(expected ?? compacted);
    if (probes !== undefined) expect(asked).toHaveLength(probes);
    expect(asked.length).toBeLessThanOrEqual(2 + Math.ceil(Math.log2(current)));
  });
});
