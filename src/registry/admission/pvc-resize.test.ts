import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import { BUILTIN_RESOURCES } from '../../api/resources.ts';
import { persistentVolumeClaimResize } from './pvc-resize.ts';

const info = BUILTIN_RESOURCES.find((r) => r.resource === 'persistentvolumeclaims')!;
const classes: Record<string, KubeObject> = {
  grow: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'grow' }, allowVolumeExpansion: true },
  fixed: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fixed' } },
};
const plugin = persistentVolumeClaimResize(async (name) => classes[name]);

function claim(size: string, opts: { cls?: string | null; phase?: string; beta?: string } = {}): KubeObject {
  const spec: Record<string, unknown> = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } }, volumeName: 'pv1' };
  if (opts.cls !== null) spec.storageClassName = opts.cls ?? 'grow';
  const annotations = opts.beta ? { 'volume.beta.kubernetes.io/storage-class': opts.beta } : undefined;
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default', annotations }, spec, status: { phase: opts.phase ?? 'Bound' } };
}

async function outcome(next: KubeObject, old: KubeObject): Promise<string> {
  try {
    await plugin.admit('update', info, next, old);
    return 'allowed';
  } catch (e) {
    const err = e as ApiError;
    return `${err.code} ${err.reason}: ${err.message}`;
  }
}

const NOT_RESIZABLE =
  '403 Forbidden: persistentvolumeclaims "data" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize';

describe('PersistentVolumeClaimResize admission', () => {
  it.each<[string, KubeObject, KubeObject, string]>([
    ['growth under an expandable class', claim('2Gi'), claim('1Gi'), 'allowed'],
    ['same size', claim('1Gi', { cls: 'fixed' }), claim('1Gi', { cls: 'fixed' }), 'allowed'],
    ['shrink (validation decides)', claim('1Gi', { cls: 'fixed' }), claim('2Gi', { cls: 'fixed' }), 'allowed'],
    ['growth of a pending claim', claim('2Gi', { phase: 'Pending' }), claim('1Gi', { phase: 'Pending' }), '403 Forbidden: persistentvolumeclaims "data" is forbidden: Only bound persistent volume claims can be expanded'],
    ['class without allowVolumeExpansion', claim('2Gi', { cls: 'fixed' }), claim('1Gi', { cls: 'fixed' }), NOT_RESIZABLE],
    ['missing class', claim('2Gi', { cls: 'gone' }), claim('1Gi', { cls: 'gone' }), NOT_RESIZABLE],
    ['no class', claim('2Gi', { cls: null }), claim('1Gi', { cls: null }), NOT_RESIZABLE],
    ['beta annotation names the class', claim('2Gi', { cls: null, beta: 'grow' }), claim('1Gi', { cls: null, beta: 'grow' }), 'allowed'],
    ['beta annotation overrides the field', claim('2Gi', { beta: 'fixed' }), claim('1Gi', { beta: 'fixed' }), NOT_RESIZABLE],
  ])('%s', async (_, next, old, want) => {
    expect(await outcome(next, old)).toBe(want);
  });

  it('leaves other kinds and operations alone', async () => {
    const pods = BUILTIN_RESOURCES.find((r) => r.resource === 'pods')!;
    await expect(plugin.admit('update', pods, claim('2Gi', { cls: 'fixed' }), claim('1Gi', { cls: 'fixed' }))).resolves.toBeUndefined();
    await expect(plugin.admit('create', info, claim('2Gi', { cls: 'fixed' }), undefined)).resolves.toBeUndefined();
  });
});
