import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import type { PolicyRule } from '../../auth/rbac/rules.ts';
import { aggregatedRules, planAggregation } from './plan.ts';

const get = (resource: string): PolicyRule => ({ verbs: ['get'], apiGroups: [''], resources: [resource] });
const cr = (name: string, labels: Record<string, string>, rules: PolicyRule[] = [], aggregateLabel?: string): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name, labels },
  rules,
  ...(aggregateLabel ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [aggregateLabel]: 'true' } }] } } : {}),
});

describe('aggregatedRules', () => {
  const view = cr('view', { 'to-edit': 'true' }, [], 'to-view');
  it.each<[string, KubeObject, KubeObject[], PolicyRule[] | undefined]>([
    ['no aggregation rule', cr('plain', {}, [get('pods')]), [], undefined],
    ['nothing selected', view, [view], []],
    ['sources sorted by name', view, [view, cr('z', { 'to-view': 'true' }, [get('secrets')]), cr('a', { 'to-view': 'true' }, [get('pods')])], [get('pods'), get('secrets')]],
    ['repeated rules once', view, [cr('a', { 'to-view': 'true' }, [get('pods')]), cr('b', { 'to-view': 'true' }, [get('pods'), get('nodes')])], [get('pods'), get('nodes')]],
    ['unlabelled roles ignored', view, [cr('a', { other: 'true' }, [get('pods')])], []],
    ['never itself', cr('self', { 'to-view': 'true' }, [get('x')], 'to-view'), [cr('self', { 'to-view': 'true' }, [get('x')], 'to-view')], []],
  ])('%s', (_, role, all, want) => {
    expect(aggregatedRules(role, all)).toEqual(want);
  });

  it('each selector in order, each source once', () => {
    const role: KubeObject = { ...cr('both', {}), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { b: 'true' } }, { matchLabels: { a: 'true' } }] } };
    const all = [cr('x', { a: 'true' }, [get('a')]), cr('y', { b: 'true', a: 'true' }, [get('b')])];
    expect(aggregatedRules(role, all)).toEqual([get('b'), get('a')]);
  });
});

describe('planAggregation', () => {
  it('writes only when the rules differ', () => {
    const src = cr('a', { 'to-view': 'true' }, [get('pods')]);
    expect(planAggregation(cr('view', {}, [], 'to-view'), [src])).toEqual([get('pods')]);
    expect(planAggregation(cr('view', {}, [get('pods')], 'to-view'), [src])).toBeUndefined();
  });
});
