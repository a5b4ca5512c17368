// Per-key exponential back-off for deleting failed daemon pods (client-go util/flowcontrol
// Backoff as the controller manager builds it for the DaemonSet controller: 1 s doubling to
// 15 min). A key untouched for twice the maximum starts over.
import type { Clock } from '../../util/clock.ts';

export const FAILED_POD_BACKOFF_INITIAL_MS = 1000;
export const FAILED_POD_BACKOFF_MAX_MS = 15 * 60 * 1000;

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly initialMs = FAILED_POD_BACKOFF_INITIAL_MS,
    private readonly maxMs = FAILED_POD_BACKOFF_MAX_MS,
  ) {}

  /** IsInBackOffSinceUpdate then Get: how long to wait, or undefined when the key may act now. */
  delay(key: string): number | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    return this.clock.now() - e.lastUpdate < e.backoffMs ? e.backoffMs : undefined;
  }

  /** Next: the key acted now; its back-off doubles (or starts at the initial value). */
  next(key: string): void {
    const now = this.clock.now();
    const e = this.entries.get(key);
    if (!e || now - e.lastUpdate > 2 * this.maxMs) this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: now });
    else this.entries.set(key, { backoffMs: Math.min(e.backoffMs * 2, this.maxMs), lastUpdate: now });
  }

  /** Forgets keys untouched for twice the maximum (upstream's GC, run every minute). */
  gc(): void {
    const now = this.clock.now();
    for (const [k, e] of this.entries) if (now - e.lastUpdate > 2 * this.maxMs) this.entries.delete(k);
  }
}
