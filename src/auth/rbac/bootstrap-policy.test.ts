import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { reconcileBootstrap } from './bootstrap-policy.ts';
import { BOOTSTRAP_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_CLUSTER_ROLES } from './bootstrap-roles.ts';

const byName = (list: readonly KubeObject[], name: string) => structuredClone(list.find((o) => o.metadata.name === name)!);

describe('reconcileBootstrap', () => {
  it('leaves a current object alone', () => {
    for (const o of [...BOOTSTRAP_CLUSTER_ROLES, ...BOOTSTRAP_CLUSTER_ROLE_BINDINGS]) expect(reconcileBootstrap(structuredClone(o), o)).toBeUndefined();
  });

  it('adds missing rules and keeps extra ones', () => {
    const want = byName(BOOTSTRAP_CLUSTER_ROLES, 'system:basic-user');
    const extra = { verbs: ['get'], apiGroups: [''], resources: ['pods'] };
    const have = { ...structuredClone(want), rules: [extra] };
    expect(reconcileBootstrap(have, want)!.rules).toEqual([extra, ...(want.rules as unknown[])]);
  });

  it('keeps aggregated rules and restores selectors', () => {
    const want = byName(BOOTSTRAP_CLUSTER_ROLES, 'view');
    const have = { ...structuredClone(want), aggregationRule: { clusterRoleSelectors: [] }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] };
    const next = reconcileBootstrap(have, want)!;
    expect(next.aggregationRule).toEqual(want.aggregationRule);
    expect(next.rules).toEqual(have.rules);
  });

  it('adds missing subjects to a binding', () => {
    const want = byName(BOOTSTRAP_CLUSTER_ROLE_BINDINGS, 'cluster-admin');
    expect(reconcileBootstrap({ ...structuredClone(want), subjects: [] }, want)!.subjects).toEqual(want.subjects);
  });

  it('respects autoupdate false', () => {
    const want = byName(BOOTSTRAP_CLUSTER_ROLES, 'system:basic-user');
    const have = { ...structuredClone(want), metadata: { ...want.metadata, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'false' } }, rules: [] };
    expect(reconcileBootstrap(have, want)).toBeUndefined();
  });
});
