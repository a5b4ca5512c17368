// Load shapes: a closed loop (a fixed number of operations in flight, as fast as they complete)
// and an open loop (operations started on a fixed schedule whatever the latency, so a slow
// server cannot hide its queueing: latency counts from the scheduled start).
import { setTimeout as sleep } from 'node:timers/promises';

export interface LoadResult {
  /** Operations that completed. */
  done: number;
  seconds: number;
  /** Milliseconds per completed operation, in completion order. */
  latencies: number[];
  /** True when the time cap stopped the run early. */
  capped: boolean;
}

export interface ClosedLoopOptions {
  total: number;
  concurrency: number;
  /** Stop starting new operations after this long. */
  maxMs: number;
  signal?: AbortSignal;
  op: (i: number) => Promise<void>;
}

export async function closedLoop(opts: ClosedLoopOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  let capped = false;
  const t0 = performance.now();
  const worker = async () => {
    while (next < opts.total) {
      opts.signal?.throwIfAborted();
      if (performance.now() - t0 > opts.maxMs) {
        capped = true;
        return;
      }
      const i = next++;
      const t = performance.now();
      await opts.op(i);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return { done: latencies.length, seconds: (performance.now() - t0) / 1000, latencies, capped };
}

export interface OpenLoopOptions {
  total: number;
  ratePerSec: number;
  /** Stop scheduling after this long. */
  maxMs: number;
  signal?: AbortSignal;
  op: (i: number) => Promise<void>;
}

export async function openLoop(opts: OpenLoopOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const inFlight = new Set<Promise<void>>();
  const interval = 1000 / opts.ratePerSec;
  let capped = false;
  const t0 = performance.now();
  let i = 0;
  while (i < opts.total) {
    opts.signal?.throwIfAborted();
    const now = performance.now();
    if (now - t0 > opts.maxMs) {
      capped = true;
      break;
    }
    // Start everything due by now; the timer below wakes about once a millisecond.
    while (i < opts.total && t0 + i * interval <= now) {
      const scheduled = t0 + i * interval;
      const p: Promise<void> = opts.op(i).then(() => {
        latencies.push(performance.now() - scheduled);
        inFlight.delete(p);
      });
      inFlight.add(p);
      i++;
    }
    await sleep(1);
  }
  await Promise.all(inFlight);
  return { done: latencies.length, seconds: (performance.now() - t0) / 1000, latencies, capped };
}
