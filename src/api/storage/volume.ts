// Shapes and helpers for persistent storage shared by the PV controller, the protection
// controllers, the local-path provisioner, the scheduler's volume binding and admission
// (k8s.io/component-helpers/storage/volume helpers.go and pv_helpers.go,
// pkg/controller/volume/persistentvolume/util/util.go, pkg/volume/util/storageclass.go).
// Pure functions of the objects; no I/O.
import { matches, type Requirement } from '../meta/labels.ts';
import type { KubeObject } from '../meta/types.ts';
import { parseQuantity } from '../validation/quantity.ts';

/** On a claim: initial binding finished; from now on it is synced as a bound claim. */
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
/** On claim and volume: the controller (or scheduler), not the user, made the link. */
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
/** On a claim: the node the scheduler chose; the provisioner creates the volume there. */
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
/** On a claim: which provisioner should act on it (both keys are written). */
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
/** On a volume: the provisioner that created it. */
export const ANN_DYNAMICALLY_PROVISIONED = 'pv.kubernetes.io/provisioned-by';
/** Legacy class annotation, still honoured before spec.storageClassName. */
export const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
export const ANN_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
export const ANN_BETA_DEFAULT_CLASS = 'storageclass.beta.kubernetes.io/is-default-class';
export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';
/** A class that never provisions (static volumes only). */
export const NOT_SUPPORTED_PROVISIONER = 'kubernetes.io/no-provisioner';

export type AccessMode = 'ReadWriteOnce' | 'ReadOnlyMany' | 'ReadWriteMany' | 'ReadWriteOncePod';

export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
}

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface PersistentVolume extends KubeObject {
  spec?: {
    capacity?: { storage?: string | number };
    accessModes?: string[];
    volumeMode?: string;
    storageClassName?: string;
    persistentVolumeReclaimPolicy?: string;
    claimRef?: ObjectReference | null;
    nodeAffinity?: { required?: { nodeSelectorTerms?: NodeSelectorTerm[] } } | null;
    mountOptions?: string[];
    hostPath?: { path: string; type?: string };
    local?: { path: string };
    csi?: { driver: string };
    [source: string]: unknown;
  };
  status?: { phase?: string; message?: string; reason?: string; lastPhaseTransitionTime?: string };
}

export interface PersistentVolumeClaim extends KubeObject {
  spec?: {
    accessModes?: string[];
    resources?: { requests?: { storage?: string | number } };
    storageClassName?: string | null;
    selector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | null;
    volumeName?: string;
    volumeMode?: string;
    dataSource?: unknown;
  };
  status?: { phase?: string; accessModes?: string[]; capacity?: { storage?: string | number }; [k: string]: unknown };
}

export interface StorageClass extends KubeObject {
  provisioner?: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: string;
  volumeBindingMode?: string;
  allowedTopologies?: { matchLabelExpressions?: { key: string; values?: string[] }[] }[];
  mountOptions?: string[];
  allowVolumeExpansion?: boolean;
}

export const hasAnnotation = (o: KubeObject, key: string): boolean => o.metadata.annotations?.[key] !== undefined;

/** namespace/name of a claim, as the controller's keys and claimRefs name it. */
export const claimKeyOf = (c: KubeObject): string => `${c.metadata.namespace}/${c.metadata.name}`;

/** The claim's class: the beta annotation first, then spec.storageClassName, else "". */
export function claimClass(pvc: PersistentVolumeClaim): string {
  const beta = pvc.metadata.annotations?.[ANN_BETA_STORAGE_CLASS];
  if (beta !== undefined) return beta;
  return pvc.spec?.storageClassName ?? '';
}

/** True when the claim asked for a class (even ""): admission and the controller leave it alone. */
export function claimHasClass(pvc: PersistentVolumeClaim): boolean {
  if (hasAnnotation(pvc, ANN_BETA_STORAGE_CLASS)) return true;
  const name = pvc.spec?.storageClassName;
  return name !== undefined && name !== null;
}

export function volumeClass(pv: PersistentVolume): string {
  const beta = pv.metadata.annotations?.[ANN_BETA_STORAGE_CLASS];
  if (beta !== undefined) return beta;
  return pv.spec?.storageClassName ?? '';
}

