import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { DESCRIPTION_ANNOTATION, planRootCa, planServiceAccount, ROOT_CA_DESCRIPTION } from './plan.ts';

const ns = (o: { phase?: string; deleting?: boolean } = {}): KubeObject => ({
  metadata: { name: 'demo', ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  status: { phase: o.phase ?? 'Active' },
});
const CA = '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n';
const cm = (data: Record<string, string>, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'kube-root-ca.crt', namespace: 'demo', resourceVersion: '7', ...(annotations ? { annotations } : {}) },
  data,
});

describe('planServiceAccount', () => {
  it.each([
    { name: 'missing in an active namespace', ns: ns(), existing: undefined, want: 'create' },
    { name: 'present', ns: ns(), existing: { metadata: { name: 'default' } }, want: undefined },
    { name: 'terminating namespace', ns: ns({ phase: 'Terminating' }), existing: undefined, want: undefined },
    { name: 'namespace being deleted', ns: ns({ deleting: true }), existing: undefined, want: undefined },
    { name: 'namespace gone', ns: undefined, existing: undefined, want: undefined },
  ])('$name', (c) => {
    const sa = planServiceAccount(c.ns, c.existing);
    expect(sa ? 'create' : undefined).toBe(c.want);
    if (sa) expect(sa).toEqual({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'demo' } });
  });
});

describe('planRootCa', () => {
  const described = { [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION };
  it.each([
    { name: 'missing: created', existing: undefined, want: { kind: 'create', data: { 'ca.crt': CA }, annotations: described } },
    { name: 'current', existing: cm({ 'ca.crt': CA }, described), want: undefined },
    { name: 'reworded description: left alone', existing: cm({ 'ca.crt': CA }, { [DESCRIPTION_ANNOTATION]: 'ours' }), want: undefined },
    { name: 'description removed', existing: cm({ 'ca.crt': CA }), want: { kind: 'update', data: { 'ca.crt': CA }, annotations: described } },
    { name: 'another CA', existing: cm({ 'ca.crt': 'old' }, described), want: { kind: 'update', data: { 'ca.crt': CA }, annotations: described } },
    { name: 'extra keys dropped', existing: cm({ 'ca.crt': CA, extra: 'x' }, { ...described, keep: 'me' }), want: { kind: 'update', data: { 'ca.crt': CA }, annotations: { ...described, keep: 'me' } } },
  ])('$name', (c) => {
    const step = planRootCa(ns(), c.existing, CA);
    if (!c.want) return expect(step).toBeUndefined();
    expect(step?.kind).toBe(c.want.kind);
    expect(step?.configMap.data).toEqual(c.want.data);
    expect(step?.configMap.metadata.annotations).toEqual(c.want.annotations);
    if (step?.kind === 'update') expect(step.configMap.metadata.resourceVersion).toBe('7');
  });

  it('writes nothing in a terminating namespace', () => {
    expect(planRootCa(ns({ phase: 'Terminating' }), undefined, CA)).toBeUndefined();
  });
});
