import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import type { ResourceInfo } from '../../api/resources.ts';
import type { StorageClass } from '../../api/storage/volume.ts';
import { storageAdmission } from './storage.ts';

const info = (kind: string) => ({ group: '', version: 'v1', kind, resource: `${kind.toLowerCase()}s`, namespaced: kind !== 'PersistentVolume' }) as unknown as ResourceInfo;
const cls = (name: string, isDefault: boolean, at = '2026-01-01T00:00:00Z'): StorageClass => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name, creationTimestamp: at, annotations: isDefault ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {} },
  provisioner: 'k8ts.io/local-path',
});
const claim = (spec: Record<string, unknown> = {}, annotations?: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c', namespace: 'demo', annotations }, spec: { accessModes: ['ReadWriteOnce'], ...spec } });

describe('storage admission', () => {
  it.each([
    { name: 'no class: the default', obj: claim(), classes: [cls('standard', true), cls('fast', false)], want: 'standard' },
    { name: 'explicit "" kept', obj: claim({ storageClassName: '' }), classes: [cls('standard', true)], want: '' },
    { name: 'explicit class kept', obj: claim({ storageClassName: 'fast' }), classes: [cls('standard', true)], want: 'fast' },
    { name: 'beta annotation counts as a class', obj: claim({}, { 'volume.beta.kubernetes.io/storage-class': 'fast' }), classes: [cls('standard', true)], want: undefined },
    { name: 'no default: stays unset', obj: claim(), classes: [cls('fast', false)], want: undefined },
    { name: 'newest default wins', obj: claim(), classes: [cls('old', true, '2025-01-01T00:00:00Z'), cls('new', true, '2026-03-01T00:00:00Z')], want: 'new' },
  ])('$name', async ({ obj, classes, want }) => {
    await storageAdmission(async () => classes).admit('create', info('PersistentVolumeClaim'), obj, undefined);
    expect((obj.spec as { storageClassName?: string }).storageClassName).toBe(want);
    expect(obj.metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);
  });

  it('protects new volumes, and leaves updates alone', async () => {
    const adm = storageAdmission(async () => [cls('standard', true)]);
    const pv: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv', finalizers: ['kubernetes.io/pv-protection'] } };
    await adm.admit('create', info('PersistentVolume'), pv, undefined);
    expect(pv.metadata.finalizers).toEqual(['kubernetes.io/pv-protection']);
    const updated = claim();
    await adm.admit('update', info('PersistentVolumeClaim'), updated, claim());
    expect(updated.metadata.finalizers).toBeUndefined();
    expect((updated.spec as { storageClassName?: string }).storageClassName).toBeUndefined();
  });
});
