// The leader-election decision of client-go's tools/leaderelection (tryAcquireOrRenew) on a
// coordination.k8s.io Lease, as a pure function. A candidate trusts its own clock only: a lease
// held by another counts as live until leaseDuration has passed since this candidate last SAW
// the record change (observedAt), never by comparing renewTime with the local time, so clock skew
// between servers cannot hand leadership to two of them.

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface ElectionConfig {
  identity: string;
  leaseDurationSeconds: number;
}

export type Decision =
  /** No lease yet: create it holding it. */
  | { action: 'create'; spec: LeaseSpec }
  /** Write this spec over the lease read (renewal, or takeover of an expired or released one). */
  | { action: 'update'; spec: LeaseSpec; takeover: boolean }
  /** Someone else holds a live lease. */
  | { action: 'wait'; holder: string };

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * What a candidate does with the lease it read (undefined: none exists), `observedAt` being when
 * it first saw the lease's current record (its own clock), and `now`.
 */
export function decide(lease: LeaseSpec | undefined, observedAt: number, now: number, cfg: ElectionConfig): Decision {
  const fresh = (acquireTime: string, transitions: number): LeaseSpec => ({
    holderIdentity: cfg.identity,
    leaseDurationSeconds: cfg.leaseDurationSeconds,
    acquireTime,
    renewTime: microTime(now),
    leaseTransitions: transitions,
  });
  if (!lease) return { action: 'create', spec: fresh(microTime(now), 0) };
  const holder = lease.holderIdentity ?? '';
  const transitions = lease.leaseTransitions ?? 0;
  if (holder === cfg.identity) return { action: 'update', spec: fresh(lease.acquireTime ?? microTime(now), transitions), takeover: false };
  if (holder !== '' && expiresAt(lease, observedAt, cfg) > now) return { action: 'wait', holder };
  return { action: 'update', spec: fresh(microTime(now), transitions + 1), takeover: true };
}

/**
 * When a lease another holds runs out for a candidate that saw its record change at observedAt:
 * the duration the holder wrote bounds how long it may go on acting without renewing.
 */
export function expiresAt(lease: LeaseSpec, observedAt: number, cfg: ElectionConfig): number {
  return observedAt + (lease.leaseDurationSeconds ?? cfg.leaseDurationSeconds) * 1000;
}

/** The spec a leader writes when it steps down, so another takes over at once (ReleaseOnCancel). */
export function released(lease: LeaseSpec, now: number): LeaseSpec {
  return { ...lease, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(now), acquireTime: microTime(now) };
}

/** The same record as far as a candidate's observation goes (upstream compares the raw record). */
export function sameRecord(a: LeaseSpec | undefined, b: LeaseSpec | undefined): boolean {
  return (
    a?.holderIdentity === b?.holderIdentity &&
    a?.renewTime === b?.renewTime &&
    a?.acquireTime === b?.acquireTime &&
    a?.leaseTransitions === b?.leaseTransitions &&
    a?.leaseDurationSeconds === b?.leaseDurationSeconds
  );
}
