// Small statistics helpers shared by the benchmarks.

/** The q-quantile (0..1) of an ascending array, nearest-rank; 0 for an empty array. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function median(values: readonly number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

/** Rounds to two decimals for reporting. */
export const round2 = (x: number): number => Math.round(x * 100) / 100;

export function summarize(latencies: number[]): { p50: number; p99: number; max: number; count: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50: round2(quantile(sorted, 0.5)), p99: round2(quantile(sorted, 0.99)), max: round2(sorted.at(-1) ?? 0), count: sorted.length };
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across threads. */
export const nowMs = (): number => performance.timeOrigin + performance.now();
