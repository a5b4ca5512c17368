// Active-passive leadership over a coordination.k8s.io Lease (client-go tools/leaderelection,
// with the timings kube-controller-manager uses: lease 15 s, renew deadline 10 s, retry 2 s).
// A candidate retries every retryPeriod until it holds the lease, then renews every retryPeriod;
// when no renewal has succeeded for renewDeadline it stops leading, before the lease can expire
// in another server's eyes, and campaigns again. What it leads runs under a signal that aborts
// the moment leadership ends.
import { setMaxListeners } from 'node:events';
import { ApiError } from '../api/errors.ts';
import type { KubeObject } from '../api/meta/types.ts';
import type { Client, ResourceClient } from '../client/client.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import { decide, expiresAt, released, sameRecord, type LeaseSpec } from './plan.ts';

export interface ElectionTimings {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export const DEFAULT_TIMINGS: ElectionTimings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

export interface LeaderElectorOptions {
  client: Client;
  /** The Lease's name (kube-controller-manager, kube-scheduler, …). */
  name: string;
  namespace?: string;
  /** Unique per candidate: upstream uses `<hostname>_<uuid>`. */
  identity: string;
  timings?: ElectionTimings;
  clock?: Clock;
  log?: (m: string) => void;
  /** Runs while this candidate leads; must end soon after `signal` aborts. */
  lead(signal: AbortSignal): Promise<unknown>;
}

export class LeaderElector {
  private readonly leases: ResourceClient;
  private readonly namespace: string;
  private readonly timings: ElectionTimings;
  private readonly clock: Clock;
  private readonly log: (m: string) => void;
  private observed: { spec: LeaseSpec | undefined; at: number } | undefined;
  private leading = false;
  private holder = '';

  constructor(private readonly o: LeaderElectorOptions) {
    this.leases = o.client.resource({ apiVersion: 'coordination.k8s.io/v1', resource: 'leases', namespaced: true });
    this.namespace = o.namespace ?? 'kube-system';
    this.timings = o.timings ?? DEFAULT_TIMINGS;
    if (this.timings.renewDeadlineMs >= this.timings.leaseDurationMs) throw new Error('leader election: the renew deadline must be shorter than the lease duration');
    this.clock = o.clock ?? systemClock;
    this.log = o.log ?? (() => {});
  }

  /** The Lease's name. */
  get name(): string {
    return this.o.name;
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder last seen in the lease ('' when none). */
  leader(): string {
    return this.holder;
  }

  /** Campaigns, leads, and campaigns again after a loss, until signal aborts; then steps down. */
  async run(signal: AbortSignal): Promise<void> {
    const watching = this.follow(signal);
    try {
      await this.campaign(signal);
    } finally {
      await watching;
    }
  }

  private async campaign(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (!(await this.tryAcquireOrRenew())) {
        // Try again a retry period on, or as soon as the holder's lease runs out if sooner.
        await this.sleep(Math.min(jittered(this.timings.retryPeriodMs), this.untilExpiry() + 5), signal);
        continue;
      }
      this.log(`leader election: ${this.o.identity} leads ${this.namespace}/${this.o.name}`);
      const term = new AbortController();
      setMaxListeners(0, term.signal);
      const stopTerm = () => term.abort();
      signal.addEventListener('abort', stopTerm, { once: true });
      this.leading = true;
      const led = Promise.resolve()
        .then(() => this.o.lead(term.signal))
        .catch((e: unknown) => this.log(`internal error: leader election: ${this.o.name}: ${(e as Error)?.stack ?? String(e)}`));
      await this.renewWhileLeading(term.signal);
      this.leading = false;
      term.abort();
      signal.removeEventListener('abort', stopTerm);
      await led;
      if (signal.aborted) await this.release();
      else this.log(`leader election: ${this.o.identity} lost ${this.namespace}/${this.o.name}`);
    }
  }

