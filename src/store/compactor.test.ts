import { describe, expect, it } from 'vitest';
import { Compactor } from './compactor.ts';

function fakeStore() {
  const s = {
    current: 0,
    compacted: 0,
    calls: [] as number[],
    currentRevision: () => s.current,
    compactedRevision: () => s.compacted,
    compact: async (r: number) => {
      s.calls.push(r);
      s.compacted = r;
    },
  };
  return s;
}

describe('Compactor', () => {
  it('compacts to the revision that was current retainMs ago, keeping minRetainRevisions', async () => {
    let now = 0;
    const store = fakeStore();
    const c = new Compactor(store, { clock: { now: () => now }, compactIntervalMs: 0, retainMs: 1000, minRetainRevisions: 100 });
    store.current = 500;
    expect(await c.tick()).toBe(0); // nothing is 1 s old yet
    now = 600;
    store.current = 900;
    expect(await c.tick()).toBe(0);
    now = 1000;
    store.current = 1000;
    expect(await c.tick()).toBe(500); // sample (t=0, rev 500)
    now = 1600;
    store.current = 950 + 50;
    expect(await c.tick()).toBe(900); // sample (t=600, rev 900), below 1000 - 100
    now = 5000;
    store.current = 1050;
    expect(await c.tick()).toBe(950); // newest old sample is 1000, capped at 1050 - 100
    expect(store.calls).toEqual([500, 900, 950]);
  });

  it('reports a failed pass and tries again on the next tick', async () => {
    let now = 0;
    const errors: unknown[] = [];
    const store = fakeStore();
    store.current = 10;
    store.compact = async () => Promise.reject(new Error('disk full'));
    const c = new Compactor(store, { clock: { now: () => now }, retainMs: 1, minRetainRevisions: 0, onCompactError: (e) => errors.push(e) });
    await c.tick(); // first sample
    now = 5;
    expect(await c.tick()).toBe(0);
    expect(errors).toHaveLength(1);
    store.compact = async (r: number) => void (store.compacted = r);
    now = 10;
    expect(await c.tick()).toBe(10);
  });
});
