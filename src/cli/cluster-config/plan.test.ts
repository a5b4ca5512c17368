import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import type { NodeConfig } from './parse.ts';
import { CONFIG_LABELS_ANNOTATION, CONFIG_TAINTS_ANNOTATION, nodeObjectFor, planNodes } from './plan.ts';

const cfg = (name: string, o: Partial<NodeConfig> = {}): NodeConfig => ({ name, role: 'worker', labels: {}, taints: [], capacity: {}, ...o });
/** A node as an earlier apply (or `up --config`) of `was` made it, plus what else happened to it since. */
const node = (was: NodeConfig, o: { labels?: Record<string, string>; taints?: { key: string; value?: string; effect: string }[]; simulated?: boolean } = {}): KubeObject => {
  const n = nodeObjectFor(was, 0, false);
  n.metadata.labels = { ...n.metadata.labels, ...o.labels };
  if (o.taints) (n.spec as { taints?: unknown[] }).taints = [...((n.spec as { taints?: unknown[] }).taints ?? []), ...o.taints];
  if (o.simulated === false) delete n.metadata.annotations!['node.k8ts.io/simulated'];
  return n;
};

describe('planNodes', () => {
  it('creates what the file adds and removes simulated nodes it no longer lists, never an agent node', () => {
    const p = planNodes([cfg('a'), cfg('b')], [node(cfg('a')), node(cfg('old')), node(cfg('agent'), { simulated: false })]);
    expect(p.create.map((n) => n.name)).toEqual(['b']);
    expect(p.remove).toEqual(['old']);
    expect(p.unchanged).toEqual(['a']);
  });

  const cases: { name: string; was: NodeConfig; now: NodeConfig; extra?: Parameters<typeof node>[1]; what: string[]; labels?: Record<string, string | null>; taints?: string[] }[] = [
    { name: 'a label added and one changed', was: cfg('a', { labels: { x: '1' } }), now: cfg('a', { labels: { x: '2', y: '3' } }), what: ['labeled'], labels: { x: '2', y: '3' } },
    { name: 'a label the file set and dropped is removed; others are not', was: cfg('a', { labels: { x: '1' } }), now: cfg('a'), extra: { labels: { mine: 'kept' } }, what: ['labeled'], labels: { x: null } },
    { name: 'a taint added', was: cfg('a'), now: cfg('a', { taints: [{ key: 'gpu', effect: 'NoExecute' }] }), what: ['tainted'], taints: ['gpu:NoExecute'] },
    { name: "a taint the file dropped goes, a controller's stays", was: cfg('a', { taints: [{ key: 'gpu', effect: 'NoExecute' }] }), now: cfg('a'), extra: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] }, what: ['untainted'], taints: ['node.kubernetes.io/unreachable:NoExecute'] },
    { name: 'a taint value changed', was: cfg('a', { taints: [{ key: 'd', value: 'x', effect: 'NoSchedule' }] }), now: cfg('a', { taints: [{ key: 'd', value: 'y', effect: 'NoSchedule' }] }), what: ['tainted'], taints: ['d:NoSchedule'] },
    { name: 'capacity', was: cfg('a'), now: cfg('a', { capacity: { cpu: '16', pods: '50' } }), what: ['capacity changed'] },
  ];
  it.each(cases)('$name', ({ was, now, extra, what, labels, taints }) => {
    const p = planNodes([now], [node(was, extra)]);
    expect(p.change).toHaveLength(1);
    const ch = p.change[0]!;
    expect(ch.what).toEqual(what);
    if (labels) expect(ch.patch.metadata.labels).toEqual(labels);
    if (taints) expect(ch.patch.spec?.taints?.map((t) => `${t.key}:${t.effect}`)).toEqual(taints);
  });

  it('keeps the control-plane taint unless pods may run there', () => {
    const cp = cfg('cp', { role: 'control-plane' });
    expect(planNodes([cp], [node(cp)]).unchanged).toEqual(['cp']);
    const freed = planNodes([cp], [node(cp)], true).change[0]!;
    expect(freed.what).toEqual(['untainted']);
    expect(freed.patch.spec?.taints).toBeNull();
  });

  it('remembers what the file set on a new node', () => {
    const n = nodeObjectFor(cfg('a', { labels: { b: '1', a: '2' }, taints: [{ key: 'k', effect: 'NoSchedule' }], capacity: { 'ephemeral-storage': '10Gi' } }), 3, false);
    expect(n.metadata.annotations![CONFIG_LABELS_ANNOTATION]).toBe('a,b');
    expect(n.metadata.annotations![CONFIG_TAINTS_ANNOTATION]).toBe('k:NoSchedule');
    expect(n.metadata.annotations!['node.k8ts.io/ephemeral-storage']).toBe('10Gi');
    expect((n.spec as { podCIDR: string }).podCIDR).toBe('10.244.3.0/24');
  });
});
