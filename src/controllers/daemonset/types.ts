// The parts of apps/v1 DaemonSet and core/v1 Pod and Node the DaemonSet controller reads, and the
// well-known label names (k8s.io/api/apps/v1 types.go, k8s.io/api/extensions/v1beta1 types.go).
// Objects stay plain JSON (KubeObject); these accessors give them types without copying.
import type { LabelSelector } from '../../api/meta/labels.ts';
import type { KubeObject, OwnerReference } from '../../api/meta/types.ts';
import type { Taint, Toleration } from '../node-lifecycle/tolerations.ts';
import type { NodeSelectorTerm } from '../../scheduler/types.ts';

import { TEMPLATE_GENERATION_ANNOTATION } from '../../api/apps/well-known.ts';

export { TEMPLATE_GENERATION_ANNOTATION };

/** Pod and ControllerRevision label carrying the revision's hash (DefaultDaemonSetUniqueLabelKey). */
export const HASH_LABEL = 'controller-revision-hash';
/** Deprecated pod label carrying the template generation (DaemonSetTemplateGenerationKey). */
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

export type IntOrString = number | string;

export interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } | null;
  preferredDuringSchedulingIgnoredDuringExecution?: unknown[];
}

export interface DaemonPodSpec {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  hostNetwork?: boolean;
  tolerations?: Toleration[];
  affinity?: { nodeAffinity?: NodeAffinity | null; [k: string]: unknown } | null;
  containers?: { name: string; [k: string]: unknown }[];
  [k: string]: unknown;
}

export interface DaemonPodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[]; [k: string]: unknown };
  spec?: DaemonPodSpec;
}

export interface DaemonSetSpec {
  selector?: LabelSelector;
  template?: DaemonPodTemplate;
  updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { maxUnavailable?: IntOrString; maxSurge?: IntOrString } | null };
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
}

export interface DaemonSetStatus {
  currentNumberScheduled: number;
  numberMisscheduled: number;
  desiredNumberScheduled: number;
  numberReady: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
  conditions?: unknown[];
}

export const dsSpec = (ds: KubeObject): DaemonSetSpec => (ds.spec ?? {}) as DaemonSetSpec;
export const dsStatus = (ds: KubeObject): Partial<DaemonSetStatus> => (ds.status ?? {}) as Partial<DaemonSetStatus>;
export const podSpecOf = (pod: KubeObject): DaemonPodSpec => (pod.spec ?? {}) as DaemonPodSpec;
export const taintsOf = (node: KubeObject): Taint[] => (node.spec as { taints?: Taint[] } | undefined)?.taints ?? [];

export const controllerRefOf = (o: KubeObject): OwnerReference | undefined => o.metadata.ownerReferences?.find((r) => r.controller === true);

/** The controller reference a DaemonSet puts on what it creates (metav1.NewControllerRef). */
export function dsControllerRef(ds: KubeObject): OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name!, uid: ds.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** The deprecated template generation annotation as a number; undefined when absent or unparsable. */
export function templateGeneration(ds: KubeObject): number | undefined {
  const v = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  return v !== undefined && /^[-+]?\d+$/.test(v) ? Number(v) : undefined;
}
