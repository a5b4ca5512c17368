import { describe, expect, it } from 'vitest';
import { podInfo } from '../pod-info.ts';
import { makeNode, makePod, nodeInfo } from '../testing.ts';
import { staticView } from '../view.ts';
import { interPodAffinityNormalize, interPodAffinityPreScore, interPodAffinityScore } from './inter-pod-affinity.ts';
import { balancedAllocationScore, leastAllocatedScore, nodeAffinityScore, preferNoScheduleTolerations, taintTolerationScore } from './node-scores.ts';
import { defaultNormalize } from './normalize.ts';
import { topologySpreadNormalize, topologySpreadPreScore, topologySpreadScore } from './topology-spread.ts';

describe('defaultNormalize', () => {
  it.each<[number[], boolean, number[]]>([
    [[0, 5, 10], false, [0, 50, 100]],
    [[0, 5, 10], true, [100, 50, 0]],
    [[0, 0], false, [0, 0]],
    [[0, 0], true, [100, 100]],
    [[1, 3], false, [33, 100]],
  ])('%j reverse=%s → %j', (raw, reverse, want) => {
    const s = [...raw];
    defaultNormalize(s, reverse);
    expect(s).toEqual(want);
  });
});

describe('resource scores', () => {
  // 4 cpu, 8Gi node.
  it.each<[string, { cpu?: string; memory?: string }, { cpu?: string; memory?: string }[], number, number]>([
    ['empty node, best effort pod (defaults 100m/200Mi)', {}, [], 97, 100],
    ['half used', { cpu: '1', memory: '2Gi' }, [{ cpu: '1', memory: '2Gi' }], 50, 100],
    ['cpu heavy', { cpu: '2' }, [{ cpu: '2' }], 47, 50],
    ['full', { cpu: '4', memory: '8Gi' }, [], 0, 100],
  ])('%s', (_, pod, existing, least, balanced) => {
    const ni = nodeInfo(makeNode('n'), existing.map((e, i) => makePod(`e${i}`, e)));
    const pi = podInfo(makePod('p', pod));
    expect(leastAllocatedScore(pi, ni)).toBe(least);
    expect(balancedAllocationScore(pi, ni)).toBe(balanced);
  });
});

describe('node affinity and taint scores', () => {
  const pref = (weight: number, key: string) => ({ weight, preference: { matchExpressions: [{ key, operator: 'Exists' }] } });
  it.each<[string, Record<string, string>, number]>([
    ['no match', {}, 0],
    ['one term', { ssd: '1' }, 20],
    ['both terms', { ssd: '1', fast: '1' }, 50],
  ])('preferred node affinity: %s', (_, labels, want) => {
    const pi = podInfo(makePod('p', { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [pref(20, 'ssd'), pref(30, 'fast')] } } }));
    expect(nodeAffinityScore(pi, nodeInfo(makeNode('n', { labels })))).toBe(want);
  });

  it.each<[string, { key?: string; operator?: string; effect?: string }[], number]>([
    ['untolerated', [], 2],
    ['one tolerated', [{ key: 'a', operator: 'Exists' }], 1],
    ['NoSchedule tolerations do not count', [{ operator: 'Exists', effect: 'NoSchedule' }], 2],
    ['all tolerated', [{ operator: 'Exists', effect: 'PreferNoSchedule' }], 0],
  ])('PreferNoSchedule taints: %s', (_, tolerations, want) => {
    const ni = nodeInfo(makeNode('n', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }, { key: 'b', effect: 'PreferNoSchedule' }, { key: 'c', effect: 'NoSchedule' }] }));
    expect(taintTolerationScore(preferNoScheduleTolerations(tolerations), ni)).toBe(want);
  });
});

describe('inter-pod affinity score', () => {
  const term = (weight: number) => ({ weight, podAffinityTerm: { labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' } });
  it.each<[string, object, number[]]>([
    ['preferred affinity pulls towards db', { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [term(10)] } }, [100, 0, 0]],
    ['preferred anti-affinity pushes away', { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [term(10)] } }, [0, 100, 100]],
  ])('%s', (_, affinity, want) => {
    const nodes = [nodeInfo(makeNode('a'), [makePod('db', { labels: { app: 'db' } })]), nodeInfo(makeNode('b')), nodeInfo(makeNode('c'))];
    const view = staticView(nodes);
    const pi = podInfo(makePod('p', { affinity }));
    const state = interPodAffinityPreScore(pi, view)!;
    const raw = nodes.map((ni) => interPodAffinityScore(state, ni));
    interPodAffinityNormalize(raw);
    expect(raw).toEqual(want);
  });

  it("counts existing pods' required affinity to the incoming pod", () => {
    const fan = makePod('fan', { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'star' } }, topologyKey: 'kubernetes.io/hostname' }] } } });
    const nodes = [nodeInfo(makeNode('a')), nodeInfo(makeNode('b'), [fan])];
    const state = interPodAffinityPreScore(podInfo(makePod('p', { labels: { app: 'star' } })), staticView(nodes))!;
    expect(nodes.map((ni) => interPodAffinityScore(state, ni))).toEqual([0, 1]);
  });

  it('skips when nothing applies', () => {
    expect(interPodAffinityPreScore(podInfo(makePod('p')), staticView([nodeInfo(makeNode('a'))]))).toBeUndefined();
  });
});

describe('topology spread score', () => {
  it('default spreading favours hosts with fewer pods of the same owner', () => {
    const nodes = [
      nodeInfo(makeNode('a'), [makePod('w1', { owner: 'web' }), makePod('w2', { owner: 'web' })]),
      nodeInfo(makeNode('b'), [makePod('w3', { owner: 'web' }), makePod('x', { owner: 'other' })]),
      nodeInfo(makeNode('c')),
    ];
    const pi = podInfo(makePod('p', { owner: 'web' }));
    const s = topologySpreadPreScore(pi, nodes, staticView(nodes))!;
    const raw = nodes.map((ni) => topologySpreadScore(s, pi, ni));
    // log(3 + 2) ≈ 1.609: 2·1.609 + 2, 1·1.609 + 2, 0 + 2 (hostname maxSkew 3; no zones).
    expect(raw).toEqual([5, 4, 2]);
    topologySpreadNormalize(s, nodes, raw);
    expect(raw).toEqual([40, 60, 100]);
  });

  it('ScheduleAnyway constraints count by selector per zone', () => {
    const z = (v: string) => ({ labels: { 'topology.kubernetes.io/zone': v } });
    const web = (n: string) => makePod(n, { labels: { app: 'web' } });
    const nodes = [nodeInfo(makeNode('a1', z('a')), [web('w1')]), nodeInfo(makeNode('a2', z('a')), [web('w2')]), nodeInfo(makeNode('b1', z('b'))), nodeInfo(makeNode('nozone'))];
    const pi = podInfo(makePod('p', { labels: { app: 'web' }, spread: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } }] }));
    const s = topologySpreadPreScore(pi, nodes, staticView(nodes))!;
    const raw = nodes.map((ni) => topologySpreadScore(s, pi, ni));
    expect(raw).toEqual([3, 3, 0, 0]); // 2·log(4) ≈ 2.77 → 3
    topologySpreadNormalize(s, nodes, raw);
    expect(raw).toEqual([0, 0, 100, 0]); // the unzoned node is ignored
  });

  it('skips pods without constraints or owner', () => {
    const nodes = [nodeInfo(makeNode('a'))];
    expect(topologySpreadPreScore(podInfo(makePod('p')), nodes, staticView(nodes))).toBeUndefined();
  });
});
