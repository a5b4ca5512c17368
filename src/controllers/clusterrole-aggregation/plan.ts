// What an aggregated cluster role's rules must be (pkg/controller/clusterroleaggregation/
// clusterroleaggregation_controller.go syncClusterRole): for each of its clusterRoleSelectors in
// order, the cluster roles that match it sorted by name (never the role itself, each role once),
// and their rules in that order without repeats. Pure: the controller feeds it the cache.
import { fromLabelSelector, matches, type LabelSelector } from '../../api/meta/labels.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { PolicyRule } from '../../auth/rbac/rules.ts';
import { deepEqual } from '../../util/deep-equal.ts';

export interface AggregationRule {
  clusterRoleSelectors?: LabelSelector[] | null;
}

export function aggregationRuleOf(role: KubeObject): AggregationRule | undefined {
  return (role.aggregationRule as AggregationRule | null | undefined) ?? undefined;
}

/** The rules `role` must hold, or undefined when it aggregates nothing (no aggregationRule). */
export function aggregatedRules(role: KubeObject, clusterRoles: readonly KubeObject[]): PolicyRule[] | undefined {
  const rule = aggregationRuleOf(role);
  if (!rule) return undefined;
  const sources: KubeObject[] = [];
  const seen = new Set<string>();
  for (const selector of rule.clusterRoleSelectors ?? []) {
    const sel = fromLabelSelector(selector);
    const matching = clusterRoles.filter((r) => matches(sel, r.metadata.labels)).sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
    for (const r of matching) {
      if (r.metadata.name === role.metadata.name || seen.has(r.metadata.name!)) continue;
      seen.add(r.metadata.name!);
      sources.push(r);
    }
  }
  const rules: PolicyRule[] = [];
  for (const src of sources) {
    for (const r of (src.rules as PolicyRule[] | null | undefined) ?? []) if (!rules.some((have) => deepEqual(have, r))) rules.push(r);
  }
  return rules;
}

/** The rules to write to `role`, or undefined when it already holds exactly them (or aggregates nothing). */
export function planAggregation(role: KubeObject, clusterRoles: readonly KubeObject[]): PolicyRule[] | undefined {
  const want = aggregatedRules(role, clusterRoles);
  if (!want) return undefined;
  return deepEqual(want, (role.rules as PolicyRule[] | null | undefined) ?? []) ? undefined : want;
}
