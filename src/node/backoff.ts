// Restart back-off for crashed containers and failed image pulls, with the kubelet's numbers
// (pkg/kubelet/kubelet.go: backOffPeriod 10 s, MaxContainerBackOff 300 s; util/flowcontrol
// Backoff): the first restart is immediate, then 10 s doubling up to 5 min. A container that
// ran longer than twice the maximum before exiting starts over (the back-off entry expired).

export const INITIAL_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 300_000;

/**
 * How long after an exit the next start may happen, given how many restarts came before and
 * how long the exited run lasted.
 */
export function restartDelayMs(restartCount: number, lastRunMs = 0): number {
  if (restartCount <= 0 || lastRunMs > 2 * MAX_BACKOFF_MS) return 0;
  return Math.min(INITIAL_BACKOFF_MS * 2 ** (restartCount - 1), MAX_BACKOFF_MS);
}

/** Image pull retries: 10 s doubling to 5 min after each consecutive failure (1-based). */
export function pullBackoffMs(failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(INITIAL_BACKOFF_MS * 2 ** (failures - 1), MAX_BACKOFF_MS);
}

/** Go's time.Duration formatting as the kubelet prints back-offs: 10s, 1m20s, 5m0s. */
export function formatGoDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalS = ms / 1000;
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = +(totalS % 60).toFixed(3);
  if (h) return `${h}h${m}m${s}s`;
  if (m) return `${m}m${s}s`;
  return `${s}s`;
}
