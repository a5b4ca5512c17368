// Pod identity and health for StatefulSets: names and ordinals, the pod a set builds for an
// ordinal, the identity and storage checks, readiness and availability, and which pods a set
// claims (pkg/controller/statefulset/stateful_set_utils.go, pkg/api/v1/pod IsPodAvailable,
// pkg/controller/controller_ref_manager.go ClaimPods). Pure functions over plain objects.
import { fromLabelSelector, matches, type Selector } from '../../api/meta/labels.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import {
  controllerRefOf,
  podSpec,
  podStatus,
  POD_INDEX_LABEL,
  POD_NAME_LABEL,
  REVISION_LABEL,
  setControllerRef,
  setSpec,
  type PodSpec,
  type Volume,
} from './types.ts';

const STATEFUL_POD = /^(.*)-([0-9]+)$/;
const MAX_INT32 = 2 ** 31 - 1;

/** The parent set's name and the ordinal parsed from a pod name; ordinal -1 when it has none. */
export function parentAndOrdinal(name: string | undefined): { parent: string; ordinal: number } {
  const key = name ?? '';
  let parsed = parsedNames.get(key);
  if (!parsed) {
    const m = STATEFUL_POD.exec(key);
    const n = m ? Number(m[2]) : -1;
    // Upstream parses into an int32; a larger number leaves the ordinal at -1.
    parsed = m ? { parent: m[1]!, ordinal: Number.isSafeInteger(n) && n <= MAX_INT32 ? n : -1 } : { parent: '', ordinal: -1 };
    if (parsedNames.size >= PARSED_NAMES_MAX) parsedNames.clear();
    parsedNames.set(key, Object.freeze(parsed));
  }
  return parsed;
}

// Every sync of a set parses every pod's name several times: remember the answers.
const parsedNames = new Map<string, { parent: string; ordinal: number }>();
const PARSED_NAMES_MAX = 200_000;

export const ordinalOf = (pod: KubeObject): number => parentAndOrdinal(pod.metadata.name).ordinal;
export const isMemberOf = (set: KubeObject, pod: KubeObject): boolean => parentAndOrdinal(pod.metadata.name).parent === set.metadata.name;

export const startOrdinal = (set: KubeObject): number => setSpec(set).ordinals?.start ?? 0;
export const replicasOf = (set: KubeObject): number => setSpec(set).replicas ?? 1;
/** Last ordinal in range (inclusive); start - 1 when there are no replicas. */
export const endOrdinal = (set: KubeObject): number => startOrdinal(set) + replicasOf(set) - 1;
export function inOrdinalRange(pod: KubeObject, set: KubeObject): boolean {
  const o = ordinalOf(pod);
  return o >= startOrdinal(set) && o <= endOrdinal(set);
}

export const podName = (set: KubeObject, ordinal: number): string => `${set.metadata.name}-${ordinal}`;
export const claimName = (set: KubeObject, template: KubeObject, ordinal: number): string => `${template.metadata.name}-${set.metadata.name}-${ordinal}`;
export const revisionOf = (pod: KubeObject): string => pod.metadata.labels?.[REVISION_LABEL] ?? '';

export function selectorOf(set: KubeObject): Selector {
  return fromLabelSelector(setSpec(set).selector);
}

/** A pod carries the identity of a member of the set (identityMatches). */
export function identityMatches(set: KubeObject, pod: KubeObject): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod.metadata.name);
  return (
    ordinal >= 0 &&
    parent === set.metadata.name &&
    pod.metadata.name === podName(set, ordinal) &&
    pod.metadata.namespace === set.metadata.namespace &&
    pod.metadata.labels?.[POD_NAME_LABEL] === pod.metadata.name
  );
}

/** Every claim template has a same-named volume pointing at this ordinal's claim (storageMatches). */
export function storageMatches(set: KubeObject, pod: KubeObject): boolean {
  const ordinal = ordinalOf(pod);
  if (ordinal < 0) return false;
  const volumes = new Map((podSpec(pod).volumes ?? []).map((v) => [v.name, v] as const));
  for (const t of setSpec(set).volumeClaimTemplates ?? []) {
    const v = volumes.get(t.metadata.name!);
    if (!v?.persistentVolumeClaim || v.persistentVolumeClaim.claimName !== claimName(set, t, ordinal)) return false;
  }
  return true;
}

/**
 * The claims a pod of this ordinal uses, keyed by template name (getPersistentVolumeClaims): a copy
 * of each template, named for the ordinal, labelled with the template's labels and the selector's
 * matchLabels on top.
 */
export function claimsFor(set: KubeObject, ordinal: number): Map<string, KubeObject> {
  const out = new Map<string, KubeObject>();
  for (const t of setSpec(set).volumeClaimTemplates ?? []) out.set(t.metadata.name!, claimFor(set, t, ordinal));
  return out;
}

/** The claim of one template for an ordinal, as claimsFor builds it. */
export function claimFor(set: KubeObject, template: KubeObject, ordinal: number): KubeObject {
  const matchLabels = setSpec(set).selector?.matchLabels ?? {};
  const c = structuredClone(template) as KubeObject;
  c.apiVersion = 'v1';
  c.kind = 'PersistentVolumeClaim';
  c.metadata = { ...c.metadata, name: claimName(set, template, ordinal), namespace: set.metadata.namespace, labels: { ...(template.metadata.labels ?? {}), ...matchLabels } };
  // The template's status (defaulted to Pending) is not part of what is created.
  delete c.status;
  return c;
}

/** The names of an ordinal's claims with their templates: what a sync looks claims up by. */
export function claimNamesFor(set: KubeObject, ordinal: number): { template: KubeObject; name: string }[] {
  return (setSpec(set).volumeClaimTemplates ?? []).map((t) => ({ template: t, name: claimName(set, t, ordinal) }));
}

