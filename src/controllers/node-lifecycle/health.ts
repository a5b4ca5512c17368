// Node health from heartbeats (pkg/controller/nodelifecycle node_lifecycle_controller.go
// tryUpdateNodeHealth). The probe timestamp is when this controller last *saw* the Ready
// heartbeat or the Lease renew time change, on its own clock, so a restarted control plane gives
// every node a full grace period instead of trusting old timestamps.
import type { KubeObject } from '../../api/meta/types.ts';
import { rfc3339 } from '../../util/clock.ts';
import { conditionOf, conditionsOf, type Condition } from './tolerations.ts';

export interface NodeHealth {
  /** ms: last time a heartbeat (Ready lastHeartbeatTime or lease renewTime) was seen to change. */
  probeTimestamp: number;
  /** ms: last time the Ready condition was seen to transition. */
  readyTransitionTimestamp: number;
  /** The Ready condition as last seen (undefined: none yet). */
  ready?: Condition;
  leaseRenewTime?: string;
}

export interface HealthOptions {
  /** Silence before a posting node is marked Unknown (upstream --node-monitor-grace-period). */
  gracePeriodMs: number;
  /** Silence allowed to a node that never posted Ready (upstream --node-startup-grace-period 60 s). */
  startupGracePeriodMs: number;
}

export interface HealthResult {
  health: NodeHealth;
  /** Ready status before this check ('Unknown' when the node never posted one). */
  observedReady: string;
  /** Ready status after it (undefined when the node has no Ready condition and none was added). */
  currentReady?: string;
  /** New status.conditions to write, when the node is stale and something changed. */
  conditions?: Condition[];
}

const STALE_TYPES = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

const ms = (t: string | undefined) => (t ? Date.parse(t) : NaN);

/**
 * One health check of a node. Converges to: a node whose heartbeat has not changed for the grace
 * period has Ready, MemoryPressure, DiskPressure and PIDPressure Unknown (reason NodeStatusUnknown;
 * missing ones added with NodeStatusNeverUpdated). NetworkUnavailable is left alone, as upstream.
 */
export function checkNodeHealth(node: KubeObject, lease: KubeObject | undefined, saved: NodeHealth | undefined, now: number, opts: HealthOptions): HealthResult {
  const current = conditionOf(node, 'Ready');
  const created = ms(node.metadata.creationTimestamp);
  const createdAt = Number.isNaN(created) ? now : created;
  let grace = opts.gracePeriodMs;
  let health: NodeHealth;
  if (!current) {
    grace = opts.startupGracePeriodMs;
    health = saved ? { ...saved, ready: undefined } : { probeTimestamp: createdAt, readyTransitionTimestamp: createdAt };
  } else if (!saved || !saved.ready) {
    health = { probeTimestamp: now, readyTransitionTimestamp: now, ready: current, leaseRenewTime: saved?.leaseRenewTime };
  } else if (saved.ready.lastHeartbeatTime !== current.lastHeartbeatTime) {
    const transitioned = saved.ready.lastTransitionTime !== current.lastTransitionTime;
    health = { ...saved, probeTimestamp: now, readyTransitionTimestamp: transitioned ? now : saved.readyTransitionTimestamp, ready: current };
  } else {
    health = { ...saved, ready: current };
  }
  const renew = (lease?.spec as { renewTime?: string } | undefined)?.renewTime;
  if (renew && (!health.leaseRenewTime || ms(renew) > ms(health.leaseRenewTime))) {
    health = { ...health, leaseRenewTime: renew, probeTimestamp: now };
  }
  const observedReady = current?.status ?? 'Unknown';
  if (now <= health.probeTimestamp + grace) return { health, observedReady, currentReady: current?.status };

  const stamp = rfc3339(now);
  const conditions = conditionsOf(node).map((c) => ({ ...c }));
  for (const type of STALE_TYPES) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata.creationTimestamp,
        lastTransitionTime: stamp,
      });
    } else if (c.status !== 'Unknown') {
      Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: stamp });
    }
  }
  const after = conditions.find((c) => c.type === 'Ready')!;
  // Upstream writes only when Ready itself changed; the other conditions ride along.
  if (current && after.status === current.status && after.reason === current.reason) return { health, observedReady, currentReady: current.status };
  return { health: { ...health, readyTransitionTimestamp: now, ready: after }, observedReady, currentReady: after.status, conditions };
}
