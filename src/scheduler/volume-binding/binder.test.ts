// Table tests for the scheduler's volume decisions: PreFilter and per-node Filter outcomes.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../api/storage/volume.ts';
import { ERR_BIND_CONFLICT, ERR_NODE_CONFLICT, ERR_PV_NOT_EXIST, ERR_UNBOUND_IMMEDIATE, findPodVolumes, podVolumeClaims, preFilterMessage, type PodVolumeClaims, type VolumeView } from './binder.ts';

const hostAffinity = (node: string) => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } });
const pv = (name: string, o: { node?: string; size?: string; cls?: string; claimRef?: PersistentVolume['spec'] extends infer S ? (S extends { claimRef?: infer R } ? R : never) : never; phase?: string } = {}): PersistentVolume => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name, resourceVersion: '1' },
  spec: { capacity: { storage: o.size ?? '10Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: o.cls ?? 'local', local: { path: `/mnt/${name}` }, ...(o.node ? { nodeAffinity: hostAffinity(o.node) } : {}), ...(o.claimRef ? { claimRef: o.claimRef } : {}) },
  status: { phase: o.phase ?? 'Available' },
});
const pvc = (name: string, o: { cls?: string; size?: string; volumeName?: string; bound?: boolean; deleting?: boolean; selected?: string; phase?: string } = {}): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: {
    name,
    namespace: 'demo',
    uid: `uid-${name}`,
    resourceVersion: '1',
    annotations: { ...(o.bound ? { 'pv.kubernetes.io/bind-completed': 'yes' } : {}), ...(o.selected ? { 'volume.kubernetes.io/selected-node': o.selected } : {}) },
    ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: o.size ?? '1Gi' } }, storageClassName: o.cls ?? 'local', ...(o.volumeName ? { volumeName: o.volumeName } : {}) },
  status: { phase: o.phase ?? (o.bound ? 'Bound' : 'Pending') },
});
const sc = (name: string, mode: string, provisioner: string, allowedTopologies?: StorageClass['allowedTopologies']): StorageClass => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner, volumeBindingMode: mode, ...(allowedTopologies ? { allowedTopologies } : {}) });
const CLASSES = [sc('local', 'WaitForFirstConsumer', 'kubernetes.io/no-provisioner'), sc('standard', 'WaitForFirstConsumer', 'k8ts.io/local-path'), sc('instant', 'Immediate', 'k8ts.io/local-path'), sc('zoned', 'WaitForFirstConsumer', 'k8ts.io/local-path', [{ matchLabelExpressions: [{ key: 'zone', values: ['z1'] }] }])];

function view(claims: PersistentVolumeClaim[], volumes: PersistentVolume[] = []): VolumeView {
  return {
    claim: (ns, name) => claims.find((c) => c.metadata.namespace === ns && c.metadata.name === name),
    volume: (name) => volumes.find((v) => v.metadata.name === name),
    candidateVolumes: (pvc) =>
      volumes.filter((v) => (v.spec?.storageClassName ?? '') === (pvc.spec?.storageClassName ?? '') && (!v.spec?.claimRef || (v.spec.claimRef.namespace === pvc.metadata.namespace && v.spec.claimRef.name === pvc.metadata.name))),
    storageClass: (name) => CLASSES.find((c) => c.metadata.name === name),
  };
}
const pod = (...claims: string[]): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'demo', uid: 'pod-1' }, spec: { volumes: claims.map((c) => ({ name: c, persistentVolumeClaim: { claimName: c } })) } });
const node = (name: string, labels: Record<string, string> = {}) => ({ metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } } });

describe('PreFilter', () => {
  it.each([
    { name: 'claim missing', claims: [], want: 'persistentvolumeclaim "data" not found' },
    { name: 'claim being deleted', claims: [pvc('data', { deleting: true })], want: 'persistentvolumeclaim "data" is being deleted' },
    { name: 'claim lost', claims: [pvc('data', { phase: 'Lost', volumeName: 'gone' })], want: 'persistentvolumeclaim "data" bound to non-existent persistentvolume "gone"' },
    { name: 'unbound Immediate claim', claims: [pvc('data', { cls: 'instant' })], want: ERR_UNBOUND_IMMEDIATE },
    { name: 'unbound claim without class', claims: [pvc('data', { cls: '' })], want: ERR_UNBOUND_IMMEDIATE },
    { name: 'pre-bound claim the controller has not finished', claims: [pvc('data', { volumeName: 'pv1' })], want: ERR_UNBOUND_IMMEDIATE },
    { name: 'bound claim', claims: [pvc('data', { bound: true, volumeName: 'pv1' })], want: undefined },
    { name: 'WaitForFirstConsumer claim', claims: [pvc('data')], want: undefined },
  ])('$name', ({ claims, want }) => {
    expect(preFilterMessage(podVolumeClaims(pod('data'), view(claims)))).toBe(want);
  });

  it('generic ephemeral volumes wait for their claim', () => {
    const p: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'demo' }, spec: { volumes: [{ name: 'scratch', ephemeral: {} }] } };
    expect(preFilterMessage(podVolumeClaims(p, view([])))).toBe('waiting for ephemeral volume controller to create the persistentvolumeclaim "p-scratch"');
  });
});

