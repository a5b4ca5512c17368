import { describe, expect, it } from 'vitest';
import { failedSchedulingMessage } from './fit-error.ts';
import { Framework, numFeasibleNodesToFind } from './framework.ts';
import { podInfo, requiredNodeNames } from './pod-info.ts';
import type { NodeSelectorTerm, Pod } from './types.ts';
import { makeNode, makePod, nodeInfo } from './testing.ts';
import { staticView } from './view.ts';

describe('numFeasibleNodesToFind', () => {
  it.each([
    [50, 0, 50],
    [100, 0, 100],
    [1000, 0, 420], // 50 − 8 = 42 %
    [5000, 0, 500], // 50 − 40 = 10 %
    [6000, 0, 300], // 50 − 48 → 5 % floor
    [200, 0, 100], // 48 % of 200 = 96 → at least 100
    [1000, 30, 300],
  ])('%d nodes, %d %% → %d', (n, pct, want) => expect(numFeasibleNodesToFind(n, pct)).toBe(want));
});

describe('Framework', () => {
  it('explains a pod that fits nowhere', async () => {
    const nodes = [nodeInfo(makeNode('cp', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] })), nodeInfo(makeNode('w1', { cpu: '1' })), nodeInfo(makeNode('w2', { cpu: '1' }))];
    const out = await new Framework().schedule(podInfo(makePod('big', { cpu: '2' })), staticView(nodes));
    expect('diagnosis' in out && out.diagnosis.statuses.map((s) => s.reasons[0])).toEqual([
      'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }',
      'Insufficient cpu',
      'Insufficient cpu',
    ]);
  });

  it('prefers the least allocated node', () => {
    const busy = nodeInfo(makeNode('busy'), [makePod('e', { cpu: '3', memory: '6Gi' })]);
    const idle = nodeInfo(makeNode('idle'));
    const out = new Framework().scheduleSync(podInfo(makePod('p', { cpu: '100m', memory: '100Mi' })), staticView([busy, idle]));
    expect('node' in out && out.node.name).toBe('idle');
  });

  it('prefers nodes matching preferred node affinity over emptier ones', () => {
    const ssd = nodeInfo(makeNode('ssd', { labels: { disk: 'ssd' } }), [makePod('e', { cpu: '2', memory: '4Gi' })]);
    const hdd = nodeInfo(makeNode('hdd'));
    const pod = makePod('p', { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] } } });
    const out = new Framework().scheduleSync(podInfo(pod), staticView([ssd, hdd]));
    expect('node' in out && out.node.name).toBe('ssd');
  });

  it('avoids PreferNoSchedule taints', () => {
    const tainted = nodeInfo(makeNode('tainted', { taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] }));
    const plain = nodeInfo(makeNode('plain'), [makePod('e', { cpu: '1', memory: '2Gi' })]);
    const out = new Framework().scheduleSync(podInfo(makePod('p')), staticView([tainted, plain]));
    expect('node' in out && out.node.name).toBe('plain');
  });

  it('breaks ties at random among the best', () => {
    const nodes = [0, 1, 2, 3].map((i) => nodeInfo(makeNode(`n${i}`)));
    const picks = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const out = new Framework().scheduleSync(podInfo(makePod('p')), staticView(nodes));
      if ('node' in out) picks.add(out.node.name);
    }
    expect(picks.size).toBe(4);
  });

  it('samples nodes round-robin on big clusters', () => {
    const nodes = Array.from({ length: 1000 }, (_, i) => nodeInfo(makeNode(`n${i}`)));
    const fw = new Framework();
    const out = fw.scheduleSync(podInfo(makePod('p')), staticView(nodes));
    expect('node' in out && out.evaluatedNodes).toBe(420);
    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const o = fw.scheduleSync(podInfo(makePod('p')), staticView(nodes));
      if ('node' in o) seen.add(o.node.name);
    }
    expect(seen.size).toBe(3);
  });

  it('runs the volume hooks for pods with claims', async () => {
    const nodes = [nodeInfo(makeNode('a')), nodeInfo(makeNode('b'))];
    const pod = makePod('p');
    pod.spec!.volumes = [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }];
    const fw = new Framework({ volumeFilter: async (_p, node) => (node.metadata.name === 'a' ? 'node(s) had volume node affinity conflict' : undefined) });
    const out = await fw.schedule(podInfo(pod), staticView(nodes));
    expect('node' in out && out.node.name).toBe('b');
    const none = await new Framework({ volumeFilter: async () => 'node(s) had volume node affinity conflict' }).schedule(podInfo(pod), staticView(nodes));
    expect('diagnosis' in none && none.diagnosis.statuses).toHaveLength(2);
  });

  it('stops filtering a pod with claims once enough nodes pass the volume hook too', async () => {
    const nodes = Array.from({ length: 1000 }, (_, i) => nodeInfo(makeNode(`n${i}`)));
    const pod = makePod('p');
    pod.spec!.volumes = [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }];
    const asked: string[] = [];
    const fw = new Framework({ volumeFilter: async (_p, node) => (asked.push(node.metadata.name!), node.metadata.name!.endsWith('0') ? 'node(s) had volume node affinity conflict' : undefined) });
    const out = await fw.schedule(podInfo(pod), staticView(nodes));
    // 420 must pass; every tenth node is refused, so 467 are asked.
    expect('node' in out && [out.feasibleNodes, out.evaluatedNodes]).toEqual([420, 467]);
    expect(asked).toHaveLength(467);
    const next: string[] = [];
    await new Framework({ volumeFilter: async (_p, node) => void next.push(node.metadata.name!) }).schedule(podInfo(pod), staticView(nodes));
    expect(next[0]).toBe('n0');
    asked.length = 0;
    await fw.schedule(podInfo(pod), staticView(nodes));
    expect(asked[0]).toBe('n467');
  });

  it('filters only the nodes a DaemonSet pod names, reporting the others as left out by NodeAffinity', async () => {
    const nodes = Array.from({ length: 300 }, (_, i) => nodeInfo(makeNode(`n${i}`, { cpu: '1' })));
    const onNode = (name: string, cpu = '100m'): Pod => {
      const p = makePod(`ds-${name}`, { cpu });
      p.spec!.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [name] }] }] } } };
      return p;
    };
    const fw = new Framework();
    const out = fw.scheduleSync(podInfo(onNode('n250')), staticView(nodes));
    expect('node' in out && [out.node.name, out.evaluatedNodes]).toEqual(['n250', 1]);
    const pi = podInfo(onNode('n7', '2'));
    const none = await fw.schedule(pi, staticView(nodes));
    expect('diagnosis' in none && failedSchedulingMessage(pi, none.diagnosis)).toBe(
      "0/300 nodes are available: 1 Insufficient cpu, 299 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/300 nodes are available: 300 Preemption is not helpful for scheduling.",
    );
    const gone = fw.scheduleSync(podInfo(onNode('n999')), staticView(nodes));
    expect('diagnosis' in gone && gone.diagnosis).toEqual({ numAllNodes: 300, statuses: [], absent: { count: 300, status: { code: 'UnschedulableAndUnresolvable', reasons: ["node(s) didn't satisfy plugin(s) [NodeAffinity]"] } } });
    const conflict = podInfo(onNode('n1'));
    conflict.pod.spec!.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms![0]!.matchFields!.push({ key: 'metadata.name', operator: 'In', values: ['n2'] });
    const refused = fw.scheduleSync(podInfo({ ...conflict.pod }), staticView(nodes));
    expect('diagnosis' in refused && refused.diagnosis.preFilterMsg).toBe('pod affinity terms conflict');
  });
});

