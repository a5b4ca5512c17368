// Group commit: writes submitted in the same event-loop turn, or while the previous transaction
// is being committed, share one transaction, so one fsync acknowledges many writes (the batching
// kine gets from concurrent database/sql transactions).
//
// Contract: submit() resolves or rejects only after the transaction holding the op committed
// (or rolled back). Each op has its own outcome; the commit function decides per op and only a
// failure of the whole transaction fails every op in it. Ops run in submission order.

export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface GroupCommitStats {
  /** Transactions committed or attempted. */
  transactions: number;
  /** Ops handed to those transactions. */
  ops: number;
}

interface Pending<Op, R> {
  op: Op;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export class GroupCommit<Op, R> {
  readonly stats: GroupCommitStats = { transactions: 0, ops: 0 };
  private queue: Pending<Op, R>[] = [];
  private scheduled = false;
  // The transaction being committed: one at a time, so ops keep their order and revisions are
  // assigned from a known base; ops arriving meanwhile wait and go together in the next.
  private inFlight: Promise<void> | undefined;

  /**
   * @param commit runs ops in one transaction and returns one outcome per op, or throws when the
   *   transaction as a whole failed (then every op fails with that error).
   * @param maxBatch upper bound on ops per transaction, to bound how long one commit takes.
   */
  constructor(
    private readonly commit: (ops: Op[]) => Promise<Outcome<R>[]>,
    private readonly maxBatch = 1000,
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  submit(op: Op): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      this.kick();
    });
  }

  /** Resolves once every op submitted so far is committed or failed. */
  async drain(): Promise<void> {
    while (this.inFlight || this.queue.length > 0) {
      if (!this.inFlight) this.next();
      await this.inFlight;
    }
  }

  // Starts the next transaction on the next turn, so ops submitted in this one join it.
  private kick(): void {
    if (this.scheduled || this.inFlight || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.next();
    });
  }

  private next(): void {
    if (this.inFlight || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.stats.transactions++;
    this.stats.ops += batch.length;
    this.inFlight = (async () => {
      let outcomes: Outcome<R>[];
      try {
        outcomes = await this.commit(batch.map((p) => p.op));
      } catch (error) {
        outcomes = batch.map(() => ({ ok: false, error }));
      }
      batch.forEach((p, i) => {
        const o = outcomes[i]!;
        if (o.ok) p.resolve(o.value);
        else p.reject(o.error);
      });
    })().finally(() => {
      this.inFlight = undefined;
      this.kick();
    });
  }
}
