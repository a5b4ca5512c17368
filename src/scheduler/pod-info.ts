// A pod parsed once for scheduling (pkg/scheduler/framework/types.go PodInfo and AffinityTerm):
// requests, host ports, tolerations, compiled node affinity and pod (anti-)affinity terms. The
// informer hands out frozen objects, so the parse is memoised per object.
import { fromLabelSelector, matches, type LabelSelector, type Requirement, type Selector } from '../api/meta/labels.ts';
import { podRequests, type Resources } from './resources.ts';
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodAffinityTerm, Toleration, TopologySpreadConstraint } from './types.ts';

export interface AffinityTerm {
  /** undefined selects nothing (a nil labelSelector), [] everything. */
  selector: Selector | undefined;
  namespaces: Set<string>;
  /** A nil namespaceSelector selects no namespace; {} selects all. */
  namespaceSelector: Selector | undefined;
  topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

export interface CompiledNodeTerm {
  expressions: Requirement[];
  fields: Requirement[];
}

export interface PodInfo {
  pod: Pod;
  uid: string;
  /** namespace/name */
  key: string;
  namespace: string;
  labels: Record<string, string>;
  requests: Resources;
  /** cpu and memory with scoring defaults for containers that request none. */
  nonZeroCpu: number;
  nonZeroMemory: number;
  hostPorts: HostPort[];
  tolerations: Toleration[];
  nodeSelector: Record<string, string> | undefined;
  /** Required node affinity terms (ORed); undefined when there is no such requirement. */
  requiredNodeTerms: CompiledNodeTerm[] | undefined;
  /** The only nodes the required terms can admit, by name (see requiredNodeNames). */
  requiredNodeNames: ReadonlySet<string> | undefined;
  preferredNodeTerms: { weight: number; term: CompiledNodeTerm }[];
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: WeightedAffinityTerm[];
  preferredAntiAffinity: WeightedAffinityTerm[];
  spreadConstraints: TopologySpreadConstraint[];
  /** UID of ownerReferences[0]: default spreading counts pods of the same owner. */
  ownerUid: string | undefined;
  priority: number;
  terminating: boolean;
  /** Mounts a PersistentVolumeClaim or generic ephemeral volume (the volume hook applies). */
  hasClaims: boolean;
}

const cache = new WeakMap<Pod, PodInfo>();

function selectorOf(sel: LabelSelector | null | undefined): Selector | undefined {
  if (sel === null || sel === undefined) return undefined;
  try {
    return fromLabelSelector(sel);
  } catch {
    return undefined;
  }
}

function requirement(r: NodeSelectorRequirement): Requirement {
  return { key: r.key, operator: r.operator as Requirement['operator'], values: r.values ?? [] };
}

export function compileNodeTerm(t: NodeSelectorTerm): CompiledNodeTerm {
  return { expressions: (t.matchExpressions ?? []).map(requirement), fields: (t.matchFields ?? []).map(requirement) };
}

function affinityTerm(pod: Pod, t: PodAffinityTerm): AffinityTerm {
  const namespaces = t.namespaces?.length ? new Set(t.namespaces) : new Set(t.namespaceSelector ? [] : [pod.metadata.namespace ?? 'default']);
  return { selector: selectorOf(t.labelSelector), namespaces, namespaceSelector: selectorOf(t.namespaceSelector), topologyKey: t.topologyKey };
}

function hostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

export function podInfo(pod: Pod): PodInfo {
  const hit = cache.get(pod);
  if (hit) return hit;
  const spec = pod.spec ?? {};
  const aff = spec.affinity;
  const required = aff?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const nonZero = podRequests(pod, { nonZero: true });
  const info: PodInfo = {
    pod,
    uid: pod.metadata.uid ?? `${pod.metadata.namespace}/${pod.metadata.name}`,
    key: `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`,
    namespace: pod.metadata.namespace ?? 'default',
    labels: pod.metadata.labels ?? {},
    requests: podRequests(pod),
    nonZeroCpu: nonZero.milliCpu,
    nonZeroMemory: nonZero.memory,
    hostPorts: hostPorts(pod),
    tolerations: spec.tolerations ?? [],
    nodeSelector: spec.nodeSelector && Object.keys(spec.nodeSelector).length ? spec.nodeSelector : undefined,
    requiredNodeTerms: required ? (required.nodeSelectorTerms ?? []).map(compileNodeTerm) : undefined,
    requiredNodeNames: required ? requiredNodeNames(required.nodeSelectorTerms ?? []) : undefined,
    preferredNodeTerms: (aff?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((p) => ({ weight: p.weight, term: compileNodeTerm(p.preference) })),
    requiredAffinity: (aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(pod, t)),
    requiredAntiAffinity: (aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(pod, t)),
    preferredAffinity: (aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ ...affinityTerm(pod, w.podAffinityTerm), weight: w.weight })),
    preferredAntiAffinity: (aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ ...affinityTerm(pod, w.podAffinityTerm), weight: w.weight })),
    spreadConstraints: spec.topologySpreadConstraints ?? [],
    ownerUid: pod.metadata.ownerReferences?.[0]?.uid,
    priority: spec.priority ?? 0,
    terminating: !!pod.metadata.deletionTimestamp,
    hasClaims: (spec.volumes ?? []).some((v) => v.persistentVolumeClaim || v.ephemeral),
  };
  cache.set(pod, info);
  return info;
}

