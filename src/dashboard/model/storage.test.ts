import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { storageView } from './storage.ts';

const storageClass = (name: string, fields: Record<string, unknown>, isDefault?: string): KubeObject => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name, ...(isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': isDefault } } : {}) },
  ...fields,
});

function claim(name: string, o: { ns?: string; phase?: string; volume?: string; capacity?: string; deleting?: boolean; className?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: o.ns ?? 'shop', ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...(o.className ? { storageClassName: o.className } : {}), ...(o.volume ? { volumeName: o.volume } : {}) },
    status: { ...(o.phase ? { phase: o.phase } : {}), ...(o.capacity ? { capacity: { storage: o.capacity } } : {}) },
  };
}

const pod = (name: string, claims: string[], ns = 'shop'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns },
  spec: {
    volumes: [
      { name: 'tmp', emptyDir: {} },
      ...claims.map((c, i) => (c.startsWith('ephemeral:') ? { name: c.slice('ephemeral:'.length), ephemeral: { volumeClaimTemplate: { spec: {} } } } : { name: `v${i}`, persistentVolumeClaim: { claimName: c } })),
    ],
  },
});

const volume = (name: string, spec: Record<string, unknown>, phase?: string, deleting = false): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec,
  ...(phase ? { status: { phase } } : {}),
});

describe('storageView', () => {
  it('classes: provisioner, binding mode, reclaim policy (API defaults when unset), default annotation', () => {
    const view = storageView({
      storageclasses: [
        storageClass('standard', { provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Delete' }, 'true'),
        storageClass('fast', { provisioner: 'example.com/ssd', reclaimPolicy: 'Retain', allowVolumeExpansion: true }, 'false'),
      ],
      persistentvolumeclaims: [],
      persistentvolumes: [],
      pods: [],
    });
    expect(view.classes).toEqual([
      { name: 'fast', provisioner: 'example.com/ssd', bindingMode: 'Immediate', reclaimPolicy: 'Retain', isDefault: false, expandable: true },
      { name: 'standard', provisioner: 'rancher.io/local-path', bindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Delete', isDefault: true, expandable: false },
    ]);
  });

  const claimCases: { name: string; claim: KubeObject; pods: KubeObject[]; want: Record<string, unknown> }[] = [
    {
      name: 'bound: capacity from status, the volume, the pods using it',
      claim: claim('data-web-0', { phase: 'Bound', volume: 'pvc-1', capacity: '2Gi', className: 'standard' }),
      pods: [pod('web-0', ['data-web-0']), pod('backup-x', ['other', 'data-web-0']), pod('web-0', ['data-web-0'], 'other-ns')],
      want: { namespace: 'shop', name: 'data-web-0', phase: 'Bound', storageClass: 'standard', capacity: '2Gi', accessModes: ['ReadWriteOnce'], volume: 'pvc-1', usedBy: ['backup-x', 'web-0'] },
    },
    {
      name: "a generic ephemeral volume's claim is used by its pod",
      claim: claim('job-1-scratch', { phase: 'Bound', volume: 'pvc-9', capacity: '1Gi' }),
      pods: [pod('job-1', ['ephemeral:scratch']), pod('job-2', ['ephemeral:scratch'])],
      want: { namespace: 'shop', name: 'job-1-scratch', phase: 'Bound', storageClass: '', capacity: '1Gi', accessModes: ['ReadWriteOnce'], volume: 'pvc-9', usedBy: ['job-1'] },
    },
    {
      name: 'pending (waiting for a consumer): the requested size, no volume, no class named',
      claim: claim('data-web-1', { phase: 'Pending' }),
      pods: [],
      want: { namespace: 'shop', name: 'data-web-1', phase: 'Pending', storageClass: '', capacity: '1Gi', accessModes: ['ReadWriteOnce'], usedBy: [] },
    },
    {
      name: 'no status yet counts as Pending; a claim being deleted is Terminating',
      claim: claim('scratch', { deleting: true }),
      pods: [pod('job-1', ['scratch'])],
      want: { namespace: 'shop', name: 'scratch', phase: 'Terminating', storageClass: '', capacity: '1Gi', accessModes: ['ReadWriteOnce'], usedBy: ['job-1'] },
    },
  ];
  it.each(claimCases)('claim: $name', ({ claim: c, pods, want }) => {
    expect(storageView({ storageclasses: [], persistentvolumeclaims: [c], persistentvolumes: [], pods }).claims).toEqual([want]);
  });

  it('claims sorted by namespace then name, numerically', () => {
    const view = storageView({ storageclasses: [], persistentvolumeclaims: [claim('data-web-10'), claim('data-web-2'), claim('a', { ns: 'zz' }), claim('z', { ns: 'aa' })], persistentvolumes: [], pods: [] });
    expect(view.claims.map((c) => `${c.namespace}/${c.name}`)).toEqual(['aa/z', 'shop/data-web-2', 'shop/data-web-10', 'zz/a']);
  });

  const volumeCases: { name: string; volume: KubeObject; want: Record<string, unknown> }[] = [
    {
      name: 'a provisioned local volume, bound',
      volume: volume('pvc-1', { capacity: { storage: '2Gi' }, persistentVolumeReclaimPolicy: 'Delete', storageClassName: 'standard', claimRef: { namespace: 'shop', name: 'data-web-0' }, local: { path: '/var/k8ts/pv/pvc-1' } }, 'Bound'),
      want: { name: 'pvc-1', phase: 'Bound', capacity: '2Gi', reclaimPolicy: 'Delete', storageClass: 'standard', claim: 'shop/data-web-0', path: '/var/k8ts/pv/pvc-1' },
    },
    {
      name: 'a hostPath volume released by its deleted claim, Retain by default',
      volume: volume('manual', { capacity: { storage: '5Gi' }, claimRef: { namespace: 'shop', name: 'gone' }, hostPath: { path: '/data/manual' } }, 'Released'),
      want: { name: 'manual', phase: 'Released', capacity: '5Gi', reclaimPolicy: 'Retain', storageClass: '', claim: 'shop/gone', path: '/data/manual' },
    },
    {
      name: 'available, no claim, no path; no status yet is Pending',
      volume: volume('nfs-1', { capacity: { storage: '1Gi' }, nfs: { server: 'x', path: '/' } }),
      want: { name: 'nfs-1', phase: 'Pending', capacity: '1Gi', reclaimPolicy: 'Retain', storageClass: '' },
    },
    {
      name: 'being deleted',
      volume: volume('pvc-2', { capacity: { storage: '1Gi' }, persistentVolumeReclaimPolicy: 'Delete' }, 'Released', true),
      want: { name: 'pvc-2', phase: 'Terminating', capacity: '1Gi', reclaimPolicy: 'Delete', storageClass: '' },
    },
  ];
  it.each(volumeCases)('volume: $name', ({ volume: v, want }) => {
    expect(storageView({ storageclasses: [], persistentvolumeclaims: [], persistentvolumes: [v], pods: [] }).volumes).toEqual([want]);
  });
});
