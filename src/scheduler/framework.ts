// One scheduling cycle for one pod (pkg/scheduler/schedule_one.go schedulePod,
// findNodesThatFitPod, prioritizeNodes, selectHost): PreFilter, filter nodes round-robin from
// where the last cycle stopped until enough feasible nodes are found (percentageOfNodesToScore),
// the volume hook on the survivors, then weighted scores and a random pick among the best.
// Synchronous apart from the volume hooks, so the cache cannot change under a cycle without them.
import { preFilter, runFilters } from './filters/index.ts';
import type { Diagnosis } from './fit-error.ts';
import type { NodeInfo } from './node-info.ts';
import type { PodInfo } from './pod-info.ts';
import { interPodAffinityNormalize, interPodAffinityPreScore, interPodAffinityScore } from './scores/inter-pod-affinity.ts';
import { balancedAllocationScore, leastAllocatedScore, nodeAffinityScore, preferNoScheduleTolerations, taintTolerationScore } from './scores/node-scores.ts';
import { defaultNormalize } from './scores/normalize.ts';
import { topologySpreadNormalize, topologySpreadPreScore, topologySpreadScore } from './scores/topology-spread.ts';
import { unresolvable, type Node, type Pod, type Status } from './types.ts';
import type { ClusterView } from './view.ts';

/** Default-profile score weights (config/v1 default_plugins.go). */
export const WEIGHTS = { TaintToleration: 3, NodeAffinity: 2, NodeResourcesFit: 1, PodTopologySpread: 2, InterPodAffinity: 2, NodeResourcesBalancedAllocation: 1 } as const;

const MIN_FEASIBLE_NODES = 100;
/** NodeAffinity's PreFilter messages (errReasonConflict, and the status of nodes it left out). */
export const ERR_NODE_AFFINITY_CONFLICT = 'pod affinity terms conflict';
export const ERR_NODE_AFFINITY_PREFILTER = "node(s) didn't satisfy plugin(s) [NodeAffinity]";
const MIN_FEASIBLE_PERCENTAGE = 5;

/** How many feasible nodes to find before scoring (numFeasibleNodesToFind). */
export function numFeasibleNodesToFind(numAllNodes: number, percentage = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES) return numAllNodes;
  let pct = percentage;
  if (pct <= 0) pct = Math.max(MIN_FEASIBLE_PERCENTAGE, 50 - Math.trunc(numAllNodes / 125));
  const n = Math.trunc((numAllNodes * pct) / 100);
  return Math.max(n, MIN_FEASIBLE_NODES);
}

export interface VolumeHooks {
  /** Once per pod with claims, before nodes are filtered: a reason rejects every node. */
  volumePreFilter?(pod: Pod): Promise<string | undefined>;
  /** Per node that passed every other filter, for pods with claims: reasons reject the node. */
  volumeFilter?(pod: Pod, node: Node): Promise<string | string[] | undefined>;
}

export interface FrameworkOptions extends VolumeHooks {
  /** [0, 1) random source for tie-breaks (tests make it deterministic). */
  rng?: () => number;
  /** 0 (default) is upstream's adaptive percentage. */
  percentageOfNodesToScore?: number;
}

export type ScheduleOutcome = { node: NodeInfo; feasibleNodes: number; evaluatedNodes: number } | { diagnosis: Diagnosis };

export class Framework {
  private nextStartIndex = 0;
  private readonly rng: () => number;

  constructor(private readonly opts: FrameworkOptions = {}) {
    this.rng = opts.rng ?? Math.random;
  }

  /** Picks a node for the pod, or explains why none fits. */
  async schedule(pi: PodInfo, view: ClusterView): Promise<ScheduleOutcome> {
    const hooked = pi.hasClaims && (this.opts.volumeFilter || this.opts.volumePreFilter);
    if (!hooked) return this.scheduleSync(pi, view);
    const n = view.nodes.length;
    if (n === 0) return { diagnosis: { numAllNodes: 0, statuses: [] } };
    // NodeAffinity's PreFilter runs before VolumeBinding's.
    const cand = this.candidates(pi, view);
    if ('diagnosis' in cand) return cand;
    const preMsg = await this.opts.volumePreFilter?.(pi.pod);
    if (preMsg) return { diagnosis: { numAllNodes: n, statuses: [], preFilterMsg: preMsg } };
    // Volume binding is one more filter, as upstream: the search stops once enough nodes pass.
    const { nodes, absent } = cand;
    const m = nodes.length;
    const want = numFeasibleNodesToFind(m, this.opts.percentageOfNodesToScore);
    const state = preFilter(pi, view);
    const passing: NodeInfo[] = [];
    const statuses: Status[] = [];
    let processed = 0;
    for (let i = 0; i < m && passing.length < want; i++) {
      const ni = nodes[(this.nextStartIndex + i) % m]!;
      processed++;
      const st = runFilters(state, ni);
      if (st) {
        statuses.push(st);
        continue;
      }
      const v = await this.opts.volumeFilter?.(pi.pod, ni.node);
      if (v === undefined || v.length === 0) passing.push(ni);
      else statuses.push(unresolvable(...(typeof v === 'string' ? [v] : v)));
    }
    this.nextStartIndex = (this.nextStartIndex + processed) % n;
    return this.pick(pi, view, passing, statuses, n, absent);
  }

  /** The cycle for pods the volume hooks do not concern (everything synchronous). */
  scheduleSync(pi: PodInfo, view: ClusterView): ScheduleOutcome {
    const n = view.nodes.length;
    if (n === 0) return { diagnosis: { numAllNodes: 0, statuses: [] } };
    const cand = this.candidates(pi, view);
    if ('diagnosis' in cand) return cand;
    const { feasible, statuses } = this.filter(pi, view, cand.nodes, numFeasibleNodesToFind(cand.nodes.length, this.opts.percentageOfNodesToScore));
    return this.pick(pi, view, feasible, statuses, n, cand.absent);
  }

