// InterPodAffinity score (pkg/scheduler/framework/plugins/interpodaffinity/scoring.go): each
// existing pod adds to its node's topology pairs the weights of the incoming pod's preferred
// affinity terms it matches (anti-affinity subtracts), plus, for the existing pod's own terms
// matching the incoming pod, hardPodAffinityWeight (1) per required affinity term and the
// weights of its preferred affinity (+) and anti-affinity (−) terms. A node scores the sum over
// its labels; scores are then scaled min–max to [0, 100].
import { podsInScope } from '../filters/inter-pod-affinity.ts';
import type { NodeInfo } from '../node-info.ts';
import { termMatches, type AffinityTerm, type PodInfo } from '../pod-info.ts';
import { pairKey, type ClusterView } from '../view.ts';
import { MAX_NODE_SCORE } from './normalize.ts';

export const HARD_POD_AFFINITY_WEIGHT = 1;

/** Topology pair → score; undefined when nothing applies (upstream's Skip: every node 0). */
export function interPodAffinityPreScore(pi: PodInfo, view: ClusterView): Map<string, number> | undefined {
  const scores = new Map<string, number>();
  const add = (term: AffinityTerm, weight: number, target: PodInfo, node: NodeInfo) => {
    const value = node.labels[term.topologyKey];
    if (value === undefined || !termMatches(term, target, view.nsLabels)) return;
    const k = pairKey(term.topologyKey, value);
    scores.set(k, (scores.get(k) ?? 0) + weight);
  };
  const incomingTerms = pi.preferredAffinity.length + pi.preferredAntiAffinity.length > 0;
  if (incomingTerms) {
    for (const [ep, en] of podsInScope(view, [...pi.preferredAffinity, ...pi.preferredAntiAffinity])) {
      for (const t of pi.preferredAffinity) add(t, t.weight, ep, en);
      for (const t of pi.preferredAntiAffinity) add(t, -t.weight, ep, en);
    }
  }
  for (const [ep, en] of view.podsWithAffinity()) {
    for (const t of ep.requiredAffinity) add(t, HARD_POD_AFFINITY_WEIGHT, pi, en);
    for (const t of ep.preferredAffinity) add(t, t.weight, pi, en);
    for (const t of ep.preferredAntiAffinity) add(t, -t.weight, pi, en);
  }
  return scores.size ? scores : undefined;
}

export function interPodAffinityScore(scores: Map<string, number>, ni: NodeInfo): number {
  let s = 0;
  for (const [k, v] of Object.entries(ni.labels)) s += scores.get(pairKey(k, v)) ?? 0;
  return s;
}

/** Min–max scaling to [0, 100]; all equal → all 0. */
export function interPodAffinityNormalize(scores: number[]): void {
  let min = Infinity;
  let max = -Infinity;
  for (const s of scores) {
    if (s < min) min = s;
    if (s > max) max = s;
  }
  const diff = max - min;
  for (let i = 0; i < scores.length; i++) scores[i] = diff > 0 ? Math.trunc((MAX_NODE_SCORE * (scores[i]! - min)) / diff) : 0;
}
