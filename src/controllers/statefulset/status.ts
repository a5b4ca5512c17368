// StatefulSet status: counting pods, finishing a rolling update, and whether the stored status
// needs a write (pkg/controller/statefulset/stateful_set_control.go computeReplicaStatus and
// updateStatefulSetStatus; stateful_set_utils.go completeRollingUpdate, inconsistentStatus).
import type { KubeObject } from '../../api/meta/types.ts';
import { isAvailable, isCreated, isRunningAndReady, isTerminating, revisionOf } from './identity.ts';
import { setSpec, setStatus, type StatefulSetStatus } from './types.ts';

export interface Counts {
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
}

/** Counts over created pods (placeholders for pods not yet created do not count). */
export function countPods(pods: Iterable<KubeObject>, minReadySeconds: number, now: number, currentRevision: string, updateRevision: string): Counts {
  const c: Counts = { replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 };
  for (const pod of pods) {
    if (isCreated(pod)) c.replicas++;
    if (isRunningAndReady(pod)) {
      c.readyReplicas++;
      if (isAvailable(pod, minReadySeconds, now)) c.availableReplicas++;
    }
    if (isCreated(pod) && !isTerminating(pod)) {
      const rev = revisionOf(pod);
      if (rev === currentRevision) c.currentReplicas++;
      if (rev === updateRevision) c.updatedReplicas++;
    }
  }
  return c;
}

/**
 * A rolling update is complete when every wanted replica exists, is ready and is at the update
 * revision: the update revision becomes current (completeRollingUpdate). Never under OnDelete.
 */
export function completeRollingUpdate(set: KubeObject, status: StatefulSetStatus): void {
  const want = setSpec(set).replicas ?? 1;
  if (setSpec(set).updateStrategy?.type === 'RollingUpdate' && status.updatedReplicas === want && status.readyReplicas === want && status.replicas === want) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
}

/** The stored status differs from the computed one in a field the controller owns (inconsistentStatus). */
export function statusNeedsWrite(set: KubeObject, status: StatefulSetStatus): boolean {
  const s = setStatus(set);
  const n = (v: number | undefined) => v ?? 0;
  return (
    n(status.observedGeneration) > n(s.observedGeneration) ||
    status.replicas !== n(s.replicas) ||
    n(status.currentReplicas) !== n(s.currentReplicas) ||
    n(status.readyReplicas) !== n(s.readyReplicas) ||
    n(status.updatedReplicas) !== n(s.updatedReplicas) ||
    (status.currentRevision ?? '') !== (s.currentRevision ?? '') ||
    n(status.availableReplicas) !== n(s.availableReplicas) ||
    (status.updateRevision ?? '') !== (s.updateRevision ?? '') ||
    // The collision count is carried in status; a bump must be stored even when nothing else moved.
    n(status.collisionCount) !== n(s.collisionCount)
  );
}

/** The status as upstream serialises it: zero counters with omitempty are left out. */
export function wireStatus(status: StatefulSetStatus): StatefulSetStatus {
  const out: StatefulSetStatus = { replicas: status.replicas };
  if (status.observedGeneration) out.observedGeneration = status.observedGeneration;
  if (status.readyReplicas) out.readyReplicas = status.readyReplicas;
  if (status.currentReplicas) out.currentReplicas = status.currentReplicas;
  if (status.updatedReplicas) out.updatedReplicas = status.updatedReplicas;
  if (status.currentRevision) out.currentRevision = status.currentRevision;
  if (status.updateRevision) out.updateRevision = status.updateRevision;
  out.collisionCount = status.collisionCount ?? 0;
  out.availableReplicas = status.availableReplicas ?? 0;
  return out;
}
