// The parts of apps/v1 ReplicaSet and core/v1 Pod the ReplicaSet controller reads
// (k8s.io/api/apps/v1 types.go). Objects stay plain JSON (KubeObject); these accessors give them
// types without copying.
import type { LabelSelector } from '../../api/meta/labels.ts';
import type { KubeObject, OwnerReference } from '../../api/meta/types.ts';

/** Pod annotation ordering pods for deletion on scale-down (PodDeletionCost, beta and on). */
export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';
/** Pods created or deleted in one sync at most (upstream BurstReplicas). */
export const BURST_REPLICAS = 500;

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[]; [k: string]: unknown };
  spec?: Record<string, unknown>;
}

export interface ReplicaSetSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector?: LabelSelector;
  template?: PodTemplate;
}

export interface Condition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: Condition[];
}

export interface ContainerStatus {
  name: string;
  restartCount?: number;
}

export interface PodStatus {
  phase?: string;
  conditions?: { type: string; status: string; lastTransitionTime?: string }[];
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
}

export const rsSpec = (rs: KubeObject): ReplicaSetSpec => (rs.spec ?? {}) as ReplicaSetSpec;
export const rsStatus = (rs: KubeObject): Partial<ReplicaSetStatus> => (rs.status ?? {}) as Partial<ReplicaSetStatus>;
export const replicasOf = (rs: KubeObject): number => rsSpec(rs).replicas ?? 1;
export const podStatus = (pod: KubeObject): PodStatus => (pod.status ?? {}) as PodStatus;
export const nodeNameOf = (pod: KubeObject): string => ((pod.spec as { nodeName?: string } | undefined)?.nodeName ?? '');

export const controllerRefOf = (o: KubeObject): OwnerReference | undefined => o.metadata.ownerReferences?.find((r) => r.controller === true);

/** metav1.NewControllerRef for a ReplicaSet. */
export function rsControllerRef(rs: KubeObject): OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name!, uid: rs.metadata.uid!, controller: true, blockOwnerDeletion: true };
}
