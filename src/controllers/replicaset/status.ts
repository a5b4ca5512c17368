// ReplicaSet status from the pods it manages and how managing them went
// (pkg/controller/replicaset/replica_set_utils.go calculateStatus, updateReplicaSetStatus,
// NewReplicaSetCondition, SetCondition and RemoveCondition).
import { matches, fromLabelSelector } from '../../api/meta/labels.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import { semanticEqual } from '../../api/validation/json.ts';
import { rfc3339 } from '../../util/clock.ts';
import { isPodAvailable, isPodReady } from './rank.ts';
import { replicasOf, rsSpec, rsStatus, type Condition, type ReplicaSetStatus } from './types.ts';

export const REPLICA_FAILURE = 'ReplicaFailure';

/**
 * The counts over the managed pods, and the ReplicaFailure condition: set (FailedCreate or
 * FailedDelete, with the error) when managing failed and none is recorded, removed once
 * managing succeeds; an existing one is otherwise left as it is.
 */
export function calculateStatus(rs: KubeObject, pods: readonly KubeObject[], manageError: unknown, now: number): ReplicaSetStatus {
  const old = rsStatus(rs);
  const templateLabels = fromLabelSelector({ matchLabels: rsSpec(rs).template?.metadata?.labels ?? {} });
  const minReady = rsSpec(rs).minReadySeconds ?? 0;
  let fully = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (matches(templateLabels, pod.metadata.labels)) fully++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, now)) available++;
    }
  }
  let conditions: Condition[] = [...(old.conditions ?? [])];
  const failure = conditions.find((c) => c.type === REPLICA_FAILURE);
  if (manageError !== undefined && !failure) {
    const diff = pods.length - replicasOf(rs);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    const message = manageError instanceof Error ? manageError.message : String(manageError);
    conditions.push({ type: REPLICA_FAILURE, status: 'True', lastTransitionTime: rfc3339(now), reason, message });
  } else if (manageError === undefined && failure) {
    conditions = conditions.filter((c) => c.type !== REPLICA_FAILURE);
  }
  const status: ReplicaSetStatus = { replicas: pods.length, fullyLabeledReplicas: fully, readyReplicas: ready, availableReplicas: available, observedGeneration: old.observedGeneration ?? 0 };
  if (conditions.length) status.conditions = conditions;
  return status;
}

/** Whether the stored status must be written (updateReplicaSetStatus's early return, inverted). */
export function statusNeedsWrite(rs: KubeObject, status: ReplicaSetStatus): boolean {
  const s = rsStatus(rs);
  const n = (v: number | undefined) => v ?? 0;
  return !(
    n(s.replicas) === status.replicas &&
    n(s.fullyLabeledReplicas) === n(status.fullyLabeledReplicas) &&
    n(s.readyReplicas) === n(status.readyReplicas) &&
    n(s.availableReplicas) === n(status.availableReplicas) &&
    n(rs.metadata.generation) === n(s.observedGeneration) &&
    semanticEqual(s.conditions ?? [], status.conditions ?? [])
  );
}

/** The status as written: observedGeneration is the set's generation; zero counters with omitempty are left out. */
export function wireStatus(rs: KubeObject, status: ReplicaSetStatus): ReplicaSetStatus {
  const out: ReplicaSetStatus = { replicas: status.replicas };
  if (status.fullyLabeledReplicas) out.fullyLabeledReplicas = status.fullyLabeledReplicas;
  if (status.readyReplicas) out.readyReplicas = status.readyReplicas;
  if (status.availableReplicas) out.availableReplicas = status.availableReplicas;
  if (rs.metadata.generation) out.observedGeneration = rs.metadata.generation;
  if (status.conditions?.length) out.conditions = status.conditions;
  return out;
}
