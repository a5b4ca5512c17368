// One timer for every deadline in the node pool: pod start delays, probe deadlines, back-offs,
// lease renewals and status reports all wait here, so 150,000 pods cost heap entries, not
// 150,000 platform timers. A binary min-heap of deadlines drives a single Clock timer armed for
// the earliest one; cancellation is lazy (a cancelled entry is skipped when it surfaces).
import type { Clock } from '../util/clock.ts';

interface Entry {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class TimerWheel {
  private heap: Entry[] = [];
  private seq = 0;
  private armedAt = Infinity;
  private disarm: (() => void) | undefined;
  private live = 0;

  constructor(private readonly clock: Clock) {}

  /** Runs fn once at or after `at` (epoch ms); returns a cancel function. */
  at(at: number, fn: () => void): () => void {
    const e: Entry = { at, seq: this.seq++, fn, cancelled: false };
    this.push(e);
    this.live++;
    if (at < this.armedAt) this.arm();
    return () => {
      if (!e.cancelled) {
        e.cancelled = true;
        this.live--;
      }
    };
  }

  /** Runs fn once after ms. */
  after(ms: number, fn: () => void): () => void {
    return this.at(this.clock.now() + Math.max(0, ms), fn);
  }

  /** Deadlines waiting (cancelled ones excluded). */
  get size(): number {
    return this.live;
  }

  /** Cancels everything. */
  clear(): void {
    for (const e of this.heap) e.cancelled = true;
    this.heap = [];
    this.live = 0;
    this.disarm?.();
    this.disarm = undefined;
    this.armedAt = Infinity;
  }

  private arm(): void {
    this.disarm?.();
    const top = this.heap[0];
    if (!top) {
      this.disarm = undefined;
      this.armedAt = Infinity;
      return;
    }
    this.armedAt = top.at;
    this.disarm = this.clock.setTimer(() => this.fire(), Math.max(0, top.at - this.clock.now()));
  }

  private fire(): void {
    this.disarm = undefined;
    this.armedAt = Infinity;
    const now = this.clock.now();
    // Callbacks may schedule more; those due now run in this pass too.
    for (;;) {
      const top = this.heap[0];
      if (!top || top.at > now) break;
      this.pop();
      if (top.cancelled) continue;
      top.cancelled = true;
      this.live--;
      try {
        top.fn();
      } catch {
        // A failing callback must not stop the others; callers handle their own errors.
      }
    }
    // Drop cancelled entries from the top so the timer is armed for a live deadline.
    while (this.heap[0]?.cancelled) this.pop();
    if (this.heap.length) this.arm();
  }

  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
