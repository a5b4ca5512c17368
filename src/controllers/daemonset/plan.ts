// The DaemonSet planner: from the nodes and the DaemonSet's pods to the pods one sync creates and
// deletes, the events it records and the status it writes (pkg/controller/daemon
// daemon_controller.go manage, podsShouldBeOnNode, getUnscheduledPodsWithoutNode, syncNodes'
// burst limit and updateDaemonSetStatus; update.go rollingUpdate). Pure: the failed-pod back-off
// is read through the input and advanced by the reconciler.
//
// Target state: exactly one pod on every node that should run one (nodeShouldRunDaemonPod), none
// on nodes where a pod may not continue to run; under RollingUpdate every pod at the current
// revision, within the maxUnavailable / maxSurge budget. Failed and succeeded pods are deleted
// (failed ones at most at the back-off's pace) and recreated by a later sync; of several pods on
// a node the oldest is kept.
import type { KubeObject } from '../../api/meta/types.ts';
import { isAvailable, isReady } from '../statefulset/identity.ts';
import { nodeShouldRunDaemonPod, type Placement } from './placement.ts';
import { byAge, isFailed, isSucceeded, isTerminating, podsByNode } from './pods.ts';
import { allowsSurge, planRollingUpdate } from './rolling-update.ts';
import { computeStatus } from './status.ts';
import { dsSpec, dsStatus, HASH_LABEL, templateGeneration, type DaemonSetStatus } from './types.ts';

/** Pods created (and, separately, deleted) per sync at most (BurstReplicas). */
export const BURST_REPLICAS = 250;

export interface PlanInput {
  ds: KubeObject;
  nodes: readonly KubeObject[];
  /** The pods the DaemonSet manages (see claimPods). */
  pods: readonly KubeObject[];
  /** Hash of the current revision (its controller-revision-hash label). */
  hash: string;
  now: number;
  /**
   * False while earlier creates and deletes are not yet in the cache: only the status is
   * computed, and observedGeneration is left alone.
   */
  manage: boolean;
  /** When a failed pod on this back-off key may not be deleted yet, how long to wait (ms). */
  backoffDelay?: (key: string) => number | undefined;
  burst?: number;
}

export type DeleteReason = 'failed' | 'succeeded' | 'excess' | 'misscheduled' | 'no-node' | 'update';

export interface PlannedEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface Plan {
  /** Nodes to create a pod on, in order (slow-start batches). */
  creates: string[];
  deletes: { pod: KubeObject; reason: DeleteReason }[];
  /** Pods to create or delete that the burst limit held back for a later sync. */
  deferred: number;
  events: PlannedEvent[];
  /** Failed-pod back-off keys whose back-off the deletes advance. */
  backoff: string[];
  status: DaemonSetStatus;
  /** Sync again this long from now: a back-off ends, or a ready pod becomes available. */
  requeueAfterMs?: number;
  /** Whether the rolling update ran this sync (it waits for manage's writes to be observed). */
  rolled: boolean;
}

/** failedPodsBackoffKey: per DaemonSet uid, observed generation and node. */
export const backoffKey = (ds: KubeObject, node: string): string => `${ds.metadata.uid}/${dsStatus(ds).observedGeneration ?? 0}/${node}`;

export function placementsOf(ds: KubeObject, nodes: readonly KubeObject[]): Map<string, Placement> {
  return new Map(nodes.map((n) => [n.metadata.name!, nodeShouldRunDaemonPod(n, ds)] as const));
}

interface NodeWork {
  creates: string[];
  deletes: { pod: KubeObject; reason: DeleteReason }[];
}

