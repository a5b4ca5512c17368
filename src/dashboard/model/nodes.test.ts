import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { nodesView } from './nodes.ts';

interface NodeOpts {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ready?: 'True' | 'False' | 'Unknown' | null;
  taints?: { key: string; value?: string; effect: string }[];
  unschedulable?: boolean;
  capacity?: Record<string, string>;
  allocatable?: Record<string, string> | null;
}

function node(name: string, o: NodeOpts = {}): KubeObject {
  const capacity = o.capacity ?? { cpu: '4', memory: '8Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels }, ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: {
      capacity,
      ...(o.allocatable === null ? {} : { allocatable: o.allocatable ?? { cpu: '3800m', memory: '7Gi', pods: '110' } }),
      conditions: o.ready === null ? [] : [{ type: 'Ready', status: o.ready ?? 'True' }],
    },
  };
}

const pod = (name: string, nodeName: string | undefined, phase: string, requests: Record<string, string>[] = []): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop' },
  spec: { ...(nodeName ? { nodeName } : {}), containers: requests.map((r, i) => ({ name: `c${i}`, image: 'x', resources: { requests: r } })) },
  status: { phase },
});

describe('nodesView', () => {
  const cases: { name: string; node: KubeObject; want: Record<string, unknown> }[] = [
    {
      name: 'a Ready control plane with its taint, served by a simulated kubelet',
      node: node('k8ts-control-plane', {
        labels: { 'node-role.kubernetes.io/control-plane': '' },
        annotations: { 'node.k8ts.io/simulated': 'true' },
        taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
      }),
      want: { status: 'Ready', roles: ['control-plane'], taints: ['node-role.kubernetes.io/control-plane:NoSchedule'], cordoned: false, servedBy: 'simulated' },
    },
    {
      name: 'NotReady, cordoned, taints with values, an agent',
      node: node('worker-1', {
        ready: 'False',
        unschedulable: true,
        annotations: { 'node.k8ts.io/agent': 'host-a' },
        taints: [
          { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
          { key: 'dedicated', value: 'db', effect: 'NoExecute' },
        ],
        labels: { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/db': 'true' },
      }),
      want: { status: 'NotReady', roles: ['worker', 'db'], taints: ['node.kubernetes.io/unschedulable:NoSchedule', 'dedicated=db:NoExecute'], cordoned: true, servedBy: 'agent host-a' },
    },
    { name: 'Ready Unknown: a silent kubelet', node: node('worker-2', { ready: 'Unknown' }), want: { status: 'Unknown', roles: [], taints: [], servedBy: 'kubelet' } },
    { name: 'no Ready condition yet', node: node('worker-3', { ready: null }), want: { status: 'Unknown' } },
    {
      name: 'capacity and allocatable both; the short columns read allocatable',
      node: node('worker-4'),
      want: { cpu: '3800m', memory: '7Gi', maxPods: '110', capacity: { cpu: '4', memory: '8Gi', pods: '110' }, allocatable: { cpu: '3800m', memory: '7Gi', pods: '110' } },
    },
    {
      name: 'no allocatable: the short columns fall back to capacity',
      node: node('worker-5', { allocatable: null, capacity: { cpu: '2', memory: '1Gi', pods: '10' } }),
      want: { cpu: '2', memory: '1Gi', maxPods: '10', capacity: { cpu: '2', memory: '1Gi', pods: '10' }, allocatable: { cpu: '', memory: '', pods: '' } },
    },
  ];
  it.each(cases)('$name', ({ node: n, want }) => {
    const [row] = nodesView({ nodes: [n], pods: [] });
    expect(row).toMatchObject({ name: n.metadata.name, ...want });
  });

  it('pods on each node: finished pods and unbound pods do not count; requests summed', () => {
    const rows = nodesView({
      nodes: [node('n2'), node('n10'), node('n1')],
      pods: [
        pod('a', 'n1', 'Running', [{ cpu: '250m', memory: '64Mi' }, { cpu: '0.5' }]),
        pod('b', 'n1', 'Pending', [{ memory: '1Gi' }]),
        pod('c', 'n1', 'Succeeded', [{ cpu: '1' }]),
        pod('d', 'n1', 'Failed', [{ cpu: '1' }]),
        pod('e', undefined, 'Pending', [{ cpu: '1' }]),
        pod('f', 'n2', 'Running'),
      ],
    });
    expect(rows.map((r) => [r.name, r.pods, r.requests])).toEqual([
      ['n1', 2, { milliCpu: 750, memory: 64 * 2 ** 20 + 2 ** 30 }],
      ['n2', 1, { milliCpu: 0, memory: 0 }],
      ['n10', 0, { milliCpu: 0, memory: 0 }],
    ]);
  });
});