/** Bytes requested by a claim (0 when unset). */
export const requestedBytes = (pvc: PersistentVolumeClaim): number => parseQuantity(pvc.spec?.resources?.requests?.storage) ?? 0;
/** Bytes a volume offers (0 when unset). */
export const capacityBytes = (pv: PersistentVolume): number => parseQuantity(pv.spec?.capacity?.storage) ?? 0;

/** volumeMode mismatch; an unset mode is Filesystem on both sides. */
export function volumeModeMismatch(pvc: PersistentVolumeClaim, pv: PersistentVolume): boolean {
  return (pvc.spec?.volumeMode ?? 'Filesystem') !== (pv.spec?.volumeMode ?? 'Filesystem');
}

/** The volume offers every access mode the claim asks for. */
export function checkAccessModes(pvc: PersistentVolumeClaim, pv: PersistentVolume): boolean {
  const offered = new Set(pv.spec?.accessModes ?? []);
  return (pvc.spec?.accessModes ?? []).every((m) => offered.has(m));
}

/**
 * The volume is pre-bound or bound to this claim: claimRef names it, and a uid in claimRef (if
 * any) is the claim's.
 */
export function isVolumeBoundToClaim(pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== pvc.metadata.name || ref.namespace !== pvc.metadata.namespace) return false;
  return !ref.uid || ref.uid === pvc.metadata.uid;
}

/** A reference to the claim as a volume's claimRef holds it. */
export function claimRefFor(pvc: PersistentVolumeClaim): ObjectReference {
  return {
    kind: 'PersistentVolumeClaim',
    namespace: pvc.metadata.namespace,
    name: pvc.metadata.name,
    uid: pvc.metadata.uid,
    apiVersion: 'v1',
    resourceVersion: pvc.metadata.resourceVersion,
  };
}

const requirement = (r: NodeSelectorRequirement): Requirement => ({ key: r.key, operator: r.operator as Requirement['operator'], values: r.values ?? [] });

/**
 * The node satisfies the volume's required node affinity (terms ORed, expressions ANDed; a term
 * with nothing in it matches no node). A volume without affinity fits every node.
 */
export function volumeNodeAffinityMatches(pv: PersistentVolume, node: { metadata: { name?: string; labels?: Record<string, string> } }): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!pv.spec?.nodeAffinity?.required) return true;
  for (const t of terms ?? []) {
    const exprs = t.matchExpressions ?? [];
    const fields = t.matchFields ?? [];
    if (!exprs.length && !fields.length) continue;
    if (exprs.length && !matches(exprs.map(requirement), node.metadata.labels)) continue;
    if (fields.length && !matches(fields.map(requirement), { 'metadata.name': node.metadata.name ?? '' })) continue;
    return true;
  }
  return false;
}

export function isDefaultClass(sc: StorageClass): boolean {
  const a = sc.metadata.annotations ?? {};
  return a[ANN_DEFAULT_CLASS] === 'true' || a[ANN_BETA_DEFAULT_CLASS] === 'true';
}

/** The default class: among those marked default the newest, ties by name ascending. */
export function defaultClass(classes: readonly StorageClass[]): StorageClass | undefined {
  const defaults = classes.filter(isDefaultClass);
  defaults.sort((a, b) => {
    const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
    const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
    return ta !== tb ? tb - ta : (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
  });
  return defaults[0];
}

/** The topology labels a node must carry for the class to provision there (none: any node). */
export function classAllowsNode(sc: StorageClass, node: { metadata: { labels?: Record<string, string> } }): boolean {
  const terms = sc.allowedTopologies ?? [];
  if (!terms.length) return true;
  const labels = node.metadata.labels ?? {};
  return terms.some((t) => (t.matchLabelExpressions ?? []).every((e) => labels[e.key] !== undefined && (e.values ?? []).includes(labels[e.key]!)));
}

/** Claims a pod mounts, by name, in volume order (persistentVolumeClaim and generic ephemeral). */
export function podClaimNames(pod: KubeObject): string[] {
  const vols = ((pod.spec as { volumes?: { name: string; persistentVolumeClaim?: { claimName: string }; ephemeral?: unknown }[] } | undefined)?.volumes ?? []);
  const out: string[] = [];
  for (const v of vols) {
    if (v.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral) out.push(`${pod.metadata.name}-${v.name}`);
  }
  return out;
}

/** Succeeded or Failed: the pod holds no volume any more (util.IsPodTerminated). */
export function isPodTerminated(pod: KubeObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}
