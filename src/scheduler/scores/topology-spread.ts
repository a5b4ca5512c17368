// PodTopologySpread score (pkg/scheduler/framework/plugins/podtopologyspread/scoring.go):
// ScheduleAnyway constraints, or, for a pod without constraints, the system defaults (hostname
// maxSkew 3, zone maxSkew 5) over the pods of the same owner. A node's raw score is, per
// constraint, matching pods in its domain × log(domains + 2) + maxSkew − 1; fewer is better, so
// normalisation inverts it. Nodes lacking a required topology key score 0.
import { compileConstraints, countsTowards, hasAllTopologyKeys, includesNode, type SpreadConstraint } from '../filters/topology-spread.ts';
import type { NodeInfo } from '../node-info.ts';
import type { PodInfo } from '../pod-info.ts';
import { LABEL_HOSTNAME, LABEL_ZONE } from '../types.ts';
import type { ClusterView } from '../view.ts';
import { MAX_NODE_SCORE } from './normalize.ts';

export interface SpreadScoreState {
  constraints: SpreadConstraint[];
  /** Count pods by ownerReferences[0] (system defaults) instead of the selector. */
  ownerUid: string | undefined;
  ignored: Set<NodeInfo>;
  /** Per constraint (non-hostname keys): domain value → matching pods. */
  counts: Map<string, number>[];
  weights: number[];
}

/** kube-scheduler's system default constraints (config/v1 defaults, List defaulting). */
export const SYSTEM_DEFAULT_CONSTRAINTS = [
  { maxSkew: 3, topologyKey: LABEL_HOSTNAME },
  { maxSkew: 5, topologyKey: LABEL_ZONE },
];

function countOnNode(s: SpreadScoreState, c: SpreadConstraint, pi: PodInfo, ni: NodeInfo): number {
  if (s.ownerUid) return ni.ownerCounts.get(s.ownerUid) ?? 0;
  let n = 0;
  for (const ep of ni.pods.values()) if (countsTowards(c.selector, ep, pi.namespace)) n++;
  return n;
}

/** undefined when the pod has no soft constraints (upstream's Skip: every node 0). */
export function topologySpreadPreScore(pi: PodInfo, feasible: NodeInfo[], view: ClusterView): SpreadScoreState | undefined {
  const explicit = pi.spreadConstraints.length > 0;
  let constraints: SpreadConstraint[];
  if (explicit) constraints = compileConstraints(pi, 'ScheduleAnyway');
  else if (pi.ownerUid) constraints = SYSTEM_DEFAULT_CONSTRAINTS.map((d) => ({ ...d, selector: [], minDomains: 1, honorNodeAffinity: true, honorNodeTaints: false }));
  else return undefined;
  if (!constraints.length) return undefined;
  const s: SpreadScoreState = { constraints, ownerUid: explicit ? undefined : pi.ownerUid, ignored: new Set(), counts: constraints.map(() => new Map()), weights: [] };
  // Only explicit constraints require every key on the node, so unzoned nodes still spread by host.
  const sizes = constraints.map(() => 0);
  for (const ni of feasible) {
    if (explicit && !hasAllTopologyKeys(ni, constraints)) {
      s.ignored.add(ni);
      continue;
    }
    constraints.forEach((c, i) => {
      if (c.topologyKey === LABEL_HOSTNAME) return;
      const v = ni.labels[c.topologyKey] ?? '';
      if (!s.counts[i]!.has(v)) {
        s.counts[i]!.set(v, 0);
        sizes[i]!++;
      }
    });
  }
  s.weights = constraints.map((c, i) => Math.log((c.topologyKey === LABEL_HOSTNAME ? feasible.length - s.ignored.size : sizes[i]!) + 2));
  // Domain counts over every node, not only the feasible ones; skipped when no feasible node
  // carries the key (none of them could get credit for it).
  const needed = constraints.map((c, i) => c.topologyKey !== LABEL_HOSTNAME && [...s.counts[i]!.keys()].some((v) => v !== ''));
  if (needed.some(Boolean)) {
    for (const ni of view.nodes) {
      if (explicit && !hasAllTopologyKeys(ni, constraints)) continue;
      constraints.forEach((c, i) => {
        if (!needed[i] || !includesNode(c, pi, ni)) return;
        const v = ni.labels[c.topologyKey] ?? '';
        const cur = s.counts[i]!.get(v);
        if (cur !== undefined) s.counts[i]!.set(v, cur + countOnNode(s, c, pi, ni));
      });
    }
  }
  return s;
}

export function topologySpreadScore(s: SpreadScoreState, pi: PodInfo, ni: NodeInfo): number {
  if (s.ignored.has(ni)) return 0;
  let score = 0;
  s.constraints.forEach((c, i) => {
    const v = ni.labels[c.topologyKey];
    if (v === undefined) return;
    const cnt = c.topologyKey === LABEL_HOSTNAME ? countOnNode(s, c, pi, ni) : (s.counts[i]!.get(v) ?? 0);
    score += cnt * s.weights[i]! + (c.maxSkew - 1);
  });
  return Math.round(score);
}

/** Inverts raw scores into [0, 100]: the emptiest domains get the most. */
export function topologySpreadNormalize(s: SpreadScoreState, nodes: NodeInfo[], scores: number[]): void {
  let min = Infinity;
  let max = 0;
  nodes.forEach((ni, i) => {
    if (s.ignored.has(ni)) return;
    min = Math.min(min, scores[i]!);
    max = Math.max(max, scores[i]!);
  });
  nodes.forEach((ni, i) => {
    if (s.ignored.has(ni)) scores[i] = 0;
    else if (max === 0) scores[i] = MAX_NODE_SCORE;
    else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - scores[i]!)) / max);
  });
}
