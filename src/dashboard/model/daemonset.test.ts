import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { daemonSetView, exclusionReason, type NodeCell } from './daemonset.ts';

const UID = 'ds-uid';

function ds(podSpec: Record<string, unknown> = {}, spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'kube-system', uid: UID },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'agent:v2' }], ...podSpec } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      ...spec,
    },
    status,
  };
}

function node(name: string, o: { labels?: Record<string, string>; taints?: { key: string; value?: string; effect: string }[]; ready?: boolean; cordoned?: boolean } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.cordoned ? { unschedulable: true } : {}) },
    status: { conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}

interface PodOpts {
  node?: string;
  /** Not yet bound: targeted through required node affinity on metadata.name, as the controller creates it. */
  affinityTo?: string;
  hash?: string;
  ready?: boolean;
  created?: string;
  owner?: string;
}

function pod(name: string, o: PodOpts): KubeObject {
  const affinity = o.affinityTo
    ? { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [o.affinityTo] }] }] } } }
    : undefined;
  const ready = o.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'kube-system',
      uid: `${name}-uid`,
      creationTimestamp: o.created ?? '2026-01-01T00:00:00Z',
      labels: { app: 'agent', 'controller-revision-hash': o.hash ?? 'h2' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: o.owner ?? UID, controller: true }],
    },
    spec: { containers: [{ name: 'c', image: 'agent' }], ...(o.node ? { nodeName: o.node } : {}), ...(affinity ? { affinity } : {}) },
    status: o.node ? { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } : { phase: 'Pending' },
  };
}

const revision = (hash: string, n: number, owner = UID): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ControllerRevision',
  metadata: { name: `agent-${hash}`, namespace: 'kube-system', labels: { 'controller-revision-hash': hash }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: owner, controller: true }] },
  revision: n,
});

/** A cell in a line: node, pod state (or -), updated (U) / old (-), wanted (W) / not (-), reason. */
const line = (c: NodeCell) => `${c.node} ${c.pod?.state ?? '-'} ${c.updated ? 'U' : '-'}${c.wanted ? 'W' : '-'}${c.reason ? ` ${c.reason}` : ''}`;

describe('exclusionReason', () => {
  const cases: { name: string; podSpec: Record<string, unknown>; node: KubeObject; reason: string | undefined }[] = [
    { name: 'a plain node runs the pod', podSpec: {}, node: node('n1'), reason: undefined },
    { name: 'the template names another node', podSpec: { nodeName: 'n2' }, node: node('n1'), reason: 'the template names node n2' },
    { name: 'the template names this node', podSpec: { nodeName: 'n1' }, node: node('n1'), reason: undefined },
    { name: 'node selector', podSpec: { nodeSelector: { disk: 'ssd', zone: 'a' } }, node: node('n1', { labels: { disk: 'hdd', zone: 'a' } }), reason: 'node selector disk=ssd,zone=a does not match' },
    {
      name: 'required node affinity',
      podSpec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }] } } } },
      node: node('n1'),
      reason: 'node affinity does not match',
    },
    {
      name: 'a matching node selector with failing affinity blames the affinity',
      podSpec: { nodeSelector: { disk: 'ssd' }, affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }] } } } },
      node: node('n1', { labels: { disk: 'ssd' } }),
      reason: 'node affinity does not match',
    },
    { name: 'untolerated NoSchedule taint', podSpec: {}, node: node('n1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }), reason: 'taint dedicated=db:NoSchedule not tolerated' },
    { name: 'untolerated NoExecute taint without a value', podSpec: {}, node: node('n1', { taints: [{ key: 'gone', effect: 'NoExecute' }] }), reason: 'taint gone:NoExecute not tolerated' },
    { name: 'PreferNoSchedule does not exclude', podSpec: {}, node: node('n1', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }), reason: undefined },
    {
      name: 'a tolerated taint',
      podSpec: { tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }] },
      node: node('cp', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }),
      reason: undefined,
    },
    { name: 'a cordon is tolerated by daemon pods', podSpec: {}, node: node('n1', { cordoned: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }), reason: undefined },
  ];
  it.each(cases)('$name', ({ podSpec, node: n, reason }) => {
    expect(exclusionReason(n, ds(podSpec))).toBe(reason);
  });
});

