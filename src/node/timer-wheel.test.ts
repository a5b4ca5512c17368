import { describe, expect, it } from 'vitest';
import { FakeClock } from '../util/clock.ts';
import { TimerWheel } from './timer-wheel.ts';

describe('TimerWheel', () => {
  it('fires deadlines in order on one clock timer, skipping cancelled ones', () => {
    const clock = new FakeClock(0);
    const wheel = new TimerWheel(clock);
    const fired: string[] = [];
    wheel.after(300, () => fired.push('c'));
    wheel.after(100, () => fired.push('a'));
    const cancel = wheel.after(200, () => fired.push('b'));
    wheel.after(100, () => fired.push('a2'));
    cancel();
    expect(wheel.size).toBe(3);
    clock.advance(150);
    expect(fired).toEqual(['a', 'a2']);
    clock.advance(1000);
    expect(fired).toEqual(['a', 'a2', 'c']);
    expect(wheel.size).toBe(0);
  });

  it('runs deadlines scheduled from a callback when they are due', () => {
    const clock = new FakeClock(0);
    const wheel = new TimerWheel(clock);
    const fired: number[] = [];
    wheel.after(10, () => {
      fired.push(clock.now());
      wheel.after(0, () => fired.push(clock.now()));
      wheel.after(5, () => fired.push(clock.now()));
    });
    clock.advance(100);
    expect(fired).toEqual([10, 10, 15]);
  });

  it('re-arms for an earlier deadline added later', () => {
    const clock = new FakeClock(0);
    const wheel = new TimerWheel(clock);
    const fired: number[] = [];
    wheel.after(1000, () => fired.push(clock.now()));
    wheel.after(10, () => fired.push(clock.now()));
    clock.advance(20);
    expect(fired).toEqual([10]);
    clock.advance(2000);
    expect(fired).toEqual([10, 1000]);
  });
});
