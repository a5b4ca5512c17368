import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { deploymentView, type ReplicaSetGlance } from './deployment.ts';

function deployment(spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'shop', uid: 'dep' }, spec: { replicas: 3, ...spec }, status };
}

function rs(hash: string, revision: number | undefined, o: { replicas?: number; ready?: number; owner?: string; namespace?: string } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `api-${hash}`,
      namespace: o.namespace ?? 'shop',
      uid: `rs-${hash}`,
      labels: { app: 'api', 'pod-template-hash': hash },
      ...(revision === undefined ? {} : { annotations: { 'deployment.kubernetes.io/revision': String(revision) } }),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', uid: o.owner ?? 'dep', controller: true }],
    },
    spec: { replicas: o.replicas ?? 0 },
    status: { readyReplicas: o.ready ?? 0 },
  };
}

function pod(name: string, rsHash: string, o: { ready?: boolean; kind?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', ownerReferences: [{ apiVersion: 'apps/v1', kind: o.kind ?? 'ReplicaSet', name: `api-${rsHash}`, uid: `rs-${rsHash}`, controller: true }] },
    spec: { nodeName: 'n1' },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}

/** A ReplicaSet in a line: revision, hash, ready/desired, newest (*), its pods. */
const line = (r: ReplicaSetGlance) => `${r.revision} ${r.hash} ${r.ready}/${r.desired}${r.newest ? ' *' : ''} [${r.pods.map((p) => `${p.name}:${p.state}`).join(' ')}]`;

describe('deploymentView ReplicaSets', () => {
  const cases: { name: string; sets: KubeObject[]; pods: KubeObject[]; lines: string[] }[] = [
    {
      name: 'mid-rollout: newest first, each with its random-suffix pods',
      sets: [rs('5d8f7c', 1, { replicas: 2, ready: 2 }), rs('7b9c4f', 2, { replicas: 2, ready: 1 })],
      pods: [pod('api-5d8f7c-xk2lp', '5d8f7c'), pod('api-7b9c4f-q8zrt', '7b9c4f', { ready: false }), pod('api-5d8f7c-b4m9w', '5d8f7c'), pod('api-7b9c4f-a1c2d', '7b9c4f')],
      lines: ['2 7b9c4f 1/2 * [api-7b9c4f-a1c2d:Ready api-7b9c4f-q8zrt:Running]', '1 5d8f7c 2/2 [api-5d8f7c-b4m9w:Ready api-5d8f7c-xk2lp:Ready]'],
    },
    {
      name: "other owners' ReplicaSets, other namespaces and pods not owned by a ReplicaSet are left out",
      sets: [rs('aaa', 3, { replicas: 1, ready: 1 }), rs('bbb', 5, { owner: 'other' }), rs('ccc', 4, { namespace: 'other' })],
      pods: [pod('api-aaa-11111', 'aaa'), pod('api-bbb-22222', 'bbb'), pod('api-aaa-33333', 'aaa', { kind: 'StatefulSet' })],
      lines: ['3 aaa 1/1 * [api-aaa-11111:Ready]'],
    },
    {
      name: 'old revisions scaled to zero keep their place',
      sets: [rs('r1', 1), rs('r10', 10, { replicas: 3, ready: 3 }), rs('r9', 9)],
      pods: [],
      lines: ['10 r10 3/3 * []', '9 r9 0/0 []', '1 r1 0/0 []'],
    },
    { name: 'no ReplicaSets yet', sets: [], pods: [], lines: [] },
  ];
  it.each(cases)('$name', ({ sets, pods, lines }) => {
    expect(deploymentView(deployment(), { replicasets: sets, pods }).replicaSets.map(line)).toEqual(lines);
  });
});

describe('deploymentView strategy and summary', () => {
  const cases: { name: string; spec: Record<string, unknown>; status: Record<string, unknown>; sets?: KubeObject[]; want: Record<string, unknown> }[] = [
    {
      name: 'RollingUpdate defaults to 25% / 25%',
      spec: {},
      status: { readyReplicas: 3, updatedReplicas: 3, availableReplicas: 3 },
      want: { strategy: 'RollingUpdate', maxSurge: '25%', maxUnavailable: '25%', replicas: 3, ready: 3, updated: 3, available: 3, summary: '3/3 ready' },
    },
    {
      name: 'numbers as written',
      spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } },
      status: { readyReplicas: 2, updatedReplicas: 1 },
      sets: [rs('a', 1, { replicas: 2 }), rs('b', 2, { replicas: 1 })],
      want: { maxSurge: '1', maxUnavailable: '0', summary: '2/3 ready · 1 of 3 updated · rolling out' },
    },
    {
      name: 'Recreate has no surge or unavailability budget',
      spec: { strategy: { type: 'Recreate' }, replicas: 2 },
      status: {},
      want: { strategy: 'Recreate', summary: '0/2 ready · 0 of 2 updated' },
    },
  ];
  it.each(cases)('$name', ({ spec, status, sets = [], want }) => {
    const view = deploymentView(deployment(spec, status), { replicasets: sets, pods: [] });
    expect(view).toMatchObject({ namespace: 'shop', name: 'api', ...want });
    if (want.strategy === 'Recreate') expect(['maxSurge' in view, 'maxUnavailable' in view]).toEqual([false, false]);
  });
});
