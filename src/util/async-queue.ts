// A push-to-pull bridge with a bound: producers push, one consumer iterates. Overflow ends the
// stream with an error instead of growing without limit (a slow consumer must start over).

export class QueueOverflowError extends Error {}

export class AsyncQueue<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private weight = 0;
  private readonly weights: number[] = [];
  private waiter: (() => void) | undefined;
  private done = false;
  private error: unknown;
  private readonly limit: number;

  constructor(limit = 10_000) {
    this.limit = limit;
  }

  get size(): number {
    return this.items.length;
  }

  get closed(): boolean {
    return this.done;
  }

  /** Queues item; `weight` (default 1) counts toward the limit, e.g. the events in a batch. */
  push(item: T, weight = 1): void {
    if (this.done) return;
    if (this.weight + weight > this.limit) {
      this.fail(new QueueOverflowError(`consumer fell more than ${this.limit} items behind`));
      return;
    }
    this.items.push(item);
    this.weights.push(weight);
    this.weight += weight;
    this.wake();
  }

  /** Ends the stream after the queued items; with an error, the consumer's loop throws it. */
  end(error?: unknown): void {
    if (this.done) return;
    this.done = true;
    this.error = error;
    this.wake();
  }

  private fail(error: unknown): void {
    this.items = [];
    this.weights.length = 0;
    this.weight = 0;
    this.end(error);
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.items.length) {
        this.weight -= this.weights.shift()!;
        yield this.items.shift()!;
        continue;
      }
      if (this.done) {
        if (this.error) throw this.error;
        return;
      }
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }
}
