import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { rfc3339 } from '../../util/clock.ts';
import { checkNodeHealth, type NodeHealth } from './health.ts';

const T0 = Date.UTC(2026, 0, 1);
const GRACE = 40_000;
const opts = { gracePeriodMs: GRACE, startupGracePeriodMs: 60_000 };
const node = (conditions: Record<string, unknown>[] | undefined): KubeObject => ({
  metadata: { name: 'n', creationTimestamp: rfc3339(T0) },
  status: conditions ? { conditions } : {},
});
const ready = (heartbeat: number, status = 'True') => ({ type: 'Ready', status, reason: 'KubeletReady', lastHeartbeatTime: rfc3339(heartbeat), lastTransitionTime: rfc3339(T0) });
const lease = (renew: number): KubeObject => ({ metadata: { name: 'n' }, spec: { renewTime: new Date(renew).toISOString() } });
const saved = (probe: number, cond = ready(T0)): NodeHealth => ({ probeTimestamp: probe, readyTransitionTimestamp: T0, ready: cond });

describe('checkNodeHealth', () => {
  it('first sight starts the grace period now, whatever the timestamps say', () => {
    const r = checkNodeHealth(node([ready(T0)]), undefined, undefined, T0 + 600_000, opts);
    expect(r.health.probeTimestamp).toBe(T0 + 600_000);
    expect(r.conditions).toBeUndefined();
  });

  const cases: { name: string; node: KubeObject; lease?: KubeObject; saved: NodeHealth; now: number; stale: boolean; probe: number }[] = [
    { name: 'silent within grace', node: node([ready(T0)]), saved: saved(T0), now: T0 + GRACE, stale: false, probe: T0 },
    { name: 'silent past grace', node: node([ready(T0)]), saved: saved(T0), now: T0 + GRACE + 1, stale: true, probe: T0 },
    { name: 'a new Ready heartbeat refreshes', node: node([ready(T0 + 30_000)]), saved: saved(T0), now: T0 + GRACE + 1, stale: false, probe: T0 + GRACE + 1 },
    { name: 'a renewed lease refreshes', node: node([ready(T0)]), lease: lease(T0 + 30_000), saved: { ...saved(T0), leaseRenewTime: new Date(T0).toISOString() }, now: T0 + GRACE + 1, stale: false, probe: T0 + GRACE + 1 },
    { name: 'the same lease does not', node: node([ready(T0)]), lease: lease(T0), saved: { ...saved(T0), leaseRenewTime: new Date(T0).toISOString() }, now: T0 + GRACE + 1, stale: true, probe: T0 },
    { name: 'never posted: startup grace from creation', node: node(undefined), saved: undefined as unknown as NodeHealth, now: T0 + 60_001, stale: true, probe: T0 },
    { name: 'never posted, within startup grace', node: node(undefined), saved: undefined as unknown as NodeHealth, now: T0 + 50_000, stale: false, probe: T0 },
  ];
  it.each(cases)('$name', (c) => {
    const r = checkNodeHealth(c.node, c.lease, c.saved, c.now, opts);
    expect(r.health.probeTimestamp).toBe(c.probe);
    expect(!!r.conditions).toBe(c.stale);
  });

  it('a stale node gets Unknown conditions with upstream reasons, NetworkUnavailable untouched', () => {
    const conds = [ready(T0), { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: rfc3339(T0) }, { type: 'NetworkUnavailable', status: 'False' }];
    const now = T0 + GRACE + 1000;
    const r = checkNodeHealth(node(conds), undefined, saved(T0), now, opts);
    expect(r.observedReady).toBe('True');
    expect(r.currentReady).toBe('Unknown');
    const by = Object.fromEntries(r.conditions!.map((c) => [c.type, c]));
    expect(by.Ready).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: rfc3339(T0), lastTransitionTime: rfc3339(now) });
    expect(by.MemoryPressure).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown' });
    expect(by.DiskPressure).toMatchObject({ status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.' });
    expect(by.NetworkUnavailable).toEqual({ type: 'NetworkUnavailable', status: 'False' });
    // Written once: the next check with the written node changes nothing.
    const again = checkNodeHealth(node(r.conditions as unknown as Record<string, unknown>[]), undefined, r.health, now + 5000, opts);
    expect(again.conditions).toBeUndefined();
    expect(again.observedReady).toBe('Unknown');
  });
});