describe('Filter', () => {
  const filter = (claims: PersistentVolumeClaim[], volumes: PersistentVolume[], n = node('node-a'), names = claims.map((c) => c.metadata.name!)) => {
    const c = podVolumeClaims(pod(...names), view(claims, volumes)) as PodVolumeClaims;
    return findPodVolumes(c, n, view(claims, volumes));
  };
  it.each([
    { name: 'bound volume on this node', claims: [pvc('data', { bound: true, volumeName: 'pv1' })], volumes: [pv('pv1', { node: 'node-a' })], want: [] },
    { name: 'bound volume on another node', claims: [pvc('data', { bound: true, volumeName: 'pv1' })], volumes: [pv('pv1', { node: 'node-b' })], want: [ERR_NODE_CONFLICT] },
    { name: 'bound volume without affinity', claims: [pvc('data', { bound: true, volumeName: 'pv1' })], volumes: [pv('pv1')], want: [] },
    { name: 'bound to a volume that does not exist', claims: [pvc('data', { bound: true, volumeName: 'pv1' })], volumes: [], want: [ERR_PV_NOT_EXIST] },
    { name: 'static volume on this node', claims: [pvc('data')], volumes: [pv('pv1', { node: 'node-a' })], want: [] },
    { name: 'static volume only elsewhere, class cannot provision', claims: [pvc('data')], volumes: [pv('pv1', { node: 'node-b' })], want: [ERR_BIND_CONFLICT] },
    { name: 'static volume too small', claims: [pvc('data', { size: '20Gi' })], volumes: [pv('pv1', { node: 'node-a' })], want: [ERR_BIND_CONFLICT] },
    { name: 'static volume already bound', claims: [pvc('data')], volumes: [pv('pv1', { node: 'node-a', phase: 'Bound', claimRef: { namespace: 'demo', name: 'x', uid: 'u' } })], want: [ERR_BIND_CONFLICT] },
    { name: 'provisionable class', claims: [pvc('data', { cls: 'standard' })], volumes: [], want: [] },
    { name: 'topology allows the node', claims: [pvc('data', { cls: 'zoned' })], volumes: [], n: node('node-a', { zone: 'z1' }), want: [] },
    { name: 'topology excludes the node', claims: [pvc('data', { cls: 'zoned' })], volumes: [], n: node('node-a', { zone: 'z2' }), want: [ERR_BIND_CONFLICT] },
    { name: 'selected node is this one', claims: [pvc('data', { cls: 'standard', selected: 'node-a' })], volumes: [], want: [] },
    { name: 'selected node is another', claims: [pvc('data', { cls: 'standard', selected: 'node-b' })], volumes: [], want: [ERR_BIND_CONFLICT] },
    { name: 'two claims cannot share one volume', claims: [pvc('a'), pvc('b')], volumes: [pv('pv1', { node: 'node-a' })], want: [ERR_BIND_CONFLICT] },
  ])('$name', ({ claims, volumes, n, want }) => {
    expect(filter(claims, volumes, n).reasons).toEqual(want);
  });

  it('plans static bindings and provisions per node', () => {
    const res = filter([pvc('big', { size: '5Gi' }), pvc('small'), pvc('fresh', { cls: 'standard' })], [pv('pv10', { node: 'node-a', size: '10Gi' }), pv('pv5', { node: 'node-a', size: '5Gi' })]);
    expect(res.reasons).toEqual([]);
    // Smallest claim first: small takes pv5, so big gets pv10.
    expect(res.staticBindings.map((b) => `${b.pvc.metadata.name}->${b.pv.metadata.name}`)).toEqual(['small->pv5', 'big->pv10']);
    expect(res.provisions.map((c) => c.metadata.name)).toEqual(['fresh']);
  });

  it('reports several reasons for one node', () => {
    const claims = [pvc('bound', { bound: true, volumeName: 'pv1' }), pvc('data')];
    const c = podVolumeClaims(pod('bound', 'data'), view(claims, [pv('pv1', { node: 'node-b' })])) as PodVolumeClaims;
    expect(findPodVolumes(c, node('node-a'), view(claims, [pv('pv1', { node: 'node-b' })])).reasons).toEqual([ERR_NODE_CONFLICT, ERR_BIND_CONFLICT]);
  });
});
