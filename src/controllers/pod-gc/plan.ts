// What the pod garbage collector deletes on one pass (pkg/controller/podgc/gc_controller.go):
// terminated pods beyond the threshold, oldest first and evicted ones before others
// (gcTerminated); terminating pods on not-Ready nodes tainted out-of-service (gcTerminating);
// pods bound to a node that has been gone for the quarantine period (gcOrphaned, confirmed with a
// live read by the caller); terminating pods never bound (gcUnscheduledTerminating).
import type { KubeObject } from '../../api/meta/types.ts';

export const OUT_OF_SERVICE_TAINT_KEY = 'node.kubernetes.io/out-of-service';

export interface PodGcOptions {
  /** Terminated pods kept before the oldest go (upstream --terminated-pod-gc-threshold 12500; ≤ 0 disables). */
  terminatedThreshold: number;
  /** How long a node must be gone before its pods are deleted (upstream 40 s). */
  quarantineMs: number;
}

export type GcReason = 'terminated' | 'outOfService' | 'orphaned' | 'unscheduledTerminating';

export interface PodGcPlan {
  deletes: { pod: KubeObject; reason: GcReason }[];
  /** Missing node → when it was first seen missing; carry into the next pass. */
  missingSince: Map<string, number>;
  /** Nodes past quarantine whose pods are in deletes (the caller confirms the node is gone first). */
  orphanNodes: string[];
}

const phaseOf = (p: KubeObject) => (p.status as { phase?: string } | undefined)?.phase;
const nodeOf = (p: KubeObject) => (p.spec as { nodeName?: string } | undefined)?.nodeName ?? '';
export const isTerminated = (p: KubeObject) => phaseOf(p) === 'Succeeded' || phaseOf(p) === 'Failed';

function notReadyOutOfService(node: KubeObject | undefined): boolean {
  if (!node) return false;
  const ready = ((node.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === 'Ready');
  const taints = (node.spec as { taints?: { key: string }[] } | undefined)?.taints ?? [];
  return ready?.status !== 'True' && taints.some((t) => t.key === OUT_OF_SERVICE_TAINT_KEY);
}

/** Evicted pods first, then by creation time, then name (byEvictionAndCreationTimestamp). */
function oldestFirst(a: KubeObject, b: KubeObject): number {
  const ea = (a.status as { reason?: string } | undefined)?.reason === 'Evicted';
  const eb = (b.status as { reason?: string } | undefined)?.reason === 'Evicted';
  if (ea !== eb) return ea ? -1 : 1;
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
}

export function planPodGc(args: { pods: readonly KubeObject[]; nodes: ReadonlyMap<string, KubeObject>; missingSince: ReadonlyMap<string, number>; now: number; opts: PodGcOptions }): PodGcPlan {
  const { pods, nodes, now, opts } = args;
  const deletes: PodGcPlan['deletes'] = [];
  const chosen = new Set<KubeObject>();
  const add = (pod: KubeObject, reason: GcReason) => {
    if (chosen.has(pod)) return;
    chosen.add(pod);
    deletes.push({ pod, reason });
  };

  if (opts.terminatedThreshold > 0) {
    const terminated = pods.filter(isTerminated);
    const excess = terminated.length - opts.terminatedThreshold;
    if (excess > 0) for (const p of [...terminated].sort(oldestFirst).slice(0, excess)) add(p, 'terminated');
  }

  for (const p of pods) if (p.metadata.deletionTimestamp && nodeOf(p) && notReadyOutOfService(nodes.get(nodeOf(p)))) add(p, 'outOfService');

  const missingSince = new Map<string, number>();
  const orphanNodes: string[] = [];
  for (const p of pods) {
    const node = nodeOf(p);
    if (!node || nodes.has(node)) continue;
    if (!missingSince.has(node)) {
      const since = args.missingSince.get(node) ?? now;
      missingSince.set(node, since);
      if (now - since >= opts.quarantineMs) orphanNodes.push(node);
    }
    if (orphanNodes.includes(node)) add(p, 'orphaned');
  }

  for (const p of pods) if (p.metadata.deletionTimestamp && !nodeOf(p)) add(p, 'unscheduledTerminating');
  return { deletes, missingSince, orphanNodes };
}

/**
 * The status a pod is given before its deletion: Failed unless already terminal, and for orphans
 * the DisruptionTarget condition (markFailedAndDeletePodWithCondition). Undefined: no change.
 */
export function gcStatusPatch(pod: KubeObject, reason: GcReason, now: string): Record<string, unknown> | undefined {
  if (reason === 'terminated' || reason === 'unscheduledTerminating') return undefined;
  const status: Record<string, unknown> = {};
  if (!isTerminated(pod)) status.phase = 'Failed';
  if (reason === 'orphaned') {
    status.conditions = [{ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists', lastTransitionTime: now }];
  }
  return Object.keys(status).length ? { status } : undefined;
}