  /**
   * Watches the Lease so a candidate notes each renewal when it is written, not at its next
   * poll: the holder's lease then runs out for it leaseDuration after the holder's last renewal.
   */
  private async follow(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        for await (const ev of this.leases.watch(this.namespace, { fieldSelector: `metadata.name=${this.o.name}`, signal })) {
          const spec = ev.type === 'DELETED' ? undefined : ((ev.object as KubeObject).spec as LeaseSpec | undefined);
          if (ev.type !== 'BOOKMARK' && ev.type !== 'ERROR') this.observe(spec);
        }
      } catch {
        // The watch ended (a server restart, compaction): polling covers the gap.
      }
      await this.sleep(this.timings.retryPeriodMs, signal);
    }
  }

  /** Notes the lease record as seen now, unless it is the one already seen; returns the observation. */
  private observe(spec: LeaseSpec | undefined): { spec: LeaseSpec | undefined; at: number } {
    if (!this.observed || !sameRecord(this.observed.spec, spec)) this.observed = { spec, at: this.clock.now() };
    return this.observed;
  }

  private config() {
    return { identity: this.o.identity, leaseDurationSeconds: Math.round(this.timings.leaseDurationMs / 1000) };
  }

  /** Milliseconds until the observed holder's lease runs out (0 when it has). */
  private untilExpiry(): number {
    const spec = this.observed?.spec;
    if (!spec?.holderIdentity || spec.holderIdentity === this.o.identity) return 0;
    return Math.max(0, expiresAt(spec, this.observed!.at, this.config()) - this.clock.now());
  }

  /** Renews every retry period until one has not succeeded for renewDeadline, or term aborts. */
  private async renewWhileLeading(term: AbortSignal): Promise<void> {
    let lastRenew = this.clock.now();
    while (!term.aborted) {
      await this.sleep(this.timings.retryPeriodMs, term);
      if (term.aborted) return;
      if (await this.tryAcquireOrRenew()) lastRenew = this.clock.now();
      else if (this.holder !== this.o.identity || this.clock.now() - lastRenew >= this.timings.renewDeadlineMs) return;
    }
  }

  /** One attempt; true when this candidate holds the lease afterwards. Errors count as failure. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    try {
      const lease = await this.leases.find(this.namespace, this.o.name);
      const spec = lease?.spec as LeaseSpec | undefined;
      const now = this.clock.now();
      const observed = this.observe(spec);
      this.holder = spec?.holderIdentity ?? '';
      const d = decide(spec, observed.at, now, this.config());
      if (d.action === 'wait') return false;
      const written =
        d.action === 'create'
          ? await this.leases.create(this.namespace, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.o.name, namespace: this.namespace }, spec: d.spec })
          : await this.leases.update(this.namespace, { ...(lease as KubeObject), spec: d.spec });
      this.observed = { spec: written.spec as LeaseSpec, at: this.clock.now() };
      this.holder = this.o.identity;
      return true;
    } catch (e) {
      // Lost a race (409) or the store is away: the next attempt reads again.
      if (!(e instanceof ApiError)) this.log(`leader election: ${this.o.name}: ${(e as Error).message}`);
      return false;
    }
  }

  /** Hands the lease over at once, if this candidate still holds it. */
  private async release(): Promise<void> {
    try {
      const lease = await this.leases.find(this.namespace, this.o.name);
      const spec = lease?.spec as LeaseSpec | undefined;
      if (!lease || spec?.holderIdentity !== this.o.identity) return;
      await this.leases.update(this.namespace, { ...lease, spec: released(spec, this.clock.now()) });
    } catch {
      // Stepping down is best effort: the lease expires anyway.
    }
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        cancel();
        signal.removeEventListener('abort', done);
        resolve();
      };
      const cancel = this.clock.setTimer(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** Up to 20% more, so candidates that started together do not collide every period (wait.JitterUntil 1.2). */
function jittered(ms: number): number {
  return ms * (1 + Math.random() * 0.2);
}
