// Background compaction policy (after k3s-io/kine pkg/logstructured/sqllog compactor: a periodic
// pass that keeps a minimum number of recent revisions).
//
// Target state: history is kept for at least `retainMs` AND for at least the last
// `minRetainRevisions` revisions; whichever keeps more wins. Each tick records (now, current
// revision); the compaction target is the newest recorded revision that is at least `retainMs`
// old, capped at current - minRetainRevisions. Samples live in memory, so after a restart nothing
// is compacted until the process has run for `retainMs` — it never compacts too much.

export interface StoreClock {
  /** Milliseconds since the epoch (or any monotonic origin). */
  now(): number;
}

export const systemClock: StoreClock = { now: () => Date.now() };

export interface CompactionOptions {
  clock?: StoreClock;
  /** How often the compactor runs; 0 disables the timer (tests call tick()). Default 60 s. */
  compactIntervalMs?: number;
  /** History younger than this is kept. Default 5 minutes. */
  retainMs?: number;
  /** At least this many most recent revisions are kept. Default 1000. */
  minRetainRevisions?: number;
  /** Background failures are reported here; the next tick retries. Default: process warning. */
  onCompactError?: (err: unknown) => void;
}

export interface Compactable {
  currentRevision(): number;
  compactedRevision(): number;
  compact(revision: number): Promise<void>;
}

export class Compactor {
  private readonly samples: { at: number; revision: number }[] = [];
  private timer?: ReturnType<typeof setInterval>;
  private running?: Promise<number>;
  private readonly clock: StoreClock;
  private readonly intervalMs: number;
  private readonly retainMs: number;
  private readonly minRetain: number;

  constructor(
    private readonly target: Compactable,
    private readonly opts: CompactionOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.intervalMs = opts.compactIntervalMs ?? 60_000;
    this.retainMs = opts.retainMs ?? 5 * 60_000;
    this.minRetain = opts.minRetainRevisions ?? 1000;
  }

  start(): void {
    if (this.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One pass. Resolves to the revision compacted to, or 0 when nothing was due. Never rejects. */
  tick(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  /** The revision a pass at `now` would compact to (0: nothing), after recording a sample. */
  plan(now: number): number {
    const current = this.target.currentRevision();
    this.samples.push({ at: now, revision: current });
    let old = -1;
    for (let i = 0; i < this.samples.length && this.samples[i]!.at <= now - this.retainMs; i++) old = i;
    if (old < 0) return 0;
    const byAge = this.samples[old]!.revision;
    this.samples.splice(0, old); // keep the chosen sample: it stays the floor until a newer one ages
    const target = Math.min(byAge, current - this.minRetain);
    return target > this.target.compactedRevision() ? target : 0;
  }

  private async pass(): Promise<number> {
    const target = this.plan(this.clock.now());
    if (target === 0) return 0;
    try {
      await this.target.compact(target);
      return target;
    } catch (err) {
      (this.opts.onCompactError ?? ((e) => process.emitWarning(`Compaction failed: ${String(e)}`)))(err);
      return 0;
    }
  }
}
