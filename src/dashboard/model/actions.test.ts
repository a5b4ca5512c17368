import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { addNode, cordon, deletePod, removeNode, rollBack, rollBackDeployment, scale, setPartition, type ApiAction } from './actions.ts';

const MERGE = 'application/merge-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';
const DELETE_OPTIONS = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' };

describe('actions: the request kubectl makes and the command', () => {
  const cases: { name: string; action: ApiAction; want: ApiAction }[] = [
    {
      name: 'scale a StatefulSet in default',
      action: scale('statefulsets', 'default', 'web', 5),
      want: { method: 'PATCH', path: '/apis/apps/v1/namespaces/default/statefulsets/web/scale', contentType: MERGE, body: { spec: { replicas: 5 } }, kubectl: 'kubectl scale sts web --replicas=5' },
    },
    {
      name: 'scale a Deployment elsewhere',
      action: scale('deployments', 'shop', 'api', 0),
      want: { method: 'PATCH', path: '/apis/apps/v1/namespaces/shop/deployments/api/scale', contentType: MERGE, body: { spec: { replicas: 0 } }, kubectl: 'kubectl scale deploy api --replicas=0 -n shop' },
    },
    {
      name: 'delete a pod',
      action: deletePod('shop', 'web-0'),
      want: { method: 'DELETE', path: '/api/v1/namespaces/shop/pods/web-0', contentType: 'application/json', body: DELETE_OPTIONS, kubectl: 'kubectl delete pod web-0 -n shop' },
    },
    {
      name: 'delete a pod in default',
      action: deletePod('default', 'web-0'),
      want: { method: 'DELETE', path: '/api/v1/namespaces/default/pods/web-0', contentType: 'application/json', body: DELETE_OPTIONS, kubectl: 'kubectl delete pod web-0' },
    },
    {
      name: 'cordon',
      action: cordon('worker-1', true),
      want: { method: 'PATCH', path: '/api/v1/nodes/worker-1', contentType: STRATEGIC, body: { spec: { unschedulable: true } }, kubectl: 'kubectl cordon worker-1' },
    },
    {
      name: 'uncordon removes the field',
      action: cordon('worker-1', false),
      want: { method: 'PATCH', path: '/api/v1/nodes/worker-1', contentType: STRATEGIC, body: { spec: { unschedulable: null } }, kubectl: 'kubectl uncordon worker-1' },
    },
    {
      name: 'set the partition',
      action: setPartition('shop', 'web', 2),
      want: {
        method: 'PATCH',
        path: '/apis/apps/v1/namespaces/shop/statefulsets/web',
        contentType: STRATEGIC,
        body: { spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } } },
        kubectl: `kubectl patch sts web -n shop -p '{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":2}}}}'`,
      },
    },
    {
      name: 'add a simulated node',
      action: addNode('dashboard-node-1'),
      want: {
        method: 'POST',
        path: '/api/v1/nodes',
        contentType: 'application/json',
        body: {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: 'dashboard-node-1', labels: { 'kubernetes.io/hostname': 'dashboard-node-1', 'kubernetes.io/os': 'linux' }, annotations: { 'node.k8ts.io/simulated': 'true' } },
        },
        kubectl: 'k8ts node add --name dashboard-node-1',
      },
    },
    {
      name: 'remove a node',
      action: removeNode('worker-2'),
      want: { method: 'DELETE', path: '/api/v1/nodes/worker-2', contentType: 'application/json', body: DELETE_OPTIONS, kubectl: 'kubectl delete node worker-2' },
    },
  ];
  it.each(cases)('$name', ({ action, want }) => {
    expect(action).toEqual(want);
  });
});

const owner = (uid: string) => [{ apiVersion: 'apps/v1', kind: 'X', name: 'x', uid, controller: true }];

describe('rollBack (StatefulSet, DaemonSet)', () => {
  const sts: KubeObject = { metadata: { name: 'web', namespace: 'shop', uid: 'sts' } };
  const ds: KubeObject = { metadata: { name: 'agent', namespace: 'default', uid: 'ds' } };
  const rev = (n: number, uid: string, image: string): KubeObject => ({ metadata: { name: `r${n}`, ownerReferences: owner(uid) }, revision: n, data: { spec: { template: { spec: { containers: [{ name: 'c', image }] } } } } });
  const revisions = [rev(1, 'sts', 'v1'), rev(3, 'sts', 'v3'), rev(2, 'sts', 'v2'), rev(7, 'other', 'vX'), rev(1, 'ds', 'd1'), rev(2, 'ds', 'd2')];

  it('patches the StatefulSet with the previous revision data', () => {
    expect(rollBack('statefulsets', sts, revisions)).toEqual({
      method: 'PATCH',
      path: '/apis/apps/v1/namespaces/shop/statefulsets/web',
      contentType: STRATEGIC,
      body: { spec: { template: { spec: { containers: [{ name: 'c', image: 'v2' }] } } } },
      kubectl: 'kubectl rollout undo sts/web -n shop',
    });
  });

  it('patches the DaemonSet in default without a namespace flag', () => {
    expect(rollBack('daemonsets', ds, revisions)).toMatchObject({ path: '/apis/apps/v1/namespaces/default/daemonsets/agent', body: { spec: { template: { spec: { containers: [{ image: 'd1' }] } } } }, kubectl: 'kubectl rollout undo ds/agent' });
  });

  it('nothing to go back to with one revision', () => {
    expect(rollBack('statefulsets', sts, [rev(1, 'sts', 'v1'), rev(2, 'other', 'v2')])).toBeUndefined();
  });
});

describe('rollBackDeployment', () => {
  const deployment: KubeObject = {
    metadata: { name: 'api', namespace: 'shop', uid: 'dep', annotations: { 'deployment.kubernetes.io/revision': '3', 'kubectl.kubernetes.io/last-applied-configuration': '{}', team: 'blue' } },
  };
  const rs = (n: number, uid: string, image: string, annotations: Record<string, string> = {}): KubeObject => ({
    metadata: { name: `api-h${n}`, ownerReferences: owner(uid), annotations: { 'deployment.kubernetes.io/revision': String(n), 'deployment.kubernetes.io/desired-replicas': '3', ...annotations } },
    spec: { template: { metadata: { labels: { app: 'api', 'pod-template-hash': `h${n}` } }, spec: { containers: [{ name: 'c', image }] } } },
  });

  it("replaces the template with the previous ReplicaSet's (hash label dropped) and its annotations", () => {
    const sets = [rs(1, 'dep', 'v1'), rs(3, 'dep', 'v3'), rs(2, 'dep', 'v2', { 'kubernetes.io/change-cause': 'v2 release', 'deployment.kubernetes.io/revision-history': '1' }), rs(9, 'other', 'vX')];
    expect(rollBackDeployment(deployment, sets)).toEqual({
      method: 'PATCH',
      path: '/apis/apps/v1/namespaces/shop/deployments/api',
      contentType: 'application/json-patch+json',
      body: [
        { op: 'replace', path: '/spec/template', value: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'c', image: 'v2' }] } } },
        { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '3', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'kubernetes.io/change-cause': 'v2 release' } },
      ],
      kubectl: 'kubectl rollout undo deploy/api -n shop',
    });
    // The ReplicaSet itself is left as it was.
    expect((sets[2]!.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels['pod-template-hash']).toBe('h2');
  });

  it('nothing to go back to with one ReplicaSet', () => {
    expect(rollBackDeployment(deployment, [rs(1, 'dep', 'v1')])).toBeUndefined();
  });
});
