// A work queue with client-go's guarantees (util/workqueue): a key waiting is queued once, a key
// is never processed by two workers at once, a key dirtied while in flight runs again afterwards,
// failures retry with per-key exponential back-off.
import type { Clock } from '../../util/clock.ts';
import { TokenBucket } from './token-bucket.ts';

export class TerminalError extends Error {}

export type ReconcileResult = void | { requeueAfter: number };

export interface QueueOptions {
  clock: Clock;
  workers?: number;
  /** Per-key back-off after failures: base·2^(n-1), capped (client-go: 5 ms … 1000 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Overall retry rate across keys (client-go's default controller limiter: 10 qps, burst 100). */
  retryQps?: number;
  retryBurst?: number;
  /**
   * How long a key dirtied while in flight waits before it runs again (default 0: at once). A
   * controller whose sync grows with its object (a StatefulSet of 10,000 pods) paces itself with
   * it under a storm of events, which the wait then folds into one sync.
   */
  dirtyDelay?: (key: string) => number;
  log?: (msg: string) => void;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, () => void>();
  // Keys waiting out their dirtyDelay: adds meanwhile are folded into the pending run.
  private readonly paced = new Map<string, () => void>();
  private waiters: (() => void)[] = [];
  private stopped = false;
  private readonly bucket: TokenBucket;

  constructor(
    private readonly reconcile: (key: string) => Promise<ReconcileResult>,
    private readonly opts: QueueOptions,
  ) {
    this.bucket = new TokenBucket(opts.retryQps ?? 10, opts.retryBurst ?? 100, opts.clock);
  }

  add(key: string): void {
    if (this.stopped) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key) || this.paced.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.waiters.shift()?.();
  }

  addAfter(key: string, ms: number): void {
    if (ms <= 0) return this.add(key);
    this.timers.get(key)?.();
    this.timers.set(
      key,
      this.opts.clock.setTimer(() => {
        this.timers.delete(key);
        this.add(key);
      }, ms),
    );
  }

  get length(): number {
    return this.queue.length;
  }

  /** Runs workers until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => {
      this.stopped = true;
      for (const cancel of [...this.timers.values(), ...this.paced.values()]) cancel();
      for (const w of this.waiters.splice(0)) w();
    }, { once: true });
    const workers = Array.from({ length: this.opts.workers ?? 1 }, () => this.worker());
    await Promise.all(workers);
  }

  private pace(key: string): void {
    const ms = this.opts.dirtyDelay?.(key) ?? 0;
    if (ms <= 0) return this.add(key);
    this.paced.set(
      key,
      this.opts.clock.setTimer(() => {
        this.paced.delete(key);
        this.add(key);
      }, ms),
    );
  }

  private async next(): Promise<string | undefined> {
    while (!this.stopped) {
      const key = this.queue.shift();
      if (key !== undefined) {
        this.queued.delete(key);
        return key;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return undefined;
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.next();
      if (key === undefined) return;
      this.processing.add(key);
      let retryIn: number | undefined;
      try {
        const res = await this.reconcile(key);
        this.failures.delete(key);
        if (res && res.requeueAfter > 0) retryIn = res.requeueAfter;
      } catch (e) {
        if (e instanceof TerminalError) {
          this.opts.log?.(`${key}: ${e.message} (not retried)`);
          this.failures.delete(key);
        } else {
          const n = (this.failures.get(key) ?? 0) + 1;
          this.failures.set(key, n);
          const perKey = Math.min((this.opts.baseDelayMs ?? 5) * 2 ** (n - 1), this.opts.maxDelayMs ?? 1_000_000);
          retryIn = Math.max(perKey, this.bucket.reserve());
          this.opts.log?.(`${key}: ${(e as Error).message} (retry ${n} in ${retryIn} ms)`);
        }
      } finally {
        this.processing.delete(key);
        if (this.dirty.delete(key)) this.pace(key);
        else if (retryIn !== undefined) this.addAfter(key, retryIn);
      }
    }
  }
}
