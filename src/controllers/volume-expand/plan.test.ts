import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { EXTERNAL_EXPANDING_MESSAGE, LOCAL_PATH_DRIVER, mergeResizeConditions, planExternalExpanding, planResize, targetSize, type ResizeStep } from './plan.ts';

const NOW = '2026-01-01T00:00:00Z';

function claim(request: string, status: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace: 'default', uid: 'u1', resourceVersion: '5' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: request } }, storageClassName: 'grow', volumeName: 'pvc-u1' },
    status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, ...status },
  };
}

function volume(capacity = '1Gi', extra: { driver?: string; uid?: string; csi?: boolean } = {}): KubeObject {
  const driver = extra.driver ?? LOCAL_PATH_DRIVER;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'pvc-u1', annotations: extra.csi ? {} : { 'pv.kubernetes.io/provisioned-by': driver } },
    spec: {
      capacity: { storage: capacity },
      claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data', uid: extra.uid ?? 'u1' },
      ...(extra.csi ? { csi: { driver, volumeHandle: 'h' } } : { hostPath: { path: '/x' } }),
    },
  };
}

const plan = (pvc: KubeObject, pv: KubeObject) => planResize({ pvc, pv, driver: LOCAL_PATH_DRIVER, now: NOW });
const kinds = (steps: ResizeStep[]) => steps.map((s) => (s.kind === 'event' ? `event ${s.event.reason}` : s.kind === 'volumeCapacity' ? `volume ${s.storage}` : 'claimStatus'));

describe('in-tree expand controller', () => {
  it('points a growing claim at the external resizer', () => {
    expect(planExternalExpanding(claim('2Gi'), volume())).toEqual({ event: { type: 'Normal', reason: 'ExternalExpanding', message: EXTERNAL_EXPANDING_MESSAGE } });
  });

  it.each<[string, KubeObject, KubeObject | undefined, object]>([
    ['nothing to grow', claim('1Gi'), volume(), {}],
    ['volume missing', claim('2Gi'), undefined, { error: 'failed to get PV "pvc-u1": persistentvolumes "pvc-u1" not found' }],
    ['volume bound to another claim', claim('2Gi'), volume('1Gi', { uid: 'other' }), { error: 'persistent Volume is not bound to PVC being updated : default/data' }],
  ])('%s', (_, pvc, pv, want) => {
    expect(planExternalExpanding(pvc, pv)).toEqual(want);
  });
});

