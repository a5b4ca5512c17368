// The scheduling queue (pkg/scheduler/backend/queue/scheduling_queue.go, simplified): pending
// pods wait in an active heap ordered by priority, then arrival (PrioritySort); a pod that could
// not be placed waits for its back-off (1 s doubling to 10 s) and is then retried, or is retried
// at once when the cluster changes in a way that may help (moveAll). A pod is handed to one
// scheduling cycle at a time; updates arriving meanwhile are applied to the waiting entry.
import type { PodInfo } from './pod-info.ts';
import type { Clock } from '../util/clock.ts';

export interface QueuedPod {
  pi: PodInfo;
  /** Scheduling attempts so far, this one included once popped. */
  attempts: number;
}

interface Entry extends QueuedPod {
  state: 'active' | 'waiting' | 'inflight';
  arrival: number;
  seq: number;
  cancel?: () => void;
  deleted?: boolean;
}

export interface QueueOptions {
  clock: Clock;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Higher priority first, then earlier arrival. */
const before = (a: Entry, b: Entry) => (a.pi.priority !== b.pi.priority ? a.pi.priority > b.pi.priority : a.arrival !== b.arrival ? a.arrival < b.arrival : a.seq < b.seq);

export class SchedulingQueue {
  private readonly entries = new Map<string, Entry>();
  private readonly heap: Entry[] = [];
  /** Entries in state 'waiting' (back-off or unschedulable), so moveAll never scans the rest. */
  private readonly waiting = new Set<Entry>();
  private waiters: (() => void)[] = [];
  private seq = 0;

  constructor(private readonly opts: QueueOptions) {}

  /** Pods waiting in the active heap. */
  get activeCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.state === 'active') n++;
    return n;
  }

  has(uid: string): boolean {
    return this.entries.has(uid);
  }

  /** Back-off after n failed attempts: initial·2^(n−1), capped. */
  backoffMs(attempts: number): number {
    const initial = this.opts.initialBackoffMs ?? 1000;
    const max = this.opts.maxBackoffMs ?? 10_000;
    return Math.min(max, initial * 2 ** Math.max(0, attempts - 1));
  }

  /** A new pending pod, or a newer copy of a queued one (a changed pod is retried at once). */
  add(pi: PodInfo): void {
    const e = this.entries.get(pi.uid);
    if (!e) {
      const entry: Entry = { pi, attempts: 0, state: 'active', arrival: this.opts.clock.now(), seq: this.seq++ };
      this.entries.set(pi.uid, entry);
      this.push(entry);
      return;
    }
    e.pi = pi;
    if (e.state === 'waiting') this.activate(e);
  }

  delete(uid: string): void {
    const e = this.entries.get(uid);
    if (!e) return;
    e.cancel?.();
    this.waiting.delete(e);
    if (e.state === 'inflight') e.deleted = true;
    else {
      e.state = 'waiting'; // an active one is dropped from the heap lazily
      this.entries.delete(uid);
    }
  }

  /** The next pod to schedule; undefined once the signal aborts. */
  async pop(signal: AbortSignal): Promise<QueuedPod | undefined> {
    for (;;) {
      if (signal.aborted) return undefined;
      while (this.heap.length) {
        const e = this.popHeap();
        if (e.state !== 'active' || this.entries.get(e.pi.uid) !== e) continue;
        e.state = 'inflight';
        e.attempts++;
        return e;
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  }

  /** The cycle placed the pod (or found it gone): forget it. */
  done(uid: string): void {
    const e = this.entries.get(uid);
    if (e?.state === 'inflight') {
      this.entries.delete(uid);
    }
  }

  /**
   * The cycle could not place the pod: retry after its back-off, or sooner on moveAll. A pod
   * whose assumed binding later fails comes back through here too, keeping its attempt count.
   */
  failed(qp: QueuedPod): void {
    let e = this.entries.get(qp.pi.uid);
    if (!e) {
      e = { pi: qp.pi, attempts: qp.attempts, state: 'inflight', arrival: this.opts.clock.now(), seq: this.seq++ };
      this.entries.set(qp.pi.uid, e);
    }
    if (e.deleted) {
      this.entries.delete(qp.pi.uid);
      return;
    }
    e.cancel?.();
    e.state = 'waiting';
    this.waiting.add(e);
    const entry = e;
    e.cancel = this.opts.clock.setTimer(() => this.activate(entry), this.backoffMs(e.attempts));
  }

  /** Cluster change: every waiting pod (or those pred selects) is retried now. */
  moveAll(pred?: (pi: PodInfo) => boolean): void {
    if (!this.waiting.size) return;
    for (const e of [...this.waiting]) if (!pred || pred(e.pi)) this.activate(e);
  }

  private activate(e: Entry): void {
    if (e.state !== 'waiting' || this.entries.get(e.pi.uid) !== e) return;
    e.cancel?.();
    e.cancel = undefined;
    this.waiting.delete(e);
    e.state = 'active';
    this.push(e);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
    this.waiters.shift()?.();
  }

  private popHeap(): Entry {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
