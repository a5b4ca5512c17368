// Per-node filters that need no cluster-wide pre-computation:
//   NodeName            pkg/scheduler/framework/plugins/nodename/node_name.go
//   NodeUnschedulable   pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable.go
//   TaintToleration     pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go
//   NodeAffinity        pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go
//   NodePorts           pkg/scheduler/framework/plugins/nodeports/node_ports.go
// Each returns undefined when the node passes, else upstream's reason and status code.
import type { NodeInfo } from '../node-info.ts';
import { nodeMatchesRequired, type PodInfo } from '../pod-info.ts';
import { unresolvable, unschedulable, type Status, type Taint, type Toleration } from '../types.ts';

export const ERR_NODE_NAME = "node(s) didn't match the requested node name";
export const ERR_UNSCHEDULABLE = 'node(s) were unschedulable';
export const ERR_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
export const ERR_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";
export const untoleratedTaintReason = (t: Taint) => `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`;

const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

/** v1 Toleration.ToleratesTaint: effect, key and (for Equal) value must match. */
export function tolerates(tol: Toleration, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (tol.key && tol.key !== taint.key) return false;
  switch (tol.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
    case '':
      return (tol.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

export function toleratesAny(tolerations: Toleration[], taint: Taint): boolean {
  for (const t of tolerations) if (tolerates(t, taint)) return true;
  return false;
}

/** The first NoSchedule/NoExecute taint none of the tolerations tolerate. */
export function findUntoleratedTaint(taints: Taint[], tolerations: Toleration[]): Taint | undefined {
  for (const taint of taints) if (!toleratesAny(tolerations, taint)) return taint;
  return undefined;
}

export function nodeNameFilter(pi: PodInfo, ni: NodeInfo): Status | undefined {
  const want = pi.pod.spec?.nodeName;
  return want && want !== ni.name ? unresolvable(ERR_NODE_NAME) : undefined;
}

/** A cordoned node admits only pods tolerating node.kubernetes.io/unschedulable:NoSchedule. */
export function nodeUnschedulableFilter(pi: PodInfo, ni: NodeInfo): Status | undefined {
  if (!ni.unschedulable) return undefined;
  return toleratesAny(pi.tolerations, UNSCHEDULABLE_TAINT) ? undefined : unresolvable(ERR_UNSCHEDULABLE);
}

export function taintTolerationFilter(pi: PodInfo, ni: NodeInfo): Status | undefined {
  if (!ni.hardTaints.length) return undefined;
  const taint = findUntoleratedTaint(ni.hardTaints, pi.tolerations);
  return taint ? unresolvable(untoleratedTaintReason(taint)) : undefined;
}

export function nodeAffinityFilter(pi: PodInfo, ni: NodeInfo): Status | undefined {
  if (!pi.nodeSelector && !pi.requiredNodeTerms) return undefined;
  return nodeMatchesRequired(pi, ni.node) ? undefined : unresolvable(ERR_NODE_AFFINITY);
}

/** A wildcard host IP (0.0.0.0) conflicts with every IP on the same protocol and port. */
export function nodePortsFilter(pi: PodInfo, ni: NodeInfo): Status | undefined {
  if (!pi.hostPorts.length || !ni.usedPorts.size) return undefined;
  for (const hp of pi.hostPorts) {
    const used = ni.usedPorts.get(`${hp.protocol}/${hp.port}`);
    if (!used) continue;
    if (hp.ip === '0.0.0.0' || used.includes('0.0.0.0') || used.includes(hp.ip)) return unschedulable(ERR_NODE_PORTS);
  }
  return undefined;
}
