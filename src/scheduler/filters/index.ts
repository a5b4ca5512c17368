// The Filter phase of the default profile, in upstream's plugin order
// (pkg/scheduler/apis/config/v1/default_plugins.go): NodeUnschedulable, NodeName,
// TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit, [VolumeBinding],
// PodTopologySpread, InterPodAffinity. The first plugin to reject a node gives its status, as
// the framework stops at the first failure. VolumeBinding is an async hook run by the caller on
// the nodes that pass everything here (see framework.ts).
import type { NodeInfo } from '../node-info.ts';
import type { PodInfo } from '../pod-info.ts';
import type { Status } from '../types.ts';
import type { ClusterView } from '../view.ts';
import { interPodAffinityFilter, interPodAffinityPreFilter, type InterPodAffinityState } from './inter-pod-affinity.ts';
import { nodeAffinityFilter, nodeNameFilter, nodePortsFilter, nodeUnschedulableFilter, taintTolerationFilter } from './node-basics.ts';
import { resourcesFitFilter } from './resources-fit.ts';
import { topologySpreadFilter, topologySpreadPreFilter, type SpreadFilterState } from './topology-spread.ts';

export * from './inter-pod-affinity.ts';
export * from './node-basics.ts';
export * from './resources-fit.ts';
export * from './topology-spread.ts';

/** Per-cycle state computed once per pod before the nodes are filtered (PreFilter). */
export interface CycleState {
  pod: PodInfo;
  view: ClusterView;
  interPodAffinity: InterPodAffinityState | undefined;
  spread: SpreadFilterState | undefined;
  /** Which per-node checks can reject this pod at all (skipped otherwise). */
  checkNodeName: boolean;
  checkNodeAffinity: boolean;
  checkPorts: boolean;
}

export function preFilter(pod: PodInfo, view: ClusterView): CycleState {
  return {
    pod,
    view,
    interPodAffinity: interPodAffinityPreFilter(pod, view),
    spread: topologySpreadPreFilter(pod, view),
    checkNodeName: !!pod.pod.spec?.nodeName,
    checkNodeAffinity: !!(pod.nodeSelector || pod.requiredNodeTerms),
    checkPorts: pod.hostPorts.length > 0,
  };
}

/**
 * Runs the synchronous filters on one node; undefined when the node fits. This runs for every
 * node of every cycle, so checks that cannot apply are skipped before any call.
 */
export function runFilters(s: CycleState, ni: NodeInfo): Status | undefined {
  const pi = s.pod;
  let st: Status | undefined;
  if (ni.unschedulable && (st = nodeUnschedulableFilter(pi, ni))) return st;
  if (s.checkNodeName && (st = nodeNameFilter(pi, ni))) return st;
  if (ni.hardTaints.length && (st = taintTolerationFilter(pi, ni))) return st;
  if (s.checkNodeAffinity && (st = nodeAffinityFilter(pi, ni))) return st;
  if (s.checkPorts && (st = nodePortsFilter(pi, ni))) return st;
  if ((st = resourcesFitFilter(pi, ni))) return st;
  if (s.spread && (st = topologySpreadFilter(pi, ni, s.spread))) return st;
  if (s.interPodAffinity && (st = interPodAffinityFilter(pi, ni, s.interPodAffinity, s.view))) return st;
  return undefined;
}
