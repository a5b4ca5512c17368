import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../util/clock.ts';
import { Backoff } from './backoff.ts';
import { slowStartBatch } from './slow-start.ts';

describe('slowStartBatch', () => {
  it('runs batches of 1, 2, 4, … over all items', async () => {
    const batches: number[][] = [];
    let current: number[] = [];
    let inFlight = 0;
    const res = await slowStartBatch(
      Array.from({ length: 20 }, (_, i) => i),
      async (i) => {
        if (inFlight === 0) batches.push((current = []));
        inFlight++;
        current.push(i);
        await Promise.resolve();
        inFlight--;
      },
    );
    expect(batches.map((b) => b.length)).toEqual([1, 2, 4, 8, 5]);
    expect(res).toEqual({ successes: 20, skipped: 0, errors: [] });
  });

  it('stops after the first batch with a failure', async () => {
    const tried: number[] = [];
    const res = await slowStartBatch(Array.from({ length: 250 }, (_, i) => i), async (i) => {
      tried.push(i);
      if (i === 4) throw new Error('quota exceeded');
    });
    // Batches 1, 2, 4: item 4 is in the third batch; the remaining 243 are skipped.
    expect(tried).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(res.successes).toBe(6);
    expect(res.skipped).toBe(243);
    expect(res.errors.map((e) => (e as Error).message)).toEqual(['quota exceeded']);
  });

  it('does nothing for no items', async () => {
    expect(await slowStartBatch([], async () => {})).toEqual({ successes: 0, skipped: 0, errors: [] });
  });
});

describe('failed pod back-off', () => {
  it('doubles from 1 s to 15 min and starts over after a quiet spell', () => {
    const clock = new FakeClock();
    const b = new Backoff(clock);
    expect(b.delay('k')).toBeUndefined();
    b.next('k');
    expect(b.delay('k')).toBe(1000);
    clock.advance(1000);
    expect(b.delay('k')).toBeUndefined();
    b.next('k');
    expect(b.delay('k')).toBe(2000);
    for (let i = 0; i < 20; i++) b.next('k');
    expect(b.delay('k')).toBe(15 * 60 * 1000);
    clock.advance(30 * 60 * 1000 + 1);
    expect(b.delay('k')).toBeUndefined();
    b.next('k');
    expect(b.delay('k')).toBe(1000);
    clock.advance(30 * 60 * 1000 + 1);
    b.gc();
    b.next('k');
    expect(b.delay('k')).toBe(1000);
  });
});
