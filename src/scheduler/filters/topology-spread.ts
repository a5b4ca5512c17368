// PodTopologySpread filter (pkg/scheduler/framework/plugins/podtopologyspread/{common,filtering}.go).
// PreFilter counts, for each DoNotSchedule constraint, the pods matching its selector in every
// topology domain of the eligible nodes (those carrying all constraint keys and, by default,
// matching the pod's node affinity); Filter rejects a node when placing the pod there would make
// its domain exceed the global minimum by more than maxSkew.
import { fromLabelSelector, matches, type Selector } from '../../api/meta/labels.ts';
import type { NodeInfo } from '../node-info.ts';
import { nodeMatchesRequired, type PodInfo } from '../pod-info.ts';
import { findUntoleratedTaint } from './node-basics.ts';
import { unresolvable, unschedulable, type Status } from '../types.ts';
import type { ClusterView } from '../view.ts';

export const ERR_SPREAD = "node(s) didn't match pod topology spread constraints";
export const ERR_SPREAD_LABEL = `${ERR_SPREAD} (missing required label)`;

export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  /** undefined selects nothing (nil labelSelector). */
  selector: Selector | undefined;
  minDomains: number;
  honorNodeAffinity: boolean;
  honorNodeTaints: boolean;
}

/** The pod's constraints with the given whenUnsatisfiable, matchLabelKeys merged into the selector. */
export function compileConstraints(pi: PodInfo, action: 'DoNotSchedule' | 'ScheduleAnyway'): SpreadConstraint[] {
  const out: SpreadConstraint[] = [];
  for (const c of pi.spreadConstraints) {
    if (c.whenUnsatisfiable !== action) continue;
    let selector: Selector | undefined;
    try {
      selector = c.labelSelector ? fromLabelSelector(c.labelSelector) : undefined;
    } catch {
      selector = undefined;
    }
    if (selector && c.matchLabelKeys?.length) {
      for (const k of c.matchLabelKeys) if (k in pi.labels) selector = [...selector, { key: k, operator: 'In', values: [pi.labels[k]!] }];
    }
    out.push({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector,
      minDomains: c.minDomains ?? 1,
      honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
      honorNodeTaints: (c.nodeTaintsPolicy ?? 'Ignore') === 'Honor',
    });
  }
  return out;
}

export function hasAllTopologyKeys(ni: NodeInfo, constraints: SpreadConstraint[]): boolean {
  for (const c of constraints) if (!(c.topologyKey in ni.labels)) return false;
  return true;
}

/** Node inclusion policies: nodeAffinityPolicy (default Honor), nodeTaintsPolicy (default Ignore). */
export function includesNode(c: SpreadConstraint, pi: PodInfo, ni: NodeInfo): boolean {
  if (c.honorNodeAffinity && (pi.nodeSelector || pi.requiredNodeTerms) && !nodeMatchesRequired(pi, ni.node)) return false;
  if (c.honorNodeTaints && findUntoleratedTaint(ni.hardTaints, pi.tolerations)) return false;
  return true;
}

export const countsTowards = (sel: Selector | undefined, ep: PodInfo, namespace: string) =>
  !!sel && ep.namespace === namespace && !ep.terminating && matches(sel, ep.labels);

export interface SpreadFilterState {
  constraints: SpreadConstraint[];
  /** Per constraint: domain value → matching pods (every eligible domain present, maybe 0). */
  counts: Map<string, number>[];
  /** Per constraint: the smallest count over its domains. */
  minCounts: number[];
}

export function topologySpreadPreFilter(pi: PodInfo, view: ClusterView): SpreadFilterState | undefined {
  const constraints = compileConstraints(pi, 'DoNotSchedule');
  if (!constraints.length) return undefined;
  const counts = constraints.map(() => new Map<string, number>());
  const eligible = constraints.map(() => new Set<NodeInfo>());
  for (const ni of view.nodes) {
    if (!hasAllTopologyKeys(ni, constraints)) continue;
    constraints.forEach((c, i) => {
      if (!includesNode(c, pi, ni)) return;
      eligible[i]!.add(ni);
      const v = ni.labels[c.topologyKey]!;
      if (!counts[i]!.has(v)) counts[i]!.set(v, 0);
    });
  }
  for (const [ep, en] of view.assignedPods(pi.namespace)) {
    constraints.forEach((c, i) => {
      if (eligible[i]!.has(en) && countsTowards(c.selector, ep, pi.namespace)) {
        const v = en.labels[c.topologyKey]!;
        counts[i]!.set(v, counts[i]!.get(v)! + 1);
      }
    });
  }
  const minCounts = counts.map((m) => (m.size ? Math.min(...m.values()) : Number.MAX_SAFE_INTEGER));
  return { constraints, counts, minCounts };
}

export function topologySpreadFilter(pi: PodInfo, ni: NodeInfo, s: SpreadFilterState | undefined): Status | undefined {
  if (!s) return undefined;
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i]!;
    const value = ni.labels[c.topologyKey];
    if (value === undefined) return unresolvable(ERR_SPREAD_LABEL);
    // With fewer domains than minDomains the global minimum is treated as 0.
    const min = s.counts[i]!.size < c.minDomains ? 0 : s.minCounts[i]!;
    const self = c.selector && matches(c.selector, pi.labels) ? 1 : 0;
    const skew = (s.counts[i]!.get(value) ?? 0) + self - min;
    if (skew > c.maxSkew) return unschedulable(ERR_SPREAD);
  }
  return undefined;
}