/** Sets the name, namespace and the pod-name and pod-index labels (updateIdentity). */
export function updateIdentity(set: KubeObject, pod: KubeObject): void {
  const ordinal = ordinalOf(pod);
  pod.metadata.name = podName(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace;
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [POD_NAME_LABEL]: pod.metadata.name, [POD_INDEX_LABEL]: String(ordinal) };
}

/** Points the templates' volumes at this ordinal's claims, replacing same-named volumes (updateStorage). */
export function updateStorage(set: KubeObject, pod: KubeObject): void {
  const claims = claimsFor(set, ordinalOf(pod));
  const spec = (pod.spec ??= {}) as PodSpec;
  // readOnly false, as upstream sets it; its JSON (omitempty) leaves it out.
  const volumes: Volume[] = [...claims].map(([name, c]) => ({ name, persistentVolumeClaim: { claimName: c.metadata.name! } }));
  for (const v of spec.volumes ?? []) if (!claims.has(v.name)) volumes.push(v);
  spec.volumes = volumes;
}

/**
 * The pod for an ordinal built from a set (newStatefulSetPod): the template's labels,
 * annotations, finalizers and spec, a controller reference, identity, hostname and subdomain
 * (set only at creation) and the claim volumes, labelled with the revision it was built from.
 */
export function newPod(set: KubeObject, ordinal: number, revision: string): KubeObject {
  const template = setSpec(set).template ?? {};
  const tm = template.metadata ?? {};
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName(set, ordinal),
      generateName: `${set.metadata.name}-`,
      namespace: set.metadata.namespace,
      labels: { ...(tm.labels ?? {}) },
      ...(tm.annotations ? { annotations: { ...tm.annotations } } : {}),
      ...(tm.finalizers ? { finalizers: [...tm.finalizers] } : {}),
      ownerReferences: [setControllerRef(set)],
    },
    spec: structuredClone(template.spec ?? {}),
  };
  updateIdentity(set, pod);
  const spec = pod.spec as PodSpec;
  spec.hostname = pod.metadata.name;
  spec.subdomain = setSpec(set).serviceName;
  if (spec.subdomain === undefined || spec.subdomain === '') delete spec.subdomain;
  updateStorage(set, pod);
  pod.metadata.labels![REVISION_LABEL] = revision;
  return pod;
}

// Phases and health (isCreated, isRunningAndReady, isRunningAndAvailable, isUnavailable).
export const isCreated = (pod: KubeObject): boolean => !!podStatus(pod).phase;
export const isTerminating = (pod: KubeObject): boolean => !!pod.metadata.deletionTimestamp;
export const isPending = (pod: KubeObject): boolean => podStatus(pod).phase === 'Pending';
export const isTerminal = (pod: KubeObject): boolean => podStatus(pod).phase === 'Failed' || podStatus(pod).phase === 'Succeeded';

const readyCondition = (pod: KubeObject) => podStatus(pod).conditions?.find((c) => c.type === 'Ready');
export const isReady = (pod: KubeObject): boolean => readyCondition(pod)?.status === 'True';
export const isRunningAndReady = (pod: KubeObject): boolean => podStatus(pod).phase === 'Running' && isReady(pod);

/** Ready for longer than minReadySeconds (podutil.IsPodAvailable; no phase check, as upstream). */
export function isAvailable(pod: KubeObject, minReadySeconds: number, now: number): boolean {
  if (!isReady(pod)) return false;
  if (minReadySeconds === 0) return true;
  const since = Date.parse(readyCondition(pod)?.lastTransitionTime ?? '');
  return Number.isFinite(since) && since + minReadySeconds * 1000 < now;
}

export const isUnavailable = (pod: KubeObject, minReadySeconds: number, now: number): boolean => !isAvailable(pod, minReadySeconds, now) || isTerminating(pod);

/** When a ready but not yet available pod becomes available; undefined when none will. */
export function availableAt(pod: KubeObject, minReadySeconds: number): number | undefined {
  if (minReadySeconds === 0 || !isReady(pod)) return undefined;
  const since = Date.parse(readyCondition(pod)?.lastTransitionTime ?? '');
  return Number.isFinite(since) ? since + minReadySeconds * 1000 : undefined;
}

export interface PodClaims {
  /** Pods the set manages this sync: owned and matching, plus the orphans it is adopting. */
  pods: KubeObject[];
  adopt: KubeObject[];
  release: KubeObject[];
}

/**
 * Which pods of the namespace a set manages (ControllerRefManager.ClaimPods with isMemberOf as
 * the filter): owned pods that match the selector and name are kept; owned pods that no longer
 * match are released unless the set is being deleted; matching orphans that are not themselves
 * being deleted are adopted unless the set is being deleted. Pods owned by others are ignored.
 */
export function claimPods(set: KubeObject, pods: readonly KubeObject[], selector: Selector = selectorOf(set)): PodClaims {
  const out: PodClaims = { pods: [], adopt: [], release: [] };
  const deleting = !!set.metadata.deletionTimestamp;
  for (const pod of pods) {
    const match = matches(selector, pod.metadata.labels) && isMemberOf(set, pod);
    const ref = controllerRefOf(pod);
    if (ref) {
      if (ref.uid !== set.metadata.uid) continue;
      if (match) out.pods.push(pod);
      else if (!deleting) out.release.push(pod);
      continue;
    }
    if (!match || deleting || pod.metadata.deletionTimestamp) continue;
    out.adopt.push(pod);
    out.pods.push(pod);
  }
  return out;
}