describe('resizer plan', () => {
  it('expands online in one pass: in progress, volume, finished', () => {
    const steps = plan(claim('2Gi', { conditions: [{ type: 'Custom', status: 'True' }] }), volume());
    expect(kinds(steps)).toEqual(['claimStatus', 'event Resizing', 'volume 2Gi', 'claimStatus', 'event VolumeResizeSuccessful']);
    expect(steps[0]).toEqual({
      kind: 'claimStatus',
      status: {
        phase: 'Bound',
        accessModes: ['ReadWriteOnce'],
        capacity: { storage: '1Gi' },
        conditions: [
          { type: 'Custom', status: 'True' },
          { type: 'Resizing', status: 'True', lastProbeTime: null, lastTransitionTime: NOW },
        ],
        allocatedResources: { storage: '2Gi' },
        allocatedResourceStatuses: { storage: 'ControllerResizeInProgress' },
      },
    });
    expect(steps[1]).toEqual({ kind: 'event', event: { type: 'Normal', reason: 'Resizing', message: 'External resizer is resizing volume pvc-u1' } });
    expect(steps[3]).toEqual({
      kind: 'claimStatus',
      status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '2Gi' }, conditions: [{ type: 'Custom', status: 'True' }], allocatedResources: { storage: '2Gi' } },
    });
    expect(steps[4]).toEqual({ kind: 'event', event: { type: 'Normal', reason: 'VolumeResizeSuccessful', message: 'Resize volume succeeded' } });
  });

  it('recognises CSI volumes of the driver', () => {
    expect(kinds(plan(claim('2Gi'), volume('1Gi', { csi: true })))).toContain('volume 2Gi');
  });

  it.each<[string, KubeObject, KubeObject]>([
    ['another driver', claim('2Gi'), volume('1Gi', { driver: 'rancher.io/local-path' })],
    ['volume bound elsewhere', claim('2Gi'), volume('1Gi', { uid: 'other' })],
    ['request already met', claim('1Gi'), volume()],
    ['claim not bound', claim('2Gi', { phase: 'Pending' }), volume()],
    ['node expansion pending', claim('2Gi', { allocatedResources: { storage: '2Gi' }, allocatedResourceStatuses: { storage: 'NodeResizePending' } }), volume('2Gi')],
  ])('does nothing: %s', (_, pvc, pv) => {
    expect(plan(pvc, pv)).toEqual([]);
  });

  it('resumes an interrupted resize without re-marking it, finishing at the allocated size', () => {
    const pvc = claim('3Gi', { allocatedResources: { storage: '2Gi' }, allocatedResourceStatuses: { storage: 'ControllerResizeInProgress' }, conditions: [{ type: 'Resizing', status: 'True', lastTransitionTime: 'earlier' }] });
    const steps = plan(pvc, volume('2Gi'));
    expect(kinds(steps)).toEqual(['event Resizing', 'claimStatus', 'event VolumeResizeSuccessful']);
    expect(steps[1]).toMatchObject({ status: { capacity: { storage: '2Gi' }, allocatedResources: { storage: '2Gi' } } });
    expect((steps[1] as { status: Record<string, unknown> }).status.conditions).toBeUndefined();
    expect((steps[1] as { status: Record<string, unknown> }).status.allocatedResourceStatuses).toBeUndefined();
  });

  it('records a volume that is already larger at its own size', () => {
    const steps = plan(claim('2Gi'), volume('5Gi'));
    expect(kinds(steps)).toEqual(['claimStatus', 'event Resizing', 'claimStatus', 'event VolumeResizeSuccessful']);
    expect(steps[2]).toMatchObject({ status: { capacity: { storage: '5Gi' }, allocatedResources: { storage: '2Gi' } } });
  });

  it.each<[string, Record<string, unknown>, string, string | undefined]>([
    ['plain growth', {}, '1Gi', '3Gi'],
    ['controller resize in progress, volume smaller', { allocatedResources: { storage: '2Gi' }, allocatedResourceStatuses: { storage: 'ControllerResizeInProgress' } }, '1Gi', '2Gi'],
    ['node resize pending, volume already at allocated', { allocatedResources: { storage: '2Gi' }, allocatedResourceStatuses: { storage: 'NodeResizePending' } }, '2Gi', undefined],
    ['allocated without a status', { allocatedResources: { storage: '2Gi' } }, '3Gi', '2Gi'],
  ])('target size: %s', (_, status, pvSize, want) => {
    expect(targetSize(claim('3Gi', status), volume(pvSize))).toBe(want);
  });

  it('merges resize conditions as upstream', () => {
    const old = [
      { type: 'Resizing', status: 'True', lastTransitionTime: 'a' },
      { type: 'FileSystemResizePending', status: 'True', lastTransitionTime: 'a' },
      { type: 'Other', status: 'False' },
    ];
    expect(mergeResizeConditions(old, [{ type: 'Resizing', status: 'True', lastTransitionTime: 'b' }])).toEqual([old[0], old[2]]);
    expect(mergeResizeConditions(old, [{ type: 'Resizing', status: 'False', lastTransitionTime: 'b' }])).toEqual([{ type: 'Resizing', status: 'False', lastTransitionTime: 'b' }, old[2]]);
    expect(mergeResizeConditions(old, [])).toEqual([old[2]]);
  });
});
