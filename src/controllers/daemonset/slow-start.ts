// Slow-start batching of creates (pkg/controller/controller_utils.go slowStartBatch, and the
// batch loop of the DaemonSet controller's syncNodes): batches of 1, 2, 4, … run one after
// another, the calls of a batch concurrently; after a batch with any failure the remaining items
// are not attempted. Many creates that would all fail the same way (a quota, an admission
// webhook) cost one request, not hundreds.

export const SLOW_START_INITIAL_BATCH_SIZE = 1;

export interface SlowStartResult {
  /** Calls that resolved. */
  successes: number;
  /** Items never attempted because a batch failed. */
  skipped: number;
  errors: unknown[];
}

export async function slowStartBatch<T>(items: readonly T[], fn: (item: T) => Promise<void>, initial = SLOW_START_INITIAL_BATCH_SIZE): Promise<SlowStartResult> {
  const result: SlowStartResult = { successes: 0, skipped: 0, errors: [] };
  let pos = 0;
  for (let size = Math.min(items.length, initial); size > 0; pos += size, size = Math.min(2 * size, items.length - pos)) {
    const settled = await Promise.allSettled(items.slice(pos, pos + size).map((item) => fn(item)));
    for (const s of settled) {
      if (s.status === 'fulfilled') result.successes++;
      else result.errors.push(s.reason);
    }
    if (settled.some((s) => s.status === 'rejected')) {
      result.skipped = items.length - pos - size;
      break;
    }
  }
  return result;
}
