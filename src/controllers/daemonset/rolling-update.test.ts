// The rolling-update budget (maxUnavailable / maxSurge scaled and rounded up) and one pass of the
// rolling update over pods by node, as tables.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { allowsSurge, planRollingUpdate, updateBudget, updatedPodsOnNode } from './rolling-update.ts';
import type { IntOrString } from './types.ts';

const NOW = Date.UTC(2026, 0, 1, 12);
const iso = (ms: number) => new Date(ms).toISOString();

const ds = (rollingUpdate: { maxUnavailable?: IntOrString; maxSurge?: IntOrString } | null, extra: Record<string, unknown> = {}, type = 'RollingUpdate'): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'ds', namespace: 'ns', uid: 'u', generation: 2, annotations: { 'deprecated.daemonset.template.generation': '2' } },
  spec: { updateStrategy: { type, rollingUpdate }, ...extra },
});

interface PodOpts {
  hash?: string;
  ready?: boolean;
  /** Ready since this many seconds. */
  readyFor?: number;
  terminating?: boolean;
  generation?: string;
}
let n = 0;
function pod(node: string, o: PodOpts = {}): KubeObject {
  const labels: Record<string, string> = { 'controller-revision-hash': o.hash ?? 'old' };
  if (o.generation) labels['pod-template-generation'] = o.generation;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p${n++}-${node}`, namespace: 'ns', labels, creationTimestamp: iso(NOW - 60_000), ...(o.terminating ? { deletionTimestamp: iso(NOW) } : {}) },
    spec: { nodeName: node },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: (o.ready ?? true) ? 'True' : 'False', lastTransitionTime: iso(NOW - (o.readyFor ?? 3600) * 1000) }] },
  };
}
const oldPod = (node: string, o: PodOpts = {}) => pod(node, { hash: 'old', ...o });
const newPod = (node: string, o: PodOpts = {}) => pod(node, { hash: 'new', ...o });

describe('updateBudget', () => {
  it.each([
    // maxUnavailable, maxSurge, desired → maxUnavailable, maxSurge
    [1, 0, 5, 1, 0],
    [3, 0, 5, 3, 0],
    ['20%', 0, 5, 1, 0],
    ['25%', 0, 5, 2, 0],
    ['10%', 0, 1, 1, 0],
    ['50%', 0, 3, 2, 0],
    ['100%', 0, 3, 3, 0],
    ['1%', 0, 250, 3, 0],
    [0, 1, 5, 0, 1],
    [0, '20%', 5, 0, 1],
    [0, '30%', 5, 0, 2],
    [0, '100%', 4, 0, 4],
    [0, 1, 0, 0, 1],
    // Neither allows anything: one unavailable node is allowed, as upstream.
    [0, 0, 5, 1, 0],
    ['0%', '0%', 4, 1, 0],
    ['0%', '0%', 0, 0, 0],
    // A percent of nothing.
    ['50%', 0, 0, 0, 0],
    // Not a percent: taken as 0.
    ['3', 0, 5, 1, 0],
  ] as const)('maxUnavailable %s, maxSurge %s of %d nodes → %d unavailable, %d surge', (mu, ms, desired, wantU, wantS) => {
    expect(updateBudget(ds({ maxUnavailable: mu, maxSurge: ms }), desired)).toEqual({ maxUnavailable: wantU, maxSurge: wantS });
  });

  it('OnDelete or no rollingUpdate: no surge, the fallback of one', () => {
    expect(updateBudget(ds({ maxSurge: 2 }, {}, 'OnDelete'), 3)).toEqual({ maxUnavailable: 1, maxSurge: 0 });
    expect(updateBudget(ds(null), 3)).toEqual({ maxUnavailable: 1, maxSurge: 0 });
  });

  it('allowsSurge reads maxSurge against one node', () => {
    expect(allowsSurge(ds({ maxUnavailable: 0, maxSurge: '1%' }))).toBe(true);
    expect(allowsSurge(ds({ maxUnavailable: 1, maxSurge: 0 }))).toBe(false);
    expect(allowsSurge(ds({ maxUnavailable: 1, maxSurge: '0%' }))).toBe(false);
    expect(allowsSurge(ds({ maxSurge: 1 }, {}, 'OnDelete'))).toBe(false);
  });
});

describe('updatedPodsOnNode', () => {
  it('finds one new and one old pod, skips terminating ones, refuses duplicates', () => {
    const a = newPod('n'), b = oldPod('n');
    expect(updatedPodsOnNode([a, b, oldPod('n', { terminating: true })], 'new', undefined)).toEqual({ newPod: a, oldPod: b });
    expect(updatedPodsOnNode([oldPod('n'), oldPod('n')], 'new', undefined)).toBeUndefined();
    expect(updatedPodsOnNode([newPod('n'), newPod('n')], 'new', undefined)).toBeUndefined();
    expect(updatedPodsOnNode([], 'new', undefined)).toEqual({ newPod: undefined, oldPod: undefined });
  });

  it('counts a pod of the current template generation as new', () => {
    const p = oldPod('n', { generation: '2' });
    expect(updatedPodsOnNode([p], 'new', 2)).toEqual({ newPod: p, oldPod: undefined });
    expect(updatedPodsOnNode([p], 'new', 3)).toEqual({ newPod: undefined, oldPod: p });
  });
});

type Layout = Record<string, KubeObject[]>;
function run(d: KubeObject, layout: Layout, opts: { away?: string[]; minReadySeconds?: number } = {}) {
  const byNode = new Map(Object.entries(layout));
  const away = new Set(opts.away ?? []);
  const desired = [...byNode.keys()].filter((k) => !away.has(k)).length;
  const res = planRollingUpdate({ ds: d, byNode, shouldRun: (node) => !away.has(node), desired, hash: 'new', generation: undefined, now: NOW });
  return { deletes: res.deletes.map((p) => (p.spec as { nodeName: string }).nodeName).sort(), creates: [...res.creates].sort() };
}

describe('rolling update without surge', () => {
  const d = (maxUnavailable: IntOrString, extra = {}) => ds({ maxUnavailable, maxSurge: 0 }, extra);
  const allOld = (k: number): Layout => Object.fromEntries(Array.from({ length: k }, (_, i) => [`n${i}`, [oldPod(`n${i}`)]]));

  it.each([
    [1, 4, 1],
    [2, 4, 2],
    ['50%', 4, 2],
    ['30%', 4, 2],
    ['100%', 4, 4],
    [10, 4, 4],
  ] as const)('maxUnavailable %s of %d available old pods deletes %d', (mu, k, want) => {
    expect(run(d(mu), allOld(k)).deletes).toHaveLength(want);
  });

  it('an unavailable new pod uses up the budget', () => {
    expect(run(d(1), { ...allOld(3), n3: [newPod('n3', { ready: false })] })).toEqual({ deletes: [], creates: [] });
    expect(run(d(2), { ...allOld(3), n3: [newPod('n3', { ready: false })] }).deletes).toHaveLength(1);
  });

  it('a new pod ready for less than minReadySeconds is unavailable', () => {
    expect(run(d(1, { minReadySeconds: 30 }), { ...allOld(2), n2: [newPod('n2', { readyFor: 10 })] }).deletes).toEqual([]);
    expect(run(d(1, { minReadySeconds: 30 }), { ...allOld(2), n2: [newPod('n2', { readyFor: 31 })] }).deletes).toHaveLength(1);
  });

  it('nodes without a pod, with old and new pods, or with two old pods count as unavailable', () => {
    expect(run(d(1), { ...allOld(2), n2: [] }).deletes).toEqual([]);
    expect(run(d(1), { ...allOld(2), n2: [oldPod('n2'), newPod('n2')] }).deletes).toEqual([]);
    expect(run(d(1), { ...allOld(2), n2: [oldPod('n2'), oldPod('n2')] }).deletes).toEqual([]);
    expect(run(d(2), { ...allOld(2), n2: [] }).deletes).toHaveLength(1);
  });

  it('deletes unavailable old pods at once, outside the budget (kubernetes#123232)', () => {
    const layout = { n0: [oldPod('n0', { ready: false })], n1: [oldPod('n1', { ready: false })], n2: [oldPod('n2')], n3: [oldPod('n3')] };
    expect(run(d(1), layout).deletes).toEqual(['n0', 'n1']);
  });

  it('a terminating pod is not counted', () => {
    expect(run(d(1), { n0: [oldPod('n0', { terminating: true })], n1: [oldPod('n1')] }).deletes).toEqual([]);
  });

  it('finished: nothing to do', () => {
    expect(run(d(1), { n0: [newPod('n0')], n1: [newPod('n1')] })).toEqual({ deletes: [], creates: [] });
  });
});

describe('rolling update with surge', () => {
  const d = (maxSurge: IntOrString, extra = {}) => ds({ maxUnavailable: 0, maxSurge }, extra);
  const allOld = (k: number): Layout => Object.fromEntries(Array.from({ length: k }, (_, i) => [`n${i}`, [oldPod(`n${i}`)]]));

  it.each([
    [1, 4, 1],
    [2, 4, 2],
    ['25%', 4, 1],
    ['30%', 4, 2],
    ['100%', 4, 4],
  ] as const)('maxSurge %s of %d available old pods creates %d new pods beside them', (ms, k, want) => {
    const res = run(d(ms), allOld(k));
    expect(res.creates).toHaveLength(want);
    expect(res.deletes).toEqual([]);
  });

  it('a new pod not yet available uses up the surge; the old pod stays', () => {
    expect(run(d(1), { ...allOld(2), n2: [oldPod('n2'), newPod('n2', { ready: false })] })).toEqual({ deletes: [], creates: [] });
  });

  it('an available new pod replaces the old one, and frees the surge', () => {
    expect(run(d(1), { ...allOld(2), n2: [oldPod('n2'), newPod('n2')] })).toEqual({ deletes: ['n2'], creates: ['n0'] });
  });

  it('honours minReadySeconds before the old pod goes', () => {
    expect(run(d(1, { minReadySeconds: 10 }), { n0: [oldPod('n0'), newPod('n0', { readyFor: 5 })] })).toEqual({ deletes: [], creates: [] });
    expect(run(d(1, { minReadySeconds: 10 }), { n0: [oldPod('n0'), newPod('n0', { readyFor: 11 })] })).toEqual({ deletes: ['n0'], creates: [] });
  });

  it('an unavailable old pod gets its new pod at once, outside the budget', () => {
    expect(run(d(1), { n0: [oldPod('n0', { ready: false })], n1: [oldPod('n1', { ready: false })], n2: [oldPod('n2')] })).toEqual({ deletes: [], creates: ['n0', 'n1', 'n2'] });
  });

  it('an unavailable old pod on a node the DaemonSet leaves is deleted', () => {
    expect(run(d(1), { n0: [oldPod('n0', { ready: false })], n1: [newPod('n1')] }, { away: ['n0'] })).toEqual({ deletes: ['n0'], creates: [] });
  });

  it('an available old pod on a node the DaemonSet leaves goes only while more pods than wanted are available', () => {
    // Moving from n0 to n1: n1's new pod is not available yet, so n0's pod stays.
    expect(run(d(1), { n0: [oldPod('n0')], n1: [newPod('n1', { ready: false })] }, { away: ['n0'] })).toEqual({ deletes: [], creates: [] });
    // n1 is available: 2 available for 1 wanted, n0's pod goes.
    expect(run(d(1), { n0: [oldPod('n0')], n1: [newPod('n1')] }, { away: ['n0'] })).toEqual({ deletes: ['n0'], creates: [] });
  });

  it('a node with two new pods is skipped and counts against the surge', () => {
    expect(run(d(1), { ...allOld(2), n2: [newPod('n2'), newPod('n2')] })).toEqual({ deletes: [], creates: [] });
  });

  it('a node without pods is left to the manage pass', () => {
    expect(run(d(1), { n0: [] })).toEqual({ deletes: [], creates: [] });
  });
});
