// Runs async jobs one at a time per key, in arrival order; jobs on different keys run freely.
// The registry queues the writes of one object behind each other: they would conflict in the
// store anyway, and retrying N racing writers costs N² attempts where a queue costs N.
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<void>>();

  /** Resolves or rejects as job does, after every job queued earlier on key has settled. */
  async run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key);
    let done!: () => void;
    const tail = new Promise<void>((resolve) => (done = resolve));
    this.tails.set(key, tail);
    try {
      if (before) await before;
      return await job();
    } finally {
      done();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys with a job running or queued (for tests). */
  get size(): number {
    return this.tails.size;
  }
}
