import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import type { PersistentVolume, PersistentVolumeClaim } from '../../api/storage/volume.ts';
import { planClaimProtection, planVolumeProtection, podUsesClaim } from './plan.ts';

const claim = (o: { deleting?: boolean; finalizers?: string[] } = {}): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data', namespace: 'demo', uid: 'c1', finalizers: o.finalizers ?? ['kubernetes.io/pvc-protection'], ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
});
const pod = (o: { nodeName?: string; ns?: string; claim?: string; phase?: string } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: o.ns ?? 'demo', uid: 'p1' },
  spec: { nodeName: o.nodeName, volumes: [{ name: 'v', persistentVolumeClaim: { claimName: o.claim ?? 'data' } }] },
  status: { phase: o.phase ?? 'Running' },
});
const volume = (o: { deleting?: boolean; phase?: string; finalizers?: string[] } = {}): PersistentVolume => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name: 'pv', finalizers: o.finalizers ?? ['kubernetes.io/pv-protection'], ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  status: { phase: o.phase ?? 'Bound' },
});

describe('pvc protection', () => {
  it.each([
    { name: 'live claim keeps its finalizer', pvc: claim(), pods: [], want: undefined },
    { name: 'live claim without finalizer gets it', pvc: claim({ finalizers: [] }), pods: [], want: 'add' },
    { name: 'deleted claim with a scheduled pod stays', pvc: claim({ deleting: true }), pods: [pod({ nodeName: 'n' })], want: undefined },
    { name: 'a finished but existing pod still holds it (upstream)', pvc: claim({ deleting: true }), pods: [pod({ nodeName: 'n', phase: 'Succeeded' })], want: undefined },
    { name: 'unscheduled pods do not count', pvc: claim({ deleting: true }), pods: [pod()], want: 'remove' },
    { name: 'pods of other claims do not count', pvc: claim({ deleting: true }), pods: [pod({ nodeName: 'n', claim: 'other' })], want: 'remove' },
    { name: 'pods of other namespaces do not count', pvc: claim({ deleting: true }), pods: [pod({ nodeName: 'n', ns: 'x' })], want: 'remove' },
    { name: 'no pods: finalizer goes', pvc: claim({ deleting: true }), pods: [], want: 'remove' },
    { name: 'deleted claim without finalizer: nothing to do', pvc: claim({ deleting: true, finalizers: [] }), pods: [], want: undefined },
  ])('$name', ({ pvc, pods, want }) => {
    expect(planClaimProtection(pvc, pods)).toBe(want);
  });

  it('an ephemeral claim is released once its pod is shut down', () => {
    const pvc: PersistentVolumeClaim = { ...claim(), metadata: { ...claim().metadata, name: 'p-scratch', ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'p1', controller: true }] } };
    const p: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'demo', uid: 'p1' }, spec: { nodeName: 'n', volumes: [{ name: 'scratch', ephemeral: {} }] } };
    expect(podUsesClaim(p, pvc)).toBe(true);
    expect(podUsesClaim({ ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 0 } }, pvc)).toBe(false);
  });
});

describe('pv protection', () => {
  it.each([
    { name: 'live volume keeps its finalizer', pv: volume(), want: undefined },
    { name: 'live volume without finalizer gets it', pv: volume({ finalizers: [] }), want: 'add' },
    { name: 'deleted Bound volume waits', pv: volume({ deleting: true }), want: undefined },
    { name: 'deleted Released volume goes', pv: volume({ deleting: true, phase: 'Released' }), want: 'remove' },
    { name: 'deleted Available volume goes', pv: volume({ deleting: true, phase: 'Available' }), want: 'remove' },
  ])('$name', ({ pv, want }) => {
    expect(planVolumeProtection(pv)).toBe(want);
  });
});