/** podsShouldBeOnNode for one node. */
function nodeWork(ds: KubeObject, node: string, placement: Placement, pods: readonly KubeObject[] | undefined, input: PlanInput, out: NodeWork, plan: Plan): void {
  const { shouldRun, shouldContinueRunning } = placement;
  if (shouldRun && !pods) {
    out.creates.push(node);
    return;
  }
  if (!pods) return;
  if (!shouldContinueRunning) {
    for (const pod of pods) if (!isTerminating(pod)) out.deletes.push({ pod, reason: 'misscheduled' });
    return;
  }
  const running: KubeObject[] = [];
  const where = (pod: KubeObject) => `${pod.metadata.namespace}/${pod.metadata.name} on node ${node}`;
  for (const pod of pods) {
    if (isTerminating(pod)) continue;
    if (isFailed(pod)) {
      // The kubelet may keep rejecting the pod: deletes are paced by a back-off per node.
      const key = backoffKey(ds, node);
      const delay = input.backoffDelay?.(key);
      if (delay !== undefined) {
        plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? Infinity, delay);
        continue;
      }
      plan.backoff.push(key);
      plan.events.push({ type: 'Warning', reason: 'FailedDaemonPod', message: `Found failed daemon pod ${where(pod)}, will try to kill it` });
      out.deletes.push({ pod, reason: 'failed' });
    } else if (isSucceeded(pod)) {
      plan.events.push({ type: 'Normal', reason: 'SucceededDaemonPod', message: `Found succeeded daemon pod ${where(pod)}, will try to delete it` });
      out.deletes.push({ pod, reason: 'succeeded' });
    } else running.push(pod);
  }
  running.sort(byAge);
  if (!allowsSurge(ds)) {
    for (const pod of running.slice(1)) out.deletes.push({ pod, reason: 'excess' });
    return;
  }
  if (running.length <= 1) {
    if (running.length === 0 && shouldRun) out.creates.push(node);
    return;
  }
  // Surge: keep the oldest new pod and the oldest old pod; the old one goes when it is not ready
  // or once the new one is available.
  let oldestNew: KubeObject | undefined;
  let oldestOld: KubeObject | undefined;
  for (const pod of running) {
    const isNew = pod.metadata.labels?.[HASH_LABEL] === input.hash;
    if (isNew && !oldestNew) oldestNew = pod;
    else if (!isNew && !oldestOld) oldestOld = pod;
    else out.deletes.push({ pod, reason: 'excess' });
  }
  if (oldestNew && oldestOld && (!isReady(oldestOld) || isAvailable(oldestNew, dsSpec(ds).minReadySeconds ?? 0, input.now))) {
    out.deletes.push({ pod: oldestOld, reason: 'update' });
  }
}

export function planDaemonSet(input: PlanInput): Plan {
  const { ds, hash, now } = input;
  const burst = input.burst ?? BURST_REPLICAS;
  const placements = placementsOf(ds, input.nodes);
  const byNode = podsByNode(input.pods);
  const plan: Plan = { creates: [], deletes: [], deferred: 0, events: [], backoff: [], status: undefined!, rolled: false };

  if (input.manage) {
    const work: NodeWork = { creates: [], deletes: [] };
    for (const [node, placement] of placements) nodeWork(ds, node, placement, byNode.get(node), input, work, plan);
    // Unbound pods aimed at a node that is gone: nothing else would ever remove them.
    for (const [node, pods] of byNode) {
      if (placements.has(node)) continue;
      for (const pod of pods) if (!(pod.spec as { nodeName?: string } | undefined)?.nodeName) work.deletes.push({ pod, reason: 'no-node' });
    }
    if (work.creates.length || work.deletes.length) {
      plan.creates = work.creates.slice(0, burst);
      plan.deletes = work.deletes.slice(0, burst);
      plan.deferred = work.creates.length - plan.creates.length + work.deletes.length - plan.deletes.length;
    } else if (dsSpec(ds).updateStrategy?.type === 'RollingUpdate') {
      // Only once the cache shows everything manage asked for, as upstream's expectations.
      plan.rolled = true;
      const wanted = new Map<string, readonly KubeObject[]>(byNode);
      let desired = 0;
      for (const [node, p] of placements) {
        if (!p.shouldRun) continue;
        desired++;
        if (!wanted.has(node)) wanted.set(node, []);
      }
      const steps = planRollingUpdate({ ds, byNode: wanted, shouldRun: (n) => placements.get(n)?.shouldRun ?? false, desired, hash, generation: templateGeneration(ds), now });
      plan.creates = steps.creates.slice(0, burst);
      plan.deletes = steps.deletes.slice(0, burst).map((pod) => ({ pod, reason: 'update' as const }));
      plan.deferred = steps.creates.length - plan.creates.length + steps.deletes.length - plan.deletes.length;
    }
  }

  plan.status = computeStatus({ ds, placements, byNode, hash, now, observe: input.manage });
  const minReady = dsSpec(ds).minReadySeconds ?? 0;
  if (minReady > 0 && plan.status.numberReady !== plan.status.numberAvailable) plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? Infinity, minReady * 1000);
  return plan;
}
