// Which nodes a DaemonSet runs on, and how its pods are pinned there (pkg/controller/daemon
// daemon_controller.go NodeShouldRunDaemonPod, predicates and NewPod; daemon/util/daemonset_util.go
// AddOrUpdateDaemonPodTolerations, ReplaceDaemonSetPodNodeNameNodeAffinity and GetTargetNodeName;
// component-helpers nodeaffinity.GetRequiredNodeAffinity). Pure functions over plain objects.
//
// Only the node's name, labels and taints count: not its resources, host ports, Ready condition
// or spec.unschedulable (a cordon adds unschedulable:NoSchedule, which daemon pods tolerate).
import type { KubeObject } from '../../api/meta/types.ts';
import { compileNodeTerm, nodeMatchesTerm } from '../../scheduler/pod-info.ts';
import type { Node } from '../../scheduler/types.ts';
import { toleratesTaint, type Taint, type Toleration } from '../node-lifecycle/tolerations.ts';
import { dsSpec, taintsOf, type DaemonPodSpec } from './types.ts';

/** metav1.ObjectNameField: the field a matchFields requirement may select nodes by. */
export const NODE_NAME_FIELD = 'metadata.name';

/** The tolerations every daemon pod gets (operator Exists, no tolerationSeconds). */
export const DAEMON_TOLERATIONS: readonly Toleration[] = Object.freeze([
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
]);
/** Added for hostNetwork pods only. */
export const NETWORK_UNAVAILABLE_TOLERATION: Toleration = Object.freeze({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });

/** Toleration.MatchToleration: same key, operator, value and effect (tolerationSeconds aside). */
const sameToleration = (a: Toleration, b: Toleration) =>
  (a.key ?? '') === (b.key ?? '') && (a.operator ?? '') === (b.operator ?? '') && (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '');

/**
 * The tolerations with the daemon defaults added or put in place of a matching one
 * (AddOrUpdateTolerationInPodSpec): a user's not-ready:NoExecute toleration with
 * tolerationSeconds loses its seconds, so the pod is never evicted for node trouble.
 */
export function withDaemonTolerations(spec: DaemonPodSpec): Toleration[] {
  let out = [...(spec.tolerations ?? [])];
  const defaults = spec.hostNetwork ? [...DAEMON_TOLERATIONS, NETWORK_UNAVAILABLE_TOLERATION] : DAEMON_TOLERATIONS;
  for (const t of defaults) {
    if (!out.some((x) => sameToleration(x, t))) {
      out.push({ ...t });
      continue;
    }
    out = out.map((x) => (sameToleration(x, t) ? { ...t } : x));
  }
  return out;
}

/** FindMatchingUntoleratedTaint: the first taint the filter selects that no toleration tolerates. */
export function untoleratedTaint(taints: readonly Taint[], tolerations: readonly Toleration[], effects: readonly string[]): Taint | undefined {
  return taints.find((t) => effects.includes(t.effect) && !tolerations.some((tol) => toleratesTaint(tol, t)));
}

/** nodeSelector and required node affinity terms (labels by matchExpressions, name by matchFields). */
export function matchesRequiredNodeAffinity(spec: DaemonPodSpec, node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((t) => {
    // A field requirement must be metadata.name In/NotIn one value; any other makes the term unusable, as upstream.
    if ((t.matchFields ?? []).some((f) => f.key !== NODE_NAME_FIELD || (f.operator !== 'In' && f.operator !== 'NotIn') || f.values?.length !== 1)) return false;
    return nodeMatchesTerm(compileNodeTerm(t), node as Node);
  });
}

export interface Placement {
  /** A daemon pod should be created on the node if it has none. */
  shouldRun: boolean;
  /** A daemon pod already on the node may stay. */
  shouldContinueRunning: boolean;
}

const NOWHERE: Placement = Object.freeze({ shouldRun: false, shouldContinueRunning: false });
const HERE: Placement = Object.freeze({ shouldRun: true, shouldContinueRunning: true });

/**
 * NodeShouldRunDaemonPod. A template naming another node, or a nodeSelector / required node
 * affinity the node fails, rules it out entirely. A NoSchedule or NoExecute taint the pod (with
 * the daemon tolerations) does not tolerate blocks new pods; only an untolerated NoExecute taint
 * also removes running ones.
 */
export function nodeShouldRunDaemonPod(node: KubeObject, ds: KubeObject): Placement {
  const spec = dsSpec(ds).template?.spec ?? {};
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return NOWHERE;
  if (!matchesRequiredNodeAffinity(spec, node)) return NOWHERE;
  const taints = taintsOf(node);
  if (!taints.length) return HERE;
  const tolerations = withDaemonTolerations(spec);
  if (!untoleratedTaint(taints, tolerations, ['NoSchedule', 'NoExecute'])) return HERE;
  return { shouldRun: false, shouldContinueRunning: !untoleratedTaint(taints, tolerations, ['NoExecute']) };
}

/**
 * The pod's affinity with its required node affinity replaced by one term selecting the node by
 * name (ReplaceDaemonSetPodNodeNameNodeAffinity): the scheduler binds the pod there. The user's
 * required terms were already checked by nodeShouldRunDaemonPod; preferred terms and pod
 * (anti-)affinity are kept.
 */
export function pinToNode(affinity: DaemonPodSpec['affinity'], nodeName: string): NonNullable<DaemonPodSpec['affinity']> {
  const required = { nodeSelectorTerms: [{ matchFields: [{ key: NODE_NAME_FIELD, operator: 'In', values: [nodeName] }] }] };
  const out = structuredClone(affinity ?? {});
  out.nodeAffinity = { ...(out.nodeAffinity ?? {}), requiredDuringSchedulingIgnoredDuringExecution: required };
  return out;
}

/**
 * The node a daemon pod is for (GetTargetNodeName): spec.nodeName once bound, else the single
 * value of its matchFields metadata.name In requirement; undefined when it names none.
 */
export function targetNodeOf(pod: KubeObject): string | undefined {
  const spec = pod.spec as DaemonPodSpec | undefined;
  if (spec?.nodeName) return spec.nodeName;
  for (const term of spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) {
      if (f.key === NODE_NAME_FIELD && f.operator === 'In') return f.values?.length === 1 ? f.values[0] : undefined;
    }
  }
  return undefined;
}