describe('requiredNodeNames', () => {
  const name = (op: string, ...values: string[]) => ({ key: 'metadata.name', operator: op, values });
  it.each<[string, NodeSelectorTerm[], string[] | undefined]>([
    ['no terms', [], undefined],
    ['one name', [{ matchFields: [name('In', 'a')] }], ['a']],
    ['terms are ORed', [{ matchFields: [name('In', 'a')] }, { matchFields: [name('In', 'b', 'c')] }], ['a', 'b', 'c']],
    ['requirements of a term are ANDed', [{ matchFields: [name('In', 'a', 'b'), name('In', 'b', 'c')] }], ['b']],
    ['conflicting requirements', [{ matchFields: [name('In', 'a'), name('In', 'b')] }], []],
    ['a term without names admits any node', [{ matchFields: [name('In', 'a')] }, { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] }], undefined],
    ['NotIn names nothing', [{ matchFields: [name('NotIn', 'a')] }], undefined],
    ['labels beside names still narrow to the names', [{ matchFields: [name('In', 'a')], matchExpressions: [{ key: 'zone', operator: 'Exists' }] }], ['a']],
  ])('%s', (_, terms, want) => {
    const got = requiredNodeNames(terms);
    expect(got && [...got].sort()).toEqual(want);
  });
});