  /**
   * The nodes worth filtering (findNodesThatFitPod with NodeAffinity's PreFilter result): all of
   * them, or only those the required node affinity names, as a DaemonSet's pods do; the others
   * are reported as absent, not filtered one by one.
   */
  private candidates(pi: PodInfo, view: ClusterView): { nodes: readonly NodeInfo[]; absent?: Diagnosis['absent'] } | { diagnosis: Diagnosis } {
    const n = view.nodes.length;
    const names = pi.requiredNodeNames;
    if (!names) return { nodes: view.nodes };
    if (!names.size) return { diagnosis: { numAllNodes: n, statuses: [], preFilterMsg: ERR_NODE_AFFINITY_CONFLICT } };
    const nodes: NodeInfo[] = [];
    for (const name of names) {
      const ni = view.nodeInfo(name);
      if (ni) nodes.push(ni);
    }
    return { nodes, absent: { count: n - nodes.length, status: unresolvable(ERR_NODE_AFFINITY_PREFILTER) } };
  }

  private filter(pi: PodInfo, view: ClusterView, nodes: readonly NodeInfo[], want: number): { feasible: NodeInfo[]; statuses: Status[] } {
    const m = nodes.length;
    const state = preFilter(pi, view);
    const feasible: NodeInfo[] = [];
    const statuses: Status[] = [];
    let processed = 0;
    for (let i = 0; i < m && feasible.length < want; i++) {
      const ni = nodes[(this.nextStartIndex + i) % m]!;
      processed++;
      const st = runFilters(state, ni);
      if (st) statuses.push(st);
      else feasible.push(ni);
    }
    // The start moves over all nodes, whatever subset was searched (as upstream).
    this.nextStartIndex = (this.nextStartIndex + processed) % view.nodes.length;
    return { feasible, statuses };
  }

  private pick(pi: PodInfo, view: ClusterView, feasible: NodeInfo[], statuses: Status[], n: number, absent?: Diagnosis['absent']): ScheduleOutcome {
    if (!feasible.length) return { diagnosis: { numAllNodes: n, statuses, ...(absent?.count ? { absent } : {}) } };
    const evaluatedNodes = feasible.length + statuses.length;
    if (feasible.length === 1) return { node: feasible[0]!, feasibleNodes: 1, evaluatedNodes };
    const totals = scoreNodes(pi, view, feasible);
    return { node: this.selectHost(feasible, totals), feasibleNodes: feasible.length, evaluatedNodes };
  }

  /** The highest total; ties broken uniformly at random (reservoir sampling, as upstream). */
  private selectHost(nodes: NodeInfo[], totals: Float64Array): NodeInfo {
    let best = 0;
    let ties = 1;
    for (let i = 1; i < nodes.length; i++) {
      if (totals[i]! > totals[best]!) {
        best = i;
        ties = 1;
      } else if (totals[i] === totals[best]) {
        ties++;
        if (Math.floor(this.rng() * ties) === 0) best = i;
      }
    }
    return nodes[best]!;
  }
}

/**
 * Weighted sum of the normalised plugin scores for each feasible node. A plugin that would give
 * every node the same score is skipped: it cannot change the ranking.
 */
export function scoreNodes(pi: PodInfo, view: ClusterView, nodes: NodeInfo[]): Float64Array {
  const totals = new Float64Array(nodes.length);
  const raw = new Array<number>(nodes.length);
  const accumulate = (weight: number) => {
    for (let i = 0; i < nodes.length; i++) totals[i]! += weight * raw[i]!;
  };
  const softTols = preferNoScheduleTolerations(pi.tolerations);
  if (nodes.some((ni) => ni.softTaints.length)) {
    for (let i = 0; i < nodes.length; i++) raw[i] = taintTolerationScore(softTols, nodes[i]!);
    defaultNormalize(raw, true);
    accumulate(WEIGHTS.TaintToleration);
  }
  if (pi.preferredNodeTerms.length) {
    for (let i = 0; i < nodes.length; i++) raw[i] = nodeAffinityScore(pi, nodes[i]!);
    defaultNormalize(raw, false);
    accumulate(WEIGHTS.NodeAffinity);
  }
  // NodeResourcesFit (LeastAllocated) and BalancedAllocation in one pass; Balanced skips
  // best-effort pods (no cpu or memory request), as upstream's PreScore does.
  const balanced = pi.requests.milliCpu > 0 || pi.requests.memory > 0;
  for (let i = 0; i < nodes.length; i++) {
    const ni = nodes[i]!;
    totals[i]! += WEIGHTS.NodeResourcesFit * leastAllocatedScore(pi, ni) + (balanced ? WEIGHTS.NodeResourcesBalancedAllocation * balancedAllocationScore(pi, ni) : 0);
  }
  const spread = topologySpreadPreScore(pi, nodes, view);
  if (spread) {
    for (let i = 0; i < nodes.length; i++) raw[i] = topologySpreadScore(spread, pi, nodes[i]!);
    topologySpreadNormalize(spread, nodes, raw);
    accumulate(WEIGHTS.PodTopologySpread);
  }
  const affinity = interPodAffinityPreScore(pi, view);
  if (affinity) {
    for (let i = 0; i < nodes.length; i++) raw[i] = interPodAffinityScore(affinity, nodes[i]!);
    interPodAffinityNormalize(raw);
    accumulate(WEIGHTS.InterPodAffinity);
  }
  return totals;
}
