// InterPodAffinity filter (pkg/scheduler/framework/plugins/interpodaffinity/filtering.go).
// PreFilter counts, per topology pair (key=value of a node label), the existing pods that match
// the incoming pod's required affinity / anti-affinity terms, and the existing pods whose own
// required anti-affinity terms match the incoming pod. Filter then checks a node's pairs.
import type { NodeInfo } from '../node-info.ts';
import { termMatches, type AffinityTerm, type PodInfo } from '../pod-info.ts';
import { unresolvable, unschedulable, type Status } from '../types.ts';
import { pairKey, type ClusterView } from '../view.ts';

export const ERR_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

export interface InterPodAffinityState {
  affinityCounts: Map<string, number>;
  antiAffinityCounts: Map<string, number>;
  existingAntiAffinityCounts: Map<string, number>;
}

const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

/** The namespaces whose pods the terms can select, or undefined for all of them. */
export function termNamespaces(terms: AffinityTerm[]): Set<string> | undefined {
  const out = new Set<string>();
  for (const t of terms) {
    if (t.namespaceSelector) return undefined;
    for (const ns of t.namespaces) out.add(ns);
  }
  return out;
}

export function* podsInScope(view: ClusterView, terms: AffinityTerm[]): Iterable<[PodInfo, NodeInfo]> {
  const namespaces = termNamespaces(terms);
  if (!namespaces) yield* view.assignedPods();
  else for (const ns of namespaces) yield* view.assignedPods(ns);
}

/** undefined when the filter has nothing to check for this pod (upstream's Skip). */
export function interPodAffinityPreFilter(pi: PodInfo, view: ClusterView): InterPodAffinityState | undefined {
  const state: InterPodAffinityState = { affinityCounts: new Map(), antiAffinityCounts: new Map(), existingAntiAffinityCounts: new Map() };
  let any = false;
  for (const [ep, en] of view.podsWithRequiredAntiAffinity()) {
    any = true;
    for (const term of ep.requiredAntiAffinity) {
      const value = en.labels[term.topologyKey];
      if (value !== undefined && termMatches(term, pi, view.nsLabels)) bump(state.existingAntiAffinityCounts, pairKey(term.topologyKey, value));
    }
  }
  const aff = pi.requiredAffinity;
  const anti = pi.requiredAntiAffinity;
  if (!aff.length && !anti.length) return any ? state : undefined;
  for (const [ep, en] of podsInScope(view, [...aff, ...anti])) {
    if (aff.length && aff.every((t) => termMatches(t, ep, view.nsLabels))) {
      for (const t of aff) {
        const value = en.labels[t.topologyKey];
        if (value !== undefined) bump(state.affinityCounts, pairKey(t.topologyKey, value));
      }
    }
    for (const t of anti) {
      const value = en.labels[t.topologyKey];
      if (value !== undefined && termMatches(t, ep, view.nsLabels)) bump(state.antiAffinityCounts, pairKey(t.topologyKey, value));
    }
  }
  return state;
}

function satisfiesAffinity(pi: PodInfo, ni: NodeInfo, s: InterPodAffinityState, view: ClusterView): boolean {
  let podsExist = true;
  for (const t of pi.requiredAffinity) {
    const value = ni.labels[t.topologyKey];
    // Every topology key must exist on the node.
    if (value === undefined) return false;
    if ((s.affinityCounts.get(pairKey(t.topologyKey, value)) ?? 0) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group with affinity to itself: no pod matches anywhere yet, but the pod
  // matches its own terms, so it may go to any node that has the topology keys.
  return s.affinityCounts.size === 0 && pi.requiredAffinity.every((t) => termMatches(t, pi, view.nsLabels));
}

export function interPodAffinityFilter(pi: PodInfo, ni: NodeInfo, s: InterPodAffinityState | undefined, view: ClusterView): Status | undefined {
  if (!s) return undefined;
  if (pi.requiredAffinity.length && !satisfiesAffinity(pi, ni, s, view)) return unresolvable(ERR_AFFINITY);
  if (s.antiAffinityCounts.size) {
    for (const t of pi.requiredAntiAffinity) {
      const value = ni.labels[t.topologyKey];
      if (value !== undefined && (s.antiAffinityCounts.get(pairKey(t.topologyKey, value)) ?? 0) > 0) return unschedulable(ERR_ANTI_AFFINITY);
    }
  }
  if (s.existingAntiAffinityCounts.size) {
    for (const [k, v] of Object.entries(ni.labels)) {
      if ((s.existingAntiAffinityCounts.get(pairKey(k, v)) ?? 0) > 0) return unschedulable(ERR_EXISTING_ANTI_AFFINITY);
    }
  }
  return undefined;
}
