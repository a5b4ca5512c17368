// What the cluster-wide plugins (pod affinity, topology spreading) read of the scheduler's cache.
// The cache implements it; tests build small ones with `staticView`.
import type { NodeInfo } from './node-info.ts';
import type { PodInfo } from './pod-info.ts';

export interface ClusterView {
  /** Nodes that exist (have a Node object), in a stable order. */
  readonly nodes: readonly NodeInfo[];
  /** One of `nodes` by name. */
  nodeInfo(name: string): NodeInfo | undefined;
  /** Labels of a namespace, for namespaceSelector in affinity terms. */
  nsLabels(namespace: string): Record<string, string> | undefined;
  /** Pods placed on nodes (assumed ones included), optionally of one namespace. */
  assignedPods(namespace?: string): Iterable<[PodInfo, NodeInfo]>;
  /** Placed pods that carry any pod (anti-)affinity term. */
  podsWithAffinity(): Iterable<[PodInfo, NodeInfo]>;
  /** Placed pods that carry a required anti-affinity term. */
  podsWithRequiredAntiAffinity(): Iterable<[PodInfo, NodeInfo]>;
}

/** A view over fixed NodeInfos (tests and the pure benchmark). */
export function staticView(nodes: NodeInfo[], namespaces: Record<string, Record<string, string>> = {}): ClusterView {
  function* pods(pred: (pi: PodInfo) => boolean): Iterable<[PodInfo, NodeInfo]> {
    for (const ni of nodes) for (const pi of ni.pods.values()) if (pred(pi)) yield [pi, ni];
  }
  const byName = new Map(nodes.map((ni) => [ni.name, ni] as const));
  return {
    nodes,
    nodeInfo: (name) => byName.get(name),
    nsLabels: (ns) => namespaces[ns],
    assignedPods: (ns) => pods((pi) => ns === undefined || pi.namespace === ns),
    podsWithAffinity: () => pods((pi) => pi.requiredAffinity.length + pi.requiredAntiAffinity.length + pi.preferredAffinity.length + pi.preferredAntiAffinity.length > 0),
    podsWithRequiredAntiAffinity: () => pods((pi) => pi.requiredAntiAffinity.length > 0),
  };
}

export const pairKey = (key: string, value: string) => `${key}\u0000${value}`;