/**
 * NodeAffinity's PreFilter result: when every required term names nodes with a metadata.name In
 * field requirement, only those nodes can fit (the union over terms of each term's intersection),
 * and the others need not be filtered at all; an empty set means the terms conflict. undefined
 * when some term does not name nodes (a DaemonSet's pods always do).
 */
export function requiredNodeNames(terms: readonly NodeSelectorTerm[]): Set<string> | undefined {
  let names: Set<string> | undefined;
  for (const t of terms) {
    let termNames: Set<string> | undefined;
    for (const r of t.matchFields ?? []) {
      if (r.key !== 'metadata.name' || r.operator !== 'In') continue;
      const s = new Set(r.values ?? []);
      termNames = termNames ? new Set([...termNames].filter((n) => s.has(n))) : s;
    }
    if (!termNames) return undefined;
    names = names ? new Set([...names, ...termNames]) : termNames;
  }
  return names;
}

/** Whether a node satisfies one compiled node selector term (an empty term matches nothing). */
export function nodeMatchesTerm(term: CompiledNodeTerm, node: Node): boolean {
  if (!term.expressions.length && !term.fields.length) return false;
  if (term.expressions.length && !matches(term.expressions, node.metadata.labels)) return false;
  if (term.fields.length && !matches(term.fields, { 'metadata.name': node.metadata.name ?? '' })) return false;
  return true;
}

/** nodeSelector plus required node affinity (component-helpers nodeaffinity.RequiredNodeAffinity). */
export function nodeMatchesRequired(pi: PodInfo, node: Node): boolean {
  if (pi.nodeSelector) {
    const labels = node.metadata.labels ?? {};
    for (const [k, v] of Object.entries(pi.nodeSelector)) if (labels[k] !== v) return false;
  }
  if (pi.requiredNodeTerms) {
    for (const t of pi.requiredNodeTerms) if (nodeMatchesTerm(t, node)) return true;
    return false;
  }
  return true;
}

/** AffinityTerm.Matches: the pod is in one of the term's namespaces and carries its labels. */
export function termMatches(term: AffinityTerm, pod: PodInfo, nsLabels: (ns: string) => Record<string, string> | undefined): boolean {
  if (!term.selector) return false;
  if (!term.namespaces.has(pod.namespace)) {
    if (!term.namespaceSelector || !matches(term.namespaceSelector, nsLabels(pod.namespace) ?? {})) return false;
  }
  return matches(term.selector, pod.labels);
}
