// The parts of apps/v1 Deployment the Deployment controller reads, and the well-known label and
// annotation names (k8s.io/api/apps/v1 types.go; pkg/controller/deployment/util
// deployment_util.go). Objects stay plain JSON (KubeObject); these accessors give them types
// without copying.
import type { LabelSelector } from '../../api/meta/labels.ts';
import type { KubeObject, OwnerReference } from '../../api/meta/types.ts';
import type { Condition, PodTemplate } from '../replicaset/types.ts';

/** Label on a Deployment's ReplicaSets and pods naming their template (DefaultDeploymentUniqueLabelKey). */
export const HASH_LABEL = 'pod-template-hash';
/** A ReplicaSet's place in the rollout sequence, copied to the Deployment. */
export const REVISION = 'deployment.kubernetes.io/revision';
/** The older revisions a ReplicaSet served (rollbacks to it). */
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
/** spec.replicas of the Deployment when the ReplicaSet was last scaled. */
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
/** spec.replicas + maxSurge then: the base of proportional scaling. */
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
/** The rollback request of extensions/v1beta1 kept as an annotation in apps/v1 (DeprecatedRollbackTo). */
export const ROLLBACK_TO = 'deprecated.deployment.rollback.to';
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** Revision history annotation length limit (maxRevHistoryLengthInChars). */
export const MAX_REVISION_HISTORY_CHARS = 2000;
/** progressDeadlineSeconds meaning "no deadline" (math.MaxInt32). */
export const MAX_INT32 = 2 ** 31 - 1;

export type IntOrString = number | string;

export interface DeploymentSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplate;
  strategy?: { type?: 'RollingUpdate' | 'Recreate'; rollingUpdate?: { maxSurge?: IntOrString; maxUnavailable?: IntOrString } | null };
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
  progressDeadlineSeconds?: number;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: Condition[];
  collisionCount?: number;
}

export const dSpec = (d: KubeObject): DeploymentSpec => (d.spec ?? {}) as DeploymentSpec;
export const dStatus = (d: KubeObject): DeploymentStatus => (d.status ?? {}) as DeploymentStatus;
export const dReplicas = (d: KubeObject): number => dSpec(d).replicas ?? 1;

/** metav1.NewControllerRef for a Deployment. */
export function deploymentControllerRef(d: KubeObject): OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name!, uid: d.metadata.uid!, controller: true, blockOwnerDeletion: true };
}
