// Daemon pods: the pod a DaemonSet creates for a node, which pods are up to date, their order on a
// node, and which pods a DaemonSet manages (daemon/util/daemonset_util.go CreatePodTemplate and
// IsPodUpdated, controller_utils.go GetPodFromTemplate, daemon_controller.go
// podByCreationTimestampAndPhase and getNodesToDaemonPods, controller_ref_manager.go ClaimPods).
import { matches, type Selector } from '../../api/meta/labels.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import { pinToNode, targetNodeOf, withDaemonTolerations } from './placement.ts';
import { controllerRefOf, dsControllerRef, dsSpec, HASH_LABEL, TEMPLATE_GENERATION_LABEL, templateGeneration, type DaemonPodSpec } from './types.ts';

/**
 * The pod to create on a node: the template's labels (plus the revision hash and the deprecated
 * template generation), annotations, finalizers and spec with the daemon tolerations, named by
 * generateName `<ds>-`, controlled by the DaemonSet, and pinned to the node by required node
 * affinity on metadata.name. spec.nodeName stays empty: the scheduler binds it.
 */
export function newDaemonPod(ds: KubeObject, nodeName: string, hash: string): KubeObject {
  const template = dsSpec(ds).template ?? {};
  const tm = template.metadata ?? {};
  const labels: Record<string, string> = { ...(tm.labels ?? {}) };
  const generation = templateGeneration(ds);
  if (generation !== undefined) labels[TEMPLATE_GENERATION_LABEL] = String(generation);
  if (hash) labels[HASH_LABEL] = hash;
  const spec = structuredClone(template.spec ?? {}) as DaemonPodSpec;
  spec.tolerations = withDaemonTolerations(spec);
  spec.affinity = pinToNode(spec.affinity, nodeName);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${ds.metadata.name}-`,
      namespace: ds.metadata.namespace,
      labels,
      ...(tm.annotations ? { annotations: { ...tm.annotations } } : {}),
      ...(tm.finalizers ? { finalizers: [...tm.finalizers] } : {}),
      ownerReferences: [dsControllerRef(ds)],
    },
    spec,
  };
}

/** IsPodUpdated: the pod carries the current hash, or the DaemonSet's template generation. */
export function isPodUpdated(pod: KubeObject, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  return (hash !== '' && labels[HASH_LABEL] === hash) || (generation !== undefined && labels[TEMPLATE_GENERATION_LABEL] === String(generation));
}

const phaseOf = (pod: KubeObject) => (pod.status as { phase?: string } | undefined)?.phase;
export const isTerminating = (pod: KubeObject): boolean => !!pod.metadata.deletionTimestamp;
export const isFailed = (pod: KubeObject): boolean => phaseOf(pod) === 'Failed';
export const isSucceeded = (pod: KubeObject): boolean => phaseOf(pod) === 'Succeeded';
const isBound = (pod: KubeObject) => !!(pod.spec as DaemonPodSpec | undefined)?.nodeName;
const created = (pod: KubeObject) => Date.parse(pod.metadata.creationTimestamp ?? '') || 0;

/** podByCreationTimestampAndPhase: bound pods first, then oldest, then by name. */
export function byAge(a: KubeObject, b: KubeObject): number {
  if (isBound(a) !== isBound(b)) return isBound(a) ? -1 : 1;
  const d = created(a) - created(b);
  if (d) return d;
  const na = a.metadata.name ?? '';
  const nb = b.metadata.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/**
 * Pods by the node they are for (getNodesToDaemonPods): pods that are both terminal and being
 * deleted are left out unless asked for; pods naming no node are left out.
 */
export function podsByNode(pods: readonly KubeObject[], includeDeletedTerminal = false): Map<string, KubeObject[]> {
  const out = new Map<string, KubeObject[]>();
  for (const pod of pods) {
    if (!includeDeletedTerminal && isTerminating(pod) && (isFailed(pod) || isSucceeded(pod))) continue;
    const node = targetNodeOf(pod);
    if (node === undefined) continue;
    const list = out.get(node);
    if (list) list.push(pod);
    else out.set(node, [pod]);
  }
  return out;
}

export interface ClaimedPods {
  /** Pods the DaemonSet manages this sync: owned and matching, plus the orphans it adopts. */
  pods: KubeObject[];
  adopt: KubeObject[];
  release: KubeObject[];
}

/**
 * Which pods of the namespace a DaemonSet manages (ClaimPods): owned pods matching the selector
 * are kept; owned pods that no longer match are released unless the DaemonSet is being deleted;
 * matching orphans that are not being deleted are adopted unless the DaemonSet is being
 * deleted. Pods controlled by others are ignored.
 */
export function claimPods(ds: KubeObject, pods: readonly KubeObject[], selector: Selector): ClaimedPods {
  const out: ClaimedPods = { pods: [], adopt: [], release: [] };
  const deleting = !!ds.metadata.deletionTimestamp;
  for (const pod of pods) {
    const match = matches(selector, pod.metadata.labels);
    const ref = controllerRefOf(pod);
    if (ref) {
      if (ref.uid !== ds.metadata.uid) continue;
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
