import { describe, expect, it } from 'vitest';
import { decide, microTime, released, type LeaseSpec } from './plan.ts';

const T0 = Date.UTC(2026, 0, 1);
const cfg = { identity: 'b', leaseDurationSeconds: 15 };
const heldBy = (holder: string, extra: Partial<LeaseSpec> = {}): LeaseSpec => ({
  holderIdentity: holder,
  leaseDurationSeconds: 15,
  acquireTime: microTime(T0),
  renewTime: microTime(T0),
  leaseTransitions: 3,
  ...extra,
});

describe('decide', () => {
  it.each([
    { name: 'no lease: create it, holding it', lease: undefined, observedAt: T0, now: T0, want: { action: 'create', holder: 'b', transitions: 0 } },
    { name: 'held by another, seen changing 14 s ago: wait', lease: heldBy('a'), observedAt: T0, now: T0 + 14_000, want: { action: 'wait' } },
    { name: 'held by another, unchanged for 15 s: take over', lease: heldBy('a'), observedAt: T0, now: T0 + 15_000, want: { action: 'update', holder: 'b', transitions: 4, takeover: true } },
    // Another's renewTime far in the past means nothing until this candidate has watched it stand still.
    { name: 'stale renewTime but only just observed: wait', lease: heldBy('a', { renewTime: microTime(T0 - 3_600_000) }), observedAt: T0, now: T0 + 1, want: { action: 'wait' } },
    { name: "holder's own shorter duration bounds it", lease: heldBy('a', { leaseDurationSeconds: 1 }), observedAt: T0, now: T0 + 1_000, want: { action: 'update', holder: 'b', transitions: 4, takeover: true } },
    { name: 'released (no holder): take over at once', lease: heldBy(''), observedAt: T0, now: T0, want: { action: 'update', holder: 'b', transitions: 4, takeover: true } },
    { name: 'held by me: renew, keeping acquireTime and transitions', lease: heldBy('b'), observedAt: T0, now: T0 + 60_000, want: { action: 'update', holder: 'b', transitions: 3, takeover: false, acquireTime: microTime(T0) } },
  ])('$name', ({ lease, observedAt, now, want }) => {
    const d = decide(lease, observedAt, now, cfg);
    expect(d.action).toBe(want.action);
    if (d.action === 'wait') return;
    expect(d.spec.holderIdentity).toBe(want.holder);
    expect(d.spec.leaseTransitions).toBe(want.transitions);
    expect(d.spec.renewTime).toBe(microTime(now));
    expect(d.spec.leaseDurationSeconds).toBe(15);
    if (d.action === 'update') expect(d.takeover).toBe(want.takeover);
    if ('acquireTime' in want) expect(d.spec.acquireTime).toBe(want.acquireTime);
    else expect(d.spec.acquireTime).toBe(microTime(now));
  });
});

describe('released', () => {
  it('clears the holder and shortens the lease so the next candidate takes over at once', () => {
    const r = released(heldBy('b'), T0 + 5_000);
    expect(r.holderIdentity).toBe('');
    expect(r.leaseDurationSeconds).toBe(1);
    expect(decide(r, T0 + 5_000, T0 + 5_000, { identity: 'a', leaseDurationSeconds: 15 }).action).toBe('update');
  });
});

describe('microTime', () => {
  it('has microsecond precision as metav1.MicroTime', () => {
    expect(microTime(Date.UTC(2026, 0, 1, 0, 0, 0, 123))).toBe('2026-01-01T00:00:00.123000Z');
  });
});
