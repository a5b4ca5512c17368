// Fan-out of committed event batches to watchers (after k3s-io/kine pkg/broadcaster, with a
// bounded buffer per subscriber instead of kine's channel of fixed depth).
//
// Contract: publish() never blocks or waits for a subscriber. Each subscriber buffers at most
// `bufferSize` events; a batch that would overflow it drops the subscriber, discarding what it
// buffered, and its next read throws StorageError('WatcherTooSlow') so the client re-lists.
// Batches reach each subscriber in publish order, filtered to its key prefix; a batch left empty
// by the filter is not delivered.

import { StorageError, type WatchEvent } from './backend.ts';

export const DEFAULT_WATCH_BUFFER = 10_000;

export interface SubscribeOptions {
  /** Only events whose key starts with this prefix are delivered. */
  prefix: string;
  /** Ends the subscription normally. */
  signal?: AbortSignal;
  /** Overrides the broadcaster's buffer size for this subscriber. */
  bufferSize?: number;
}

/** One watcher's queue. Read it with next() or for-await; at most one reader at a time. */
export class Subscription implements AsyncIterable<WatchEvent[]> {
  private readonly batches: WatchEvent[][] = [];
  private buffered = 0;
  private wake?: () => void;
  private done = false;
  private failure?: StorageError;
  private readonly onAbort = () => this.end();

  constructor(
    readonly prefix: string,
    private readonly bufferSize: number,
    private readonly detach: (s: Subscription) => void,
    private readonly signal?: AbortSignal,
  ) {
    signal?.addEventListener('abort', this.onAbort, { once: true });
    if (signal?.aborted) this.end();
  }

  /** True once the stream ended (normally or with an error); it receives nothing more. */
  get ended(): boolean {
    return this.done;
  }

  /** Number of events waiting to be read. */
  get pending(): number {
    return this.buffered;
  }

  /** Called by the broadcaster with events already filtered to this subscriber. */
  offer(batch: WatchEvent[]): void {
    if (this.done || batch.length === 0) return;
    if (this.buffered + batch.length > this.bufferSize) {
      this.fail(new StorageError('WatcherTooSlow', `Watch dropped: more than ${this.bufferSize} events were not read`));
      return;
    }
    this.batches.push(batch);
    this.buffered += batch.length;
    this.notify();
  }

  /** Ends the stream with an error (after discarding anything buffered). */
  fail(err: StorageError): void {
    if (this.done) return;
    this.failure = err;
    this.batches.length = 0;
    this.buffered = 0;
    this.end();
  }

  /** Ends the stream normally once the buffer is drained. */
  end(): void {
    if (this.done) return;
    this.done = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    this.detach(this);
    this.notify();
  }

  /** Next batch; undefined when the stream ended normally; throws when it failed. */
  async next(): Promise<WatchEvent[] | undefined> {
    for (;;) {
      if (this.failure) throw this.failure;
      const batch = this.batches.shift();
      if (batch) {
        this.buffered -= batch.length;
        return batch;
      }
      if (this.done) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent[]> {
    try {
      for (let b = await this.next(); b; b = await this.next()) yield b;
    } finally {
      this.end();
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

export class Broadcaster {
  private readonly subs = new Set<Subscription>();
  private closedWith?: StorageError;

  constructor(private readonly opts: { bufferSize?: number } = {}) {}

  get subscriberCount(): number {
    return this.subs.size;
  }

  subscribe(opts: SubscribeOptions): Subscription {
    const size = opts.bufferSize ?? this.opts.bufferSize ?? DEFAULT_WATCH_BUFFER;
    const sub = new Subscription(opts.prefix, size, (s) => this.subs.delete(s), opts.signal);
    if (this.closedWith) sub.fail(this.closedWith);
    else if (!sub.ended) this.subs.add(sub);
    return sub;
  }

  /** Delivers one committed batch (revision order) to every matching subscriber. */
  publish(batch: readonly WatchEvent[]): void {
    if (batch.length === 0) return;
    for (const sub of [...this.subs]) {
      const mine = sub.prefix === '' ? batch.slice() : batch.filter((e) => e.kv.key.startsWith(sub.prefix));
      sub.offer(mine);
    }
  }

  /** Fails every current and future subscriber with err (used when the backend closes). */
  close(err: StorageError): void {
    this.closedWith = err;
    for (const sub of [...this.subs]) sub.fail(err);
  }
}