describe('daemonSetView grid', () => {
  const revisions = [revision('h1', 1), revision('h2', 2), revision('h9', 9, 'other-uid')];
  const cases: { name: string; ds: KubeObject; nodes: KubeObject[]; pods: KubeObject[]; cells: string[] }[] = [
    {
      name: 'nodes sorted; updated vs old by the newest revision hash; a pending pod targeted by affinity',
      ds: ds(),
      nodes: [node('n3'), node('n1'), node('n2')],
      pods: [pod('agent-aaaaa', { node: 'n1' }), pod('agent-bbbbb', { node: 'n2', hash: 'h1' }), pod('agent-ccccc', { affinityTo: 'n3' })],
      cells: ['n1 Ready UW', 'n2 Ready -W', 'n3 Pending UW'],
    },
    {
      name: 'excluded nodes carry the reason and no pod',
      ds: ds({ nodeSelector: { pool: 'edge' } }),
      nodes: [node('a', { labels: { pool: 'edge' } }), node('b'), node('c', { labels: { pool: 'edge' }, taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] })],
      pods: [pod('agent-aaaaa', { node: 'a' })],
      cells: ['a Ready UW', 'b - -- node selector pool=edge does not match', 'c - -- taint dedicated=db:NoSchedule not tolerated'],
    },
    {
      name: 'a pod already on a node tainted NoSchedule may stay (wanted), the taint is shown',
      ds: ds(),
      nodes: [node('n1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }), node('n2', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] })],
      pods: [pod('agent-aaaaa', { node: 'n1' }), pod('agent-bbbbb', { node: 'n2' })],
      cells: ['n1 Ready UW taint dedicated=db:NoSchedule not tolerated', 'n2 Ready U- taint dedicated=db:NoExecute not tolerated'],
    },
    {
      name: 'the template names a node',
      ds: ds({ nodeName: 'n2' }),
      nodes: [node('n1'), node('n2')],
      pods: [pod('agent-aaaaa', { node: 'n2' })],
      cells: ['n1 - -- the template names node n2', 'n2 Ready UW'],
    },
    {
      name: 'an unready pod on a NotReady node; a cordoned node still runs its pod',
      ds: ds(),
      nodes: [node('n1', { ready: false }), node('n2', { cordoned: true })],
      pods: [pod('agent-aaaaa', { node: 'n1', ready: false }), pod('agent-bbbbb', { node: 'n2' })],
      cells: ['n1 Running UW node not ready', 'n2 Ready UW'],
    },
    {
      name: 'under surge the newest pod on a node is shown; pods of another owner are not',
      ds: ds(),
      nodes: [node('n1'), node('n2')],
      pods: [
        pod('agent-new', { node: 'n1', created: '2026-01-01T00:05:00Z', ready: false }),
        pod('agent-old', { node: 'n1', hash: 'h1', created: '2026-01-01T00:00:00Z' }),
        pod('other-aaaaa', { node: 'n2', owner: 'other-uid' }),
      ],
      cells: ['n1 Running UW', 'n2 - -W'],
    },
  ];
  it.each(cases)('$name', ({ ds: d, nodes, pods, cells }) => {
    const view = daemonSetView(d, { nodes, pods, controllerrevisions: revisions });
    expect(view.cells.map(line)).toEqual(cells);
    expect(view.hash).toBe('h2');
  });

  it('cell fields', () => {
    const view = daemonSetView(ds(), { nodes: [node('n1', { cordoned: true })], pods: [pod('agent-aaaaa', { node: 'n1' })], controllerrevisions: revisions });
    expect(view.cells).toEqual([{ node: 'n1', nodeReady: true, cordoned: true, pod: { name: 'agent-aaaaa', state: 'Ready', ready: true, node: 'n1', restarts: 0 }, updated: true, wanted: true }]);
  });

  it('no revision yet: nothing counts as updated', () => {
    const view = daemonSetView(ds(), { nodes: [node('n1')], pods: [pod('agent-aaaaa', { node: 'n1' })], controllerrevisions: [] });
    expect(view.hash).toBe('');
    expect(view.cells.map(line)).toEqual(['n1 Ready -W']);
  });
});

describe('daemonSetView rollout budget and summary', () => {
  const nodes = (n: number) => Array.from({ length: n }, (_, i) => node(`n${String(i + 1).padStart(2, '0')}`));
  const cases: { name: string; strategy: Record<string, unknown>; n: number; status: Record<string, unknown>; maxUnavailable: number; maxSurge: number; summary: string }[] = [
    {
      name: 'maxUnavailable 10% of 25 rounds up to 3',
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
      n: 25,
      status: { desiredNumberScheduled: 25, numberReady: 25, updatedNumberScheduled: 10 },
      maxUnavailable: 3,
      maxSurge: 0,
      summary: '25/25 ready · 10 of 25 updated · 25 unavailable (max 3)',
    },
    {
      name: 'maxUnavailable 10% of 5 rounds up to 1',
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
      n: 5,
      status: { desiredNumberScheduled: 5, numberReady: 5, updatedNumberScheduled: 5 },
      maxUnavailable: 1,
      maxSurge: 0,
      summary: '5/5 ready',
    },
    {
      name: 'maxSurge 20% of 10 with maxUnavailable 0',
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '20%' } },
      n: 10,
      status: { desiredNumberScheduled: 10, numberReady: 10, updatedNumberScheduled: 10 },
      maxUnavailable: 0,
      maxSurge: 2,
      summary: '10/10 ready',
    },
    {
      name: 'OnDelete has no budget',
      strategy: { type: 'OnDelete' },
      n: 4,
      status: { desiredNumberScheduled: 4, numberReady: 3, updatedNumberScheduled: 1 },
      maxUnavailable: 0,
      maxSurge: 0,
      summary: '3/4 ready · 1 of 4 updated',
    },
    {
      name: 'no status yet: desired from the grid',
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
      n: 3,
      status: {},
      maxUnavailable: 1,
      maxSurge: 0,
      summary: '0/3 ready · 0 of 3 updated · 3 unavailable (max 1)',
    },
  ];
  it.each(cases)('$name', ({ strategy, n, status, maxUnavailable, maxSurge, summary }) => {
    const view = daemonSetView(ds({}, { updateStrategy: strategy }, status), { nodes: nodes(n), pods: [], controllerrevisions: [] });
    expect({ maxUnavailable: view.maxUnavailable, maxSurge: view.maxSurge, desired: view.desired, unavailable: view.unavailable, summary: view.summary }).toEqual({ maxUnavailable, maxSurge, desired: n, unavailable: n, summary });
  });
});
