// The parts of apps/v1 StatefulSet, core/v1 Pod and PersistentVolumeClaim the controller reads,
// and the well-known label names (k8s.io/api/apps/v1 types.go). Objects stay plain JSON
// (KubeObject); these accessors give them types without copying.
import type { LabelSelector } from '../../api/meta/labels.ts';
import type { KubeObject, OwnerReference } from '../../api/meta/types.ts';

/** Pod label naming the pod (StatefulSetPodNameLabel). */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
/** Pod label carrying the ordinal (PodIndexLabel). */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
/** Pod label naming the pod's ControllerRevision (StatefulSetRevisionLabel). */
export const REVISION_LABEL = 'controller-revision-hash';
/** ControllerRevision label carrying the hash (history.ControllerRevisionHashLabel). */
export const HASH_LABEL = 'controller.kubernetes.io/hash';

export type RetentionPolicyType = 'Retain' | 'Delete';

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[]; [k: string]: unknown };
  spec?: PodSpec;
}

export interface Volume {
  name: string;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  [k: string]: unknown;
}

export interface PodSpec {
  hostname?: string;
  subdomain?: string;
  volumes?: Volume[];
  containers?: { name: string; [k: string]: unknown }[];
  [k: string]: unknown;
}

export interface StatefulSetSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplate;
  volumeClaimTemplates?: KubeObject[];
  serviceName?: string;
  podManagementPolicy?: 'OrderedReady' | 'Parallel';
  updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { partition?: number; maxUnavailable?: number | string } | null };
  revisionHistoryLimit?: number;
  minReadySeconds?: number;
  persistentVolumeClaimRetentionPolicy?: { whenDeleted?: RetentionPolicyType; whenScaled?: RetentionPolicyType };
  ordinals?: { start?: number } | null;
}

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
  conditions?: unknown[];
}

export interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
}

export interface PodStatus {
  phase?: string;
  conditions?: PodCondition[];
}

export const setSpec = (set: KubeObject): StatefulSetSpec => (set.spec ?? {}) as StatefulSetSpec;
export const setStatus = (set: KubeObject): Partial<StatefulSetStatus> => (set.status ?? {}) as Partial<StatefulSetStatus>;
export const podSpec = (pod: KubeObject): PodSpec => (pod.spec ?? {}) as PodSpec;
export const podStatus = (pod: KubeObject): PodStatus => (pod.status ?? {}) as PodStatus;

export const controllerRefOf = (o: KubeObject): OwnerReference | undefined => o.metadata.ownerReferences?.find((r) => r.controller === true);

/** The controller reference a StatefulSet puts on what it creates (metav1.NewControllerRef). */
export function setControllerRef(set: KubeObject): OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', name: set.metadata.name!, uid: set.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

export function podControllerRef(pod: KubeObject): OwnerReference {
  return { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name!, uid: pod.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}
