// Which pods a ReplicaSet deletes first when it scales down (pkg/controller/controller_utils.go
// ActivePodsWithRanks.Less with LogarithmicScaleDown and PodDeletionCost on, as their defaults;
// pkg/controller/replicaset/replica_set.go getPodsToDelete and
// getPodsRankedByRelatedPodsOnSameNode; pkg/apis/core/helper GetDeletionCostFromPodAnnotations).
// Pure functions over plain objects.
import type { KubeObject } from '../../api/meta/types.ts';
import { nodeNameOf, podStatus, POD_DELETION_COST } from './types.ts';

/** Neither finished nor being deleted (controller.IsPodActive). */
export function isPodActive(pod: KubeObject): boolean {
  const phase = podStatus(pod).phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

const readyCondition = (pod: KubeObject) => podStatus(pod).conditions?.find((c) => c.type === 'Ready');
export const isPodReady = (pod: KubeObject): boolean => readyCondition(pod)?.status === 'True';

/** Ready for longer than minReadySeconds (podutil.IsPodAvailable). */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds === 0) return true;
  const since = Date.parse(readyCondition(pod)?.lastTransitionTime ?? '');
  return Number.isFinite(since) && since + minReadySeconds * 1000 < now;
}

/** The pod-deletion-cost annotation; 0 when absent or invalid (no `+`, no leading zeros, int32). */
export function deletionCost(pod: KubeObject): number {
  const v = pod.metadata.annotations?.[POD_DELETION_COST];
  if (v === undefined || !/^(0|-[0-9]+|[1-9][0-9]*)$/.test(v)) return 0;
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 ? n : 0;
}

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const phaseOrder = (pod: KubeObject) => PHASE_ORDER[podStatus(pod).phase ?? ''] ?? 0;

const timeOf = (s: string | undefined): number | undefined => {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : undefined;
};

/** afterOrZero: a missing time sorts first, then the later time. */
function afterOrZero(a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return a === undefined;
  return a > b;
}

/** The base-2 logarithm of each age in nanoseconds, truncated; -1 for a time not in the past. */
export function logarithmicRankDiff(a: number, b: number, now: number): number {
  const rank = (t: number) => {
    const ns = (now - t) * 1e6;
    return ns > 0 ? Math.trunc(Math.log2(ns)) : -1;
  };
  return rank(a) - rank(b);
}

/** Highest restart count of regular containers, then of sidecars (maxContainerRestarts). */
function maxRestarts(pod: KubeObject): [number, number] {
  const st = podStatus(pod);
  let regular = 0;
  for (const c of st.containerStatuses ?? []) regular = Math.max(regular, c.restartCount ?? 0);
  const sidecars = new Set(((pod.spec as { initContainers?: { name: string; restartPolicy?: string }[] } | undefined)?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  let sidecar = 0;
  for (const c of st.initContainerStatuses ?? []) if (sidecars.has(c.name)) sidecar = Math.max(sidecar, c.restartCount ?? 0);
  return [regular, sidecar];
}

export interface RankedPod {
  pod: KubeObject;
  /** Related pods on the same node (more: deleted first). */
  rank: number;
}

/**
 * True when a should be deleted before b (ActivePodsWithRanks.Less): unscheduled before
 * scheduled; Pending before Unknown before Running; not ready before ready; lower deletion cost;
 * more related pods on its node; ready for less time (in log2 buckets); more restarts; newer
 * (in log2 buckets); within a bucket the lower uid.
 */
export function deleteBefore(a: RankedPod, b: RankedPod, now: number): boolean {
  const pa = a.pod;
  const pb = b.pod;
  const na = nodeNameOf(pa);
  const nb = nodeNameOf(pb);
  if (na !== nb && (na === '' || nb === '')) return na === '';
  if (phaseOrder(pa) !== phaseOrder(pb)) return phaseOrder(pa) < phaseOrder(pb);
  const ra = isPodReady(pa);
  const rb = isPodReady(pb);
  if (ra !== rb) return !ra;
  const ca = deletionCost(pa);
  const cb = deletionCost(pb);
  if (ca !== cb) return ca < cb;
  if (a.rank !== b.rank) return a.rank > b.rank;
  const uidLess = () => (pa.metadata.uid ?? '') < (pb.metadata.uid ?? '');
  if (ra && rb) {
    const ta = timeOf(readyCondition(pa)?.lastTransitionTime);
    const tb = timeOf(readyCondition(pb)?.lastTransitionTime);
    if (ta !== tb) {
      if (ta === undefined || tb === undefined) return afterOrZero(ta, tb);
      const d = logarithmicRankDiff(ta, tb, now);
      return d === 0 ? uidLess() : d < 0;
    }
  }
  const [rega, sidea] = maxRestarts(pa);
  const [regb, sideb] = maxRestarts(pb);
  if (rega !== regb) return rega > regb;
  if (sidea !== sideb) return sidea > sideb;
  const ta = timeOf(pa.metadata.creationTimestamp);
  const tb = timeOf(pb.metadata.creationTimestamp);
  if (ta !== tb) {
    if (ta === undefined || tb === undefined) return afterOrZero(ta, tb);
    const d = logarithmicRankDiff(ta, tb, now);
    return d === 0 ? uidLess() : d < 0;
  }
  return false;
}

/**
 * The diff pods to delete (getPodsToDelete): when some are kept, pods are ranked by how many
 * related pods (active pods of the ReplicaSets sharing this one's owner) run on their node, then
 * ordered by deleteBefore; otherwise all go.
 */
export function podsToDelete(pods: readonly KubeObject[], related: readonly KubeObject[], diff: number, now: number): KubeObject[] {
  if (diff >= pods.length) return [...pods];
  const onNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p)) continue;
    const n = nodeNameOf(p);
    onNode.set(n, (onNode.get(n) ?? 0) + 1);
  }
  const ranked: RankedPod[] = pods.map((pod) => ({ pod, rank: onNode.get(nodeNameOf(pod)) ?? 0 }));
  ranked.sort((a, b) => (deleteBefore(a, b, now) ? -1 : deleteBefore(b, a, now) ? 1 : 0));
  return ranked.slice(0, diff).map((r) => r.pod);
}
