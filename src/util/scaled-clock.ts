// Accelerated time for simulated clusters (`k8ts up --time-scale N`): every component takes time
// from one Clock, so a clock whose seconds pass N times faster makes lease expiry, grace periods,
// probe delays, minReadySeconds and back-offs run N times faster, all consistently with the
// timestamps written into objects.
//
// Cluster time must never run backwards (a lease renewed "in the future" would keep a dead node
// healthy, availability would be measured against a later transition): the clock starts from the
// newest time the cluster has seen, which a restart reads back from the data dir. Timestamps of
// an accelerated cluster run ahead of the wall clock, so clients that compare them with their own
// clock (kubectl's AGE column) see times in the future.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from './clock.ts';

export const MAX_TIME_SCALE = 1000;

export class ScaledClock implements Clock {
  private readonly realStart: number;

  constructor(
    readonly factor: number,
    /** Cluster time at the start (not before the wall clock). */
    private readonly start: number = Date.now(),
    private readonly realNow: () => number = Date.now,
  ) {
    if (!(factor > 0 && factor <= MAX_TIME_SCALE)) throw new Error(`time scale must be above 0 and at most ${MAX_TIME_SCALE}`);
    this.realStart = realNow();
  }

  now(): number {
    return Math.floor(this.start + (this.realNow() - this.realStart) * this.factor);
  }

  setTimer(fn: () => void, ms: number): () => void {
    const t = setTimeout(fn, Math.max(0, ms) / this.factor);
    t.unref?.();
    return () => clearTimeout(t);
  }
}

const FILE = 'clock.json';
/** How often the cluster time is recorded, in real milliseconds. */
const RECORD_EVERY_MS = 2000;

/**
 * The newest cluster time a data dir may have seen (0 when none): the recorded time plus what
 * could have passed before the next record, had the process been killed.
 */
export function recordedClusterTime(dataDir: string): number {
  try {
    const { clusterTime, factor } = JSON.parse(readFileSync(join(dataDir, FILE), 'utf8')) as { clusterTime?: number; factor?: number };
    if (typeof clusterTime !== 'number' || !Number.isFinite(clusterTime)) return 0;
    return clusterTime + RECORD_EVERY_MS * (typeof factor === 'number' && factor > 0 ? factor : 1);
  } catch {
    return 0;
  }
}

export function recordClusterTime(dataDir: string, t: number, factor: number): void {
  const path = join(dataDir, FILE);
  writeFileSync(`${path}.tmp`, `${JSON.stringify({ clusterTime: t, factor })}\n`);
  renameSync(`${path}.tmp`, path);
}

/**
 * The cluster's clock for a start: N times faster when asked, and never behind what the data dir
 * last recorded (a cluster that ran accelerated keeps its lead at normal speed afterwards).
 * Undefined when the wall clock will do. `persist` records the cluster time now and then.
 */
export function clusterClock(dataDir: string | undefined, timeScale: number | undefined): { clock?: ScaledClock; persist(): void; stop(): void } {
  const recorded = dataDir ? recordedClusterTime(dataDir) : 0;
  const ahead = recorded > Date.now();
  if (!timeScale && !ahead) return { persist: () => {}, stop: () => {} };
  const clock = new ScaledClock(timeScale ?? 1, Math.max(Date.now(), recorded));
  const persist = () => {
    if (dataDir) recordClusterTime(dataDir, clock.now(), clock.factor);
  };
  persist();
  const timer = setInterval(persist, RECORD_EVERY_MS);
  timer.unref();
  return { clock, persist, stop: () => (clearInterval(timer), persist()) };
}
