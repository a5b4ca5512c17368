// DaemonSet status: the counters per node's oldest pod, whether the stored status needs a write,
// and the status as written (pkg/controller/daemon/daemon_controller.go updateDaemonSetStatus and
// storeDaemonSetStatus). Pure.
import type { KubeObject } from '../../api/meta/types.ts';
import { isAvailable, isReady } from '../statefulset/identity.ts';
import type { Placement } from './placement.ts';
import { byAge, isPodUpdated } from './pods.ts';
import { dsSpec, dsStatus, templateGeneration, type DaemonSetStatus } from './types.ts';

/** updateDaemonSetStatus's counters, per node's oldest pod. */
export function computeStatus(input: { ds: KubeObject; placements: ReadonlyMap<string, Placement>; byNode: ReadonlyMap<string, readonly KubeObject[]>; hash: string; now: number; observe: boolean }): DaemonSetStatus {
  const { ds, hash, now } = input;
  const minReady = dsSpec(ds).minReadySeconds ?? 0;
  const generation = templateGeneration(ds);
  const s = { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, numberAvailable: 0, updatedNumberScheduled: 0 };
  for (const [node, placement] of input.placements) {
    const pods = input.byNode.get(node) ?? [];
    if (!placement.shouldRun) {
      if (pods.length) s.numberMisscheduled++;
      continue;
    }
    s.desiredNumberScheduled++;
    if (!pods.length) continue;
    s.currentNumberScheduled++;
    const pod = [...pods].sort(byAge)[0]!;
    if (isReady(pod)) {
      s.numberReady++;
      if (isAvailable(pod, minReady, now)) s.numberAvailable++;
    }
    if (isPodUpdated(pod, hash, generation)) s.updatedNumberScheduled++;
  }
  const prev = dsStatus(ds);
  const status: DaemonSetStatus = { ...s, numberUnavailable: s.desiredNumberScheduled - s.numberAvailable };
  const observed = input.observe ? ds.metadata.generation : prev.observedGeneration;
  if (observed !== undefined) status.observedGeneration = observed;
  if (prev.collisionCount !== undefined) status.collisionCount = prev.collisionCount;
  return status;
}

const COUNTERS = ['desiredNumberScheduled', 'currentNumberScheduled', 'numberMisscheduled', 'numberReady', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable'] as const;

/**
 * A write is due when a counter differs, or when this sync observed a newer generation
 * (storeDaemonSetStatus). A status-only sync (expectations pending) writes only changed counters.
 */
export function statusNeedsWrite(ds: KubeObject, status: DaemonSetStatus): boolean {
  const s = dsStatus(ds);
  if (COUNTERS.some((k) => (status[k] ?? 0) !== (s[k] ?? 0))) return true;
  return (status.observedGeneration ?? 0) > (s.observedGeneration ?? 0);
}

/**
 * The status to store: the stored one (conditions and anything else the controller does not
 * own survive) with the counters replaced; optional zero counters left out, as Go's omitempty.
 */
export function wireStatus(ds: KubeObject, status: DaemonSetStatus): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(ds.status as Record<string, unknown> | undefined) };
  for (const k of COUNTERS) delete out[k];
  out.currentNumberScheduled = status.currentNumberScheduled;
  out.numberMisscheduled = status.numberMisscheduled;
  out.desiredNumberScheduled = status.desiredNumberScheduled;
  out.numberReady = status.numberReady;
  if (status.observedGeneration) out.observedGeneration = status.observedGeneration;
  for (const k of ['updatedNumberScheduled', 'numberAvailable', 'numberUnavailable'] as const) if (status[k]) out[k] = status[k];
  return out;
}
