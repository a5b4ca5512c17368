import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterClock, recordClusterTime, recordedClusterTime, ScaledClock } from './scaled-clock.ts';

describe('ScaledClock', () => {
  it('runs factor times faster than the real clock, from its start', () => {
    let real = 1_000;
    const clock = new ScaledClock(60, 5_000_000, () => real);
    expect(clock.now()).toBe(5_000_000);
    real += 1_000;
    expect(clock.now()).toBe(5_060_000);
  });

  it.each([0, -1, 1001, Number.NaN])('refuses the factor %s', (f) => {
    expect(() => new ScaledClock(f)).toThrow(/time scale must be above 0 and at most 1000/);
  });

  it('fires a timer once its cluster time has passed, after a fraction of it in real time', async () => {
    const clock = new ScaledClock(100);
    const from = clock.now();
    const realFrom = performance.now();
    // Five cluster seconds: 50 real milliseconds at 100×.
    const at = await new Promise<number>((resolve) => clock.setTimer(() => resolve(clock.now()), 5_000));
    expect(at - from).toBeGreaterThanOrEqual(4_900);
    expect(performance.now() - realFrom).toBeLessThan(5_000);
  });

  it('cancels a timer', async () => {
    const clock = new ScaledClock(100);
    let fired = false;
    const cancel = clock.setTimer(() => (fired = true), 100);
    cancel();
    await new Promise<void>((r) => clock.setTimer(r, 1_000));
    expect(fired).toBe(false);
  });
});

describe('cluster time in the data dir', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const fresh = () => (dir = mkdtempSync(join(tmpdir(), 'k8ts-clock-')));

  it('is the wall clock, recording nothing, when never accelerated', () => {
    const t = clusterClock(fresh(), undefined);
    expect(t.clock).toBeUndefined();
    t.stop();
    expect(recordedClusterTime(dir)).toBe(0);
  });

  it('records the cluster time of an accelerated cluster, plus what a kill could have lost', () => {
    recordClusterTime(fresh(), 10_000, 60);
    // Two real seconds between records, at 60×.
    expect(recordedClusterTime(dir)).toBe(10_000 + 120_000);
  });

  it('never goes back: a restart continues from the recorded lead, at normal speed without --time-scale', () => {
    const lead = Date.now() + 3_600_000;
    recordClusterTime(fresh(), lead, 60);
    const t = clusterClock(dir, undefined);
    try {
      expect(t.clock?.factor).toBe(1);
      expect(t.clock!.now()).toBeGreaterThanOrEqual(lead);
    } finally {
      t.stop();
    }
    expect(recordedClusterTime(dir)).toBeGreaterThanOrEqual(lead);
  });

  it('starts at the wall clock when the record is behind it', () => {
    recordClusterTime(fresh(), 1_000, 1);
    const t = clusterClock(dir, 30);
    try {
      expect(t.clock?.factor).toBe(30);
      expect(Math.abs(t.clock!.now() - Date.now())).toBeLessThan(60_000);
    } finally {
      t.stop();
    }
  });

  it('ignores a damaged record', () => {
    writeFileSync(join(fresh(), 'clock.json'), '{not json');
    expect(recordedClusterTime(dir)).toBe(0);
  });
});
