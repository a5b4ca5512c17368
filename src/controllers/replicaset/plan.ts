// What one sync of a ReplicaSet does (pkg/controller/replicaset/replica_set.go syncReplicaSet,
// claimPods and manageReplicas; pkg/controller/controller_utils.go FilterActivePods and
// GetPodFromTemplate; controller_ref_manager.go ClaimPods): a pure function from the set and the
// pods in its namespace to the pods it claims, adopts and releases, how many pods to create and
// which to delete. Status is computed afterwards from the outcome (status.ts).
import { matches, type Selector } from '../../api/meta/labels.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import { isPodActive, podsToDelete } from './rank.ts';
import { BURST_REPLICAS, controllerRefOf, replicasOf, rsControllerRef, rsSpec } from './types.ts';

export interface PlanInput {
  rs: KubeObject;
  selector: Selector;
  /** Every pod in the set's namespace (the lister's view). */
  pods: readonly KubeObject[];
  /** Pods of the ReplicaSets sharing this one's controller: more of them on a node ranks its pods for deletion first. */
  related?: readonly KubeObject[];
  /** The caches show this set's last writes (expectations met): replicas may be managed. */
  synced: boolean;
  now: number;
  burst?: number;
}

export interface Plan {
  /** Active pods the set manages after adoption and release: what status counts. */
  pods: KubeObject[];
  adopt: KubeObject[];
  release: KubeObject[];
  /** Pods to create from the template (in slow-start batches). */
  create: number;
  delete: KubeObject[];
}

/**
 * Which active pods the set manages (ClaimPods): owned pods matching the selector are kept, owned
 * pods that no longer match are released, matching orphans are adopted; while the set is being
 * deleted nothing is adopted or released. Pods controlled by others are ignored.
 */
export function claimPods(rs: KubeObject, selector: Selector, active: readonly KubeObject[]): Pick<Plan, 'pods' | 'adopt' | 'release'> {
  const out: Pick<Plan, 'pods' | 'adopt' | 'release'> = { pods: [], adopt: [], release: [] };
  const deleting = !!rs.metadata.deletionTimestamp;
  for (const pod of active) {
    const match = matches(selector, pod.metadata.labels);
    const ref = controllerRefOf(pod);
    if (ref) {
      if (ref.uid !== rs.metadata.uid) continue;
      if (match) out.pods.push(pod);
      else if (!deleting) out.release.push(pod);
      continue;
    }
    if (!match || deleting) continue;
    out.adopt.push(pod);
    out.pods.push(pod);
  }
  return out;
}

/**
 * The set converges on spec.replicas active pods: too few and up to `burst` are created; too many
 * and up to `burst` are deleted, the ones ranked first by deleteBefore. Nothing is managed while
 * earlier writes are unseen or the set is being deleted.
 */
export function planReplicaSet(input: PlanInput): Plan {
  const { rs } = input;
  const active = input.pods.filter(isPodActive);
  const claimed = claimPods(rs, input.selector, active);
  const plan: Plan = { ...claimed, create: 0, delete: [] };
  if (!input.synced || rs.metadata.deletionTimestamp) return plan;
  const burst = input.burst ?? BURST_REPLICAS;
  const diff = claimed.pods.length - replicasOf(rs);
  if (diff < 0) plan.create = Math.min(-diff, burst);
  else if (diff > 0) plan.delete = podsToDelete(claimed.pods, input.related ?? [], Math.min(diff, burst), input.now);
  return plan;
}

/** The pod a set creates (GetPodFromTemplate): template labels, annotations, finalizers and spec, `<set>-` plus a generated suffix. */
export function podFromTemplate(rs: KubeObject): KubeObject {
  const t = rsSpec(rs).template ?? {};
  const tm = t.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${rs.metadata.name}-`,
      namespace: rs.metadata.namespace,
      labels: { ...(tm.labels ?? {}) },
      ...(tm.annotations ? { annotations: { ...tm.annotations } } : {}),
      ...(tm.finalizers ? { finalizers: [...tm.finalizers] } : {}),
      ownerReferences: [rsControllerRef(rs)],
    },
    spec: structuredClone(t.spec ?? {}),
  };
}

/**
 * Runs fn count times in batches of 1, 2, 4, … (slowStartBatch): a batch runs at once, the next
 * starts only when the whole batch succeeded, so a template the server refuses costs one call, not
 * hundreds. Resolves to the successes and the first error, if any.
 */
export async function slowStartBatch(count: number, initial: number, fn: () => Promise<void>): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initial); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += batch - failed.length;
    if (failed.length) return { successes, error: failed[0]!.reason };
    remaining -= batch;
  }
  return { successes };
}
