import { describe, expect, it } from 'vitest';
import { formatFieldError } from '../../api/meta/field-errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import { pvStrategy, pvcStrategy, storageClassStrategy } from './storage.ts';
import { create, stored, update } from './testing.ts';

const claims = pvcStrategy();
const volumes = pvStrategy();
const classes = storageClassStrategy();

function pvc(spec: Record<string, unknown> = {}, name = 'data'): KubeObject {
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec } };
}
function pv(spec: Record<string, unknown> = {}, name = 'pv5'): KubeObject {
  return { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '5Gi' }, hostPath: { path: '/tmp/pv5' }, ...spec } };
}

describe('PersistentVolumeClaim', () => {
  it('defaults volumeMode and a Pending status', () => {
    const { obj, message } = create(claims, { ...pvc(), status: { phase: 'Bound' } });
    expect(message).toBe('');
    expect(obj.spec).toMatchObject({ volumeMode: 'Filesystem' });
    expect(obj.status).toEqual({ phase: 'Pending' });
  });

  it.each<[string, KubeObject, string]>([
    ['no access modes', pvc({ accessModes: [] }), 'PersistentVolumeClaim "data" is invalid: spec.accessModes: Required value: at least 1 access mode is required'],
    ['no storage request', pvc({ resources: {} }), 'PersistentVolumeClaim "data" is invalid: spec.resources[storage]: Required value'],
    ['zero storage', pvc({ resources: { requests: { storage: '0' } } }), 'PersistentVolumeClaim "data" is invalid: spec.resources[storage]: Invalid value: "0": must be greater than zero'],
    [
      'unknown access mode',
      pvc({ accessModes: ['ReadWriteSometimes'] }),
      'PersistentVolumeClaim "data" is invalid: spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
    ],
    [
      'RWOP mixed',
      pvc({ accessModes: ['ReadWriteOncePod', 'ReadWriteOnce'] }),
      'PersistentVolumeClaim "data" is invalid: spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes',
    ],
    ['bad volume mode', pvc({ volumeMode: 'Raw' }), 'PersistentVolumeClaim "data" is invalid: spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"'],
  ])('%s', (_, obj, want) => {
    expect(create(claims, obj).message).toBe(want);
  });

  const old = stored(claims, pvc());

  it('allows binding (volumeName once) and setting a nil storage class', () => {
    const next = structuredClone(old);
    Object.assign(next.spec as object, { volumeName: 'pv10', storageClassName: 'manual' });
    expect(update(claims, old, next).message).toBe('');
  });

  it('refuses spec changes of a pending claim', () => {
    const next = structuredClone(old);
    (next.spec as any).resources.requests.storage = '2Gi';
    expect(update(claims, old, next).message.split('\n')[0]).toBe(
      'PersistentVolumeClaim "data" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    );
  });

  it('lets a bound claim grow but not shrink below its capacity', () => {
    const bound: KubeObject = { ...structuredClone(old), status: { phase: 'Bound', capacity: { storage: '1Gi' } } };
    const grow = structuredClone(bound);
    (grow.spec as any).resources.requests.storage = '2Gi';
    expect(update(claims, bound, grow).message).toBe('');
    const shrink = structuredClone(bound);
    (shrink.spec as any).resources.requests.storage = '500Mi';
    expect(update(claims, bound, shrink).message).toBe(
      'PersistentVolumeClaim "data" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than status.capacity',
    );
  });
});

describe('PersistentVolumeClaim updates (ValidatePersistentVolumeClaimUpdate)', () => {
  const BETA = 'volume.beta.kubernetes.io/storage-class';
  const base = stored(claims, pvc({ storageClassName: 'fast' }));
  const bound: KubeObject = { ...structuredClone(base), spec: { ...(base.spec as object), volumeName: 'pv1' }, status: { phase: 'Bound', capacity: { storage: '1Gi' } } };
  const edit = (from: KubeObject, f: (o: any) => void): KubeObject => {
    const next = structuredClone(from);
    f(next);
    return next;
  };
  const first = (from: KubeObject, next: KubeObject) => update(claims, from, next).message.split('\n')[0];

  it.each<[string, KubeObject, (o: any) => void, string]>([
    ['grow a bound claim', bound, (o) => (o.spec.resources.requests.storage = '3Gi'), ''],
    ['shrink to status.capacity', bound, (o) => (o.spec.resources.requests.storage = '1Gi'), ''],
    ['shrink below status.capacity', bound, (o) => (o.spec.resources.requests.storage = '1Mi'), 'PersistentVolumeClaim "data" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than status.capacity'],
    ['change class of a bound claim', bound, (o) => (o.spec.storageClassName = 'slow'), 'PersistentVolumeClaim "data" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'],
    ['change access modes', bound, (o) => (o.spec.accessModes = ['ReadWriteMany']), 'PersistentVolumeClaim "data" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'],
    ['rebind to another volume', bound, (o) => (o.spec.volumeName = 'pv2'), 'PersistentVolumeClaim "data" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'],
    ['set volumeAttributesClassName on a bound claim', bound, (o) => (o.spec.volumeAttributesClassName = 'gold'), ''],
    ['volumeMode', base, (o) => (o.spec.volumeMode = 'Block'), 'PersistentVolumeClaim "data" is invalid: [spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'],
    ['add the beta class annotation', base, (o) => (o.metadata.annotations = { [BETA]: 'fast' }), `PersistentVolumeClaim "data" is invalid: metadata.annotations.${BETA}: Invalid value: "fast": field is immutable`],
  ])('%s', (_, from, f, want) => {
    expect(first(from, edit(from, f))).toBe(want);
  });

  it('moves a beta-annotation class into storageClassName', () => {
    const legacy = stored(claims, { ...pvc(), metadata: { name: 'data', annotations: { [BETA]: 'fast' } } });
    expect(first(legacy, edit(legacy, (o) => (o.spec.storageClassName = 'fast')))).toBe('');
    expect(first(legacy, edit(legacy, (o) => (o.spec.storageClassName = 'slow')))).toMatch(/^PersistentVolumeClaim "data" is invalid: spec: Forbidden: spec is immutable/);
  });

  it('refuses clearing a volumeAttributesClassName', () => {
    const withVac: KubeObject = edit(bound, (o) => (o.spec.volumeAttributesClassName = 'gold'));
    // Upstream only restores a non-nil new value before the spec comparison, so nil also trips it.
    const cleared = update(claims, withVac, edit(withVac, (o) => delete o.spec.volumeAttributesClassName)).message;
    expect(cleared).toMatch(/^PersistentVolumeClaim "data" is invalid: \[spec: Forbidden: spec is immutable/);
    expect(cleared).toMatch(/, spec.volumeAttributesClassName: Forbidden: update from non-nil value to nil is forbidden]$/);
    expect(first(withVac, edit(withVac, (o) => (o.spec.volumeAttributesClassName = '')))).toBe(
      'PersistentVolumeClaim "data" is invalid: spec.volumeAttributesClassName: Forbidden: update from non-nil value to an empty string is forbidden',
    );
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['resize in progress', { phase: 'Bound', allocatedResources: { storage: '2Gi' }, allocatedResourceStatuses: { storage: 'ControllerResizeInProgress' } }, []],
    [
      'unknown resize state',
      { phase: 'Bound', allocatedResourceStatuses: { storage: 'Growing' } },
      ['status.allocatedResourceStatus: Unsupported value: "storage": supported values: "ControllerResizeInProgress", "ControllerResizeInfeasible", "NodeResizeInProgress", "NodeResizeInfeasible", "NodeResizePending"'],
    ],
    ['native key other than storage', { phase: 'Bound', allocatedResources: { cpu: '1' } }, ['status.allocatedResources: Unsupported value: "cpu": supported values: "storage"']],
    ['prefixed custom key', { phase: 'Bound', allocatedResources: { 'example.com/iops': '100' } }, []],
    ['negative capacity', { phase: 'Bound', capacity: { storage: '-1' } }, ['status.capacity[storage]: Invalid value: -1: must be a valid resource quantity']],
  ])('status update: %s', (_, status, want) => {
    const next = { ...structuredClone(bound), status };
    claims.prepareForStatusUpdate?.(next, bound, { namespace: 'default', now: '' });
    const errs = claims.validateStatusUpdate?.(next, bound, { namespace: 'default', now: '' }) ?? [];
    expect(errs.map((e) => formatFieldError(e, { withField: true }))).toEqual(want);
  });
});

describe('PersistentVolume', () => {
  it('defaults reclaim policy, volume mode and a Pending status with its transition time', () => {
    const { obj, message } = create(volumes, pv());
    expect(message).toBe('');
    expect(obj.spec).toMatchObject({ persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem' });
    expect(obj.status).toEqual({ phase: 'Pending', lastPhaseTransitionTime: '2024-05-01T10:00:00Z' });
  });

  it.each<[string, KubeObject, string]>([
    ['no capacity', pv({ capacity: undefined }), 'PersistentVolume "pv5" is invalid: [spec.capacity: Required value, spec.capacity: Unsupported value: {}: supported values: "storage"]'],
    ['no source', pv({ hostPath: undefined }), 'PersistentVolume "pv5" is invalid: spec: Required value: must specify a volume type'],
    ['local without affinity', pv({ hostPath: undefined, local: { path: '/mnt/disk' } }), 'PersistentVolume "pv5" is invalid: spec.nodeAffinity: Required value: Local volume requires node affinity'],
    [
      'bad reclaim policy',
      pv({ persistentVolumeReclaimPolicy: 'Keep' }),
      'PersistentVolume "pv5" is invalid: spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"',
    ],
  ])('%s', (_, obj, want) => {
    expect(create(volumes, obj).message).toBe(want);
  });

  it.each<[string, KubeObject, string]>([
    ['recycling a hostPath of /', pv({ hostPath: { path: '/tmp/..' }, persistentVolumeReclaimPolicy: 'Recycle' }), `PersistentVolume "pv5" is invalid: spec.persistentVolumeReclaimPolicy: Forbidden: may not be 'recycle' for a hostPath mount of '/'`],
    ['empty volumeAttributesClassName', pv({ volumeAttributesClassName: '' }), 'PersistentVolume "pv5" is invalid: [spec.volumeAttributesClassName: Required value: an empty string is disallowed, spec.csi: Required value: has to be specified when using volumeAttributesClassName]'],
    ['RWOP with others', pv({ accessModes: ['ReadWriteOncePod', 'ReadOnlyMany'] }), 'PersistentVolume "pv5" is invalid: spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes'],
    ['claimRef without a name (upstream accepts it)', pv({ claimRef: { namespace: 'demo' } }), ''],
  ])('%s', (_, obj, want) => {
    expect(create(volumes, obj).message).toBe(want);
  });

  it('lets a CSI volume gain a controllerExpandSecretRef but not change its source otherwise', () => {
    const old = stored(volumes, pv({ hostPath: undefined, csi: { driver: 'k8ts.io/local-path', volumeHandle: 'h' } }));
    const withSecret = structuredClone(old);
    (withSecret.spec as any).csi.controllerExpandSecretRef = { name: 's', namespace: 'kube-system' };
    expect(update(volumes, old, withSecret).message).toBe('');
    const handle = structuredClone(old);
    (handle.spec as any).csi.volumeHandle = 'other';
    expect(update(volumes, old, handle).message.split('\n')[0]).toBe('PersistentVolume "pv5" is invalid: spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation');
  });

  it('accepts a local volume with node affinity and keeps its source immutable', () => {
    const local = pv({
      hostPath: undefined,
      local: { path: '/mnt/disk' },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-a'] }] }] } },
    });
    const old = stored(volumes, local);
    const next = structuredClone(old);
    (next.spec as any).local.path = '/mnt/other';
    expect(update(volumes, old, next).message.split('\n')[0]).toBe(
      'PersistentVolume "pv5" is invalid: spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation',
    );
    const claim = structuredClone(old);
    (claim.spec as any).claimRef = { namespace: 'demo', name: 'c1', uid: 'u' };
    expect(update(volumes, old, claim).message).toBe('');
  });
});

describe('StorageClass', () => {
  const sc = (extra: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'k8ts.io/local-path', ...extra });

  it('defaults reclaimPolicy and volumeBindingMode', () => {
    const { obj, message } = create(classes, sc());
    expect(message).toBe('');
    expect(obj).toMatchObject({ reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' });
  });

  it.each<[string, KubeObject, string]>([
    ['no provisioner', sc({ provisioner: undefined }), 'StorageClass "fast" is invalid: provisioner: Required value'],
    ['Recycle', sc({ reclaimPolicy: 'Recycle' }), 'StorageClass "fast" is invalid: reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"'],
    [
      'bad binding mode',
      sc({ volumeBindingMode: 'Later' }),
      'StorageClass "fast" is invalid: volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"',
    ],
  ])('%s', (_, obj, want) => {
    expect(create(classes, obj).message).toBe(want);
  });

  it('keeps provisioner, parameters, reclaimPolicy and binding mode fixed', () => {
    const old = stored(classes, sc({ parameters: { a: 'b' } }));
    const next = { ...structuredClone(old), provisioner: 'other.io/x', parameters: { a: 'c' }, volumeBindingMode: 'WaitForFirstConsumer' };
    expect(update(classes, old, next).message).toBe(
      'StorageClass "fast" is invalid: [parameters: Forbidden: updates to parameters are forbidden., provisioner: Forbidden: updates to provisioner are forbidden., volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable]',
    );
    const annotated = structuredClone(old);
    annotated.metadata.annotations = { 'storageclass.kubernetes.io/is-default-class': 'true' };
    expect(update(classes, old, annotated).message).toBe('');
  });
});
