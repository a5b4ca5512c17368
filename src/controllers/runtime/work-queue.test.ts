import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../util/clock.ts';
import { TokenBucket } from './token-bucket.ts';
import { TerminalError, WorkQueue } from './work-queue.ts';

/** Lets queued microtasks and worker loops run. */
const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise((r) => setImmediate(r));
};

function harness(reconcile: (key: string) => Promise<void | { requeueAfter: number }>, workers = 2) {
  const clock = new FakeClock();
  const q = new WorkQueue(reconcile, { clock, workers, baseDelayMs: 100 });
  const stop = new AbortController();
  const running = q.run(stop.signal);
  return { q, clock, stop: async () => (stop.abort(), await running) };
}

describe('WorkQueue', () => {
  it('processes a key added many times once', async () => {
    const calls: string[] = [];
    const h = harness(async (k) => void calls.push(k));
    h.q.add('a');
    h.q.add('a');
    h.q.add('a');
    await settle();
    expect(calls).toEqual(['a']);
    await h.stop();
  });

  it('never runs one key twice at once, and reruns a key dirtied in flight', async () => {
    let active = 0;
    let maxActive = 0;
    let release: () => void = () => {};
    let calls = 0;
    const h = harness(async () => {
      calls++;
      active++;
      maxActive = Math.max(maxActive, active);
      if (calls === 1) await new Promise<void>((r) => (release = r));
      active--;
    });
    h.q.add('k');
    await settle();
    h.q.add('k'); // dirtied while the first run is in flight
    await settle();
    expect(calls).toBe(1);
    release();
    await settle();
    expect(calls).toBe(2);
    expect(maxActive).toBe(1);
    await h.stop();
  });

  it('retries failures with exponential back-off and forgets them on success', async () => {
    let calls = 0;
    const h = harness(async () => {
      calls++;
      if (calls < 3) throw new Error('not yet');
    });
    h.q.add('k');
    await settle();
    expect(calls).toBe(1);
    h.clock.advance(99);
    await settle();
    expect(calls).toBe(1);
    h.clock.advance(1); // 100 ms after the first failure
    await settle();
    expect(calls).toBe(2);
    h.clock.advance(199);
    await settle();
    expect(calls).toBe(2);
    h.clock.advance(1); // 200 ms after the second
    await settle();
    expect(calls).toBe(3);
    h.clock.advance(10_000);
    await settle();
    expect(calls).toBe(3);
    await h.stop();
  });

  it('does not retry terminal errors', async () => {
    let calls = 0;
    const h = harness(async () => {
      calls++;
      throw new TerminalError('bad spec');
    });
    h.q.add('k');
    await settle();
    h.clock.advance(60_000);
    await settle();
    expect(calls).toBe(1);
    await h.stop();
  });

  it('requeues after the requested delay', async () => {
    let calls = 0;
    const h = harness(async () => {
      calls++;
      return calls === 1 ? { requeueAfter: 5000 } : undefined;
    });
    h.q.add('k');
    await settle();
    h.clock.advance(4999);
    await settle();
    expect(calls).toBe(1);
    h.clock.advance(1);
    await settle();
    expect(calls).toBe(2);
    await h.stop();
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then spaces reservations at the rate', () => {
    const clock = new FakeClock();
    const b = new TokenBucket(10, 3, clock);
    expect([b.reserve(), b.reserve(), b.reserve()]).toEqual([0, 0, 0]);
    expect(b.reserve()).toBe(100);
    expect(b.reserve()).toBe(200);
    clock.advance(1000);
    expect(b.reserve()).toBe(0);
  });

  it('paces a key dirtied in flight by dirtyDelay, folding the adds meanwhile into one run', async () => {
    const clock = new FakeClock();
    let calls = 0;
    let release: () => void = () => {};
    const q = new WorkQueue(
      async () => {
        calls++;
        if (calls === 1) await new Promise<void>((r) => (release = r));
      },
      { clock, dirtyDelay: () => 50 },
    );
    const stop = new AbortController();
    const running = q.run(stop.signal);
    q.add('a');
    await settle();
    q.add('a'); // dirtied in flight
    release();
    await settle();
    expect(calls).toBe(1);
    q.add('a');
    q.add('a');
    await settle();
    expect(calls).toBe(1);
    clock.advance(50);
    await settle();
    expect(calls).toBe(2);
    stop.abort();
    await running;
  });
});
