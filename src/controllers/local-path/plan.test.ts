import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../api/storage/volume.ts';
import { createVolumeDir, deleteVolumeDir } from './dirs.ts';
import { pathAndNodeOf, pickNodeForImmediate, planProvision, shouldDelete, shouldProvision } from './plan.ts';

const PROV = { 'volume.kubernetes.io/storage-provisioner': 'k8ts.io/local-path', 'volume.beta.kubernetes.io/storage-provisioner': 'k8ts.io/local-path' };
const claim = (o: { annotations?: Record<string, string>; modes?: string[]; selector?: boolean; volumeName?: string } = {}): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data', namespace: 'demo', uid: '3f1c', resourceVersion: '7', annotations: o.annotations ?? PROV },
  spec: { accessModes: o.modes ?? ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'standard', ...(o.selector ? { selector: { matchLabels: { a: 'b' } } } : {}), ...(o.volumeName ? { volumeName: o.volumeName } : {}) },
});
const cls = (o: Partial<StorageClass> = {}): StorageClass => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'standard' }, provisioner: 'k8ts.io/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer', ...o });
const node = (name: string, extra: Record<string, unknown> = {}) => ({ metadata: { name, labels: { 'kubernetes.io/hostname': name } }, ...extra });

describe('shouldProvision', () => {
  it.each([
    { name: 'WFFC with a selected node', pvc: claim({ annotations: { ...PROV, 'volume.kubernetes.io/selected-node': 'node-a' } }), sc: cls(), want: true },
    { name: 'WFFC before the scheduler chose', pvc: claim(), sc: cls(), want: false },
    { name: 'Immediate at once', pvc: claim(), sc: cls({ volumeBindingMode: 'Immediate' }), want: true },
    { name: 'not addressed to us', pvc: claim({ annotations: {} }), sc: cls({ volumeBindingMode: 'Immediate' }), want: false },
    { name: 'class of another provisioner', pvc: claim(), sc: cls({ provisioner: 'other.io/x', volumeBindingMode: 'Immediate' }), want: false },
    { name: 'class missing', pvc: claim(), sc: undefined, want: false },
    { name: 'already bound', pvc: claim({ volumeName: 'pv' }), sc: cls({ volumeBindingMode: 'Immediate' }), want: false },
  ])('$name', ({ pvc, sc, want }) => {
    expect(shouldProvision(pvc, sc)).toBe(want);
  });
});

describe('planProvision', () => {
  it('builds the volume as rancher lays it out', () => {
    const plan = planProvision({ pvc: claim(), sc: cls(), node: node('node-a'), baseDir: '/data/storage' });
    expect(plan).toEqual({
      dir: '/data/storage/pvc-3f1c_demo_data',
      pv: {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: 'pvc-3f1c', annotations: { 'local.path.provisioner/selected-node': 'node-a', 'pv.kubernetes.io/provisioned-by': 'k8ts.io/local-path' } },
        spec: {
          accessModes: ['ReadWriteOnce'],
          capacity: { storage: '1Gi' },
          volumeMode: 'Filesystem',
          hostPath: { path: '/data/storage/pvc-3f1c_demo_data', type: 'DirectoryOrCreate' },
          nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-a'] }] }] } },
          persistentVolumeReclaimPolicy: 'Delete',
          storageClassName: 'standard',
          claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'demo', name: 'data', uid: '3f1c', resourceVersion: '7' },
        },
      },
    });
  });

  it('local volumes when the class asks, class reclaim policy and mount options', () => {
    const plan = planProvision({ pvc: claim(), sc: cls({ metadata: { name: 'standard', annotations: { defaultVolumeType: 'local' } }, reclaimPolicy: 'Retain', mountOptions: ['noatime'] }), node: node('n'), baseDir: '/s' });
    expect('pv' in plan && plan.pv.spec).toMatchObject({ local: { path: '/s/pvc-3f1c_demo_data' }, persistentVolumeReclaimPolicy: 'Retain', mountOptions: ['noatime'] });
    expect('pv' in plan && plan.pv.spec!.hostPath).toBeUndefined();
  });

  it.each([
    { name: 'selector', pvc: claim({ selector: true }), n: node('n'), want: 'claim.Spec.Selector is not supported' },
    { name: 'shared access', pvc: claim({ modes: ['ReadWriteMany'] }), n: node('n'), want: 'NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes' },
    { name: 'no node', pvc: claim(), n: undefined, want: 'configuration error, no node was specified' },
  ])('refuses: $name', ({ pvc, n, want }) => {
    expect(planProvision({ pvc, sc: cls(), node: n, baseDir: '/s' })).toEqual({ error: want });
  });
});

describe('deleting', () => {
  const provisioned = (o: { phase?: string; policy?: string; by?: string; deleting?: boolean } = {}): PersistentVolume => ({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'pvc-3f1c', annotations: { 'pv.kubernetes.io/provisioned-by': o.by ?? 'k8ts.io/local-path' }, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { hostPath: { path: '/s/pvc-3f1c_demo_data' }, persistentVolumeReclaimPolicy: o.policy ?? 'Delete', nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-a'] }] }] } } },
    status: { phase: o.phase ?? 'Released' },
  });
  it.each([
    { name: 'released, Delete, ours', pv: provisioned(), want: true },
    { name: 'still bound', pv: provisioned({ phase: 'Bound' }), want: false },
    { name: 'Retain', pv: provisioned({ policy: 'Retain' }), want: false },
    { name: 'another provisioner', pv: provisioned({ by: 'rancher.io/local-path' }), want: false },
    { name: 'already being deleted', pv: provisioned({ deleting: true }), want: false },
  ])('shouldDelete: $name', ({ pv, want }) => {
    expect(shouldDelete(pv)).toBe(want);
  });
  it('reads path and node back', () => {
    expect(pathAndNodeOf(provisioned())).toEqual({ path: '/s/pvc-3f1c_demo_data', node: 'node-a' });
    expect(pathAndNodeOf({ ...provisioned(), spec: { hostPath: { path: '/x' } } })).toEqual({ error: 'failed to delete volume pvc-3f1c: no NodeAffinity set' });
  });
});

describe('pickNodeForImmediate', () => {
  const ready = { status: { conditions: [{ type: 'Ready', status: 'True' }] } };
  it('prefers Ready untainted schedulable nodes', () => {
    const nodes = [node('cp', { ...ready, spec: { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } }), node('cordoned', { ...ready, spec: { unschedulable: true } }), node('down'), node('w', ready)];
    expect(pickNodeForImmediate(nodes)?.metadata.name).toBe('w');
    expect(pickNodeForImmediate([nodes[0]!])?.metadata.name).toBe('cp');
    expect(pickNodeForImmediate([nodes[2]!])).toBeUndefined();
  });
});

describe('volume directories', () => {
  let base: string;
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'k8ts-lp-'));
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('creates a world-writable directory and removes it with its contents', async () => {
    const dir = join(base, 'storage', 'pvc-1_demo_data');
    await createVolumeDir(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
    await createVolumeDir(dir);
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'f'), 'x');
    await deleteVolumeDir(dir, join(base, 'storage'));
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(join(base, 'storage'))).toBe(true);
  });

  it('refuses to delete outside its base directory', async () => {
    await expect(deleteVolumeDir(join(base, 'elsewhere'), join(base, 'storage'))).rejects.toThrow(/not under/);
    await expect(deleteVolumeDir(join(base, 'storage'), join(base, 'storage'))).rejects.toThrow(/not under/);
    await expect(deleteVolumeDir(join(base, 'storage', '..', 'x'), join(base, 'storage'))).rejects.toThrow(/not under/);
  });
});
