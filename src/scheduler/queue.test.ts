import { describe, expect, it } from 'vitest';
import { FakeClock } from '../util/clock.ts';
import { podInfo } from './pod-info.ts';
import { SchedulingQueue } from './queue.ts';
import { makePod } from './testing.ts';

const signal = new AbortController().signal;
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('SchedulingQueue', () => {
  it('pops by priority, then arrival', async () => {
    const clock = new FakeClock();
    const q = new SchedulingQueue({ clock });
    q.add(podInfo(makePod('low1')));
    clock.advance(1);
    q.add(podInfo(makePod('high', { priority: 1000 })));
    q.add(podInfo(makePod('low2')));
    const order = [];
    for (let i = 0; i < 3; i++) order.push((await q.pop(signal))!.pi.pod.metadata.name);
    expect(order).toEqual(['high', 'low1', 'low2']);
  });

  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [4, 8000],
    [5, 10_000],
    [9, 10_000],
  ])('back-off after %d attempts is %d ms', (n, ms) => expect(new SchedulingQueue({ clock: new FakeClock() }).backoffMs(n)).toBe(ms));

  it('retries a failed pod after its back-off, or at once on moveAll', async () => {
    const clock = new FakeClock();
    const q = new SchedulingQueue({ clock });
    q.add(podInfo(makePod('p')));
    q.failed((await q.pop(signal))!);
    let got: unknown;
    void q.pop(signal).then((x) => (got = x));
    clock.advance(999);
    await flush();
    expect(got).toBeUndefined();
    clock.advance(1);
    await flush();
    expect(got).toMatchObject({ attempts: 2 });
    q.failed(got as never);
    got = undefined;
    void q.pop(signal).then((x) => (got = x));
    q.moveAll();
    await flush();
    expect(got).toMatchObject({ attempts: 3 });
  });

  it('drops deleted pods, also while in flight', async () => {
    const clock = new FakeClock();
    const q = new SchedulingQueue({ clock });
    q.add(podInfo(makePod('a')));
    q.add(podInfo(makePod('b')));
    const a = (await q.pop(signal))!;
    q.delete(a.pi.uid);
    q.failed(a);
    q.moveAll();
    q.delete(podInfo(makePod('x')).uid);
    expect((await q.pop(signal))!.pi.pod.metadata.name).toBe('b');
    expect(q.has(a.pi.uid)).toBe(false);
  });

  it('resolves pop with undefined on abort', async () => {
    const ac = new AbortController();
    const p = new SchedulingQueue({ clock: new FakeClock() }).pop(ac.signal);
    ac.abort();
    expect(await p).toBeUndefined();
  });
});
