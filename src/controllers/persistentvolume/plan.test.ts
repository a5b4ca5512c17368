// Table tests for every binding rule of the PV controller: the volume search, the claim and
// volume sync plans, and the object changes a binding makes.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../api/storage/volume.ts';
import { bindClaimToVolume, bindVolumeToClaim, claimStatusFor, unbindVolume } from './binding.ts';
import { checkVolumeSatisfyClaim, findBestMatchForClaim, findMatchingVolume } from './match.ts';
import { planClaim, type ClaimStep } from './plan-claim.ts';
import { deleterFor, isVolumeReleased, planReclaim, planVolume } from './plan-volume.ts';

type PvOpts = { size?: string; modes?: string[]; cls?: string; phase?: string; labels?: Record<string, string>; claimRef?: PersistentVolume['spec'] extends infer S ? S extends { claimRef?: infer R } ? R : never : never; mode?: string; deleting?: boolean; annotations?: Record<string, string>; policy?: string; affinityTo?: string };

function pv(name: string, o: PvOpts = {}): PersistentVolume {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, labels: o.labels, annotations: o.annotations, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: {
      capacity: { storage: o.size ?? '10Gi' },
      accessModes: o.modes ?? ['ReadWriteOnce'],
      storageClassName: o.cls ?? 'manual',
      volumeMode: o.mode ?? 'Filesystem',
      persistentVolumeReclaimPolicy: o.policy ?? 'Retain',
      hostPath: { path: `/tmp/${name}` },
      ...(o.claimRef ? { claimRef: o.claimRef } : {}),
      ...(o.affinityTo ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [o.affinityTo] }] }] } } } : {}),
    },
    status: { phase: o.phase ?? 'Available' },
  };
}

type PvcOpts = { size?: string; modes?: string[]; cls?: string | null; volumeName?: string; selector?: PersistentVolumeClaim['spec'] extends infer S ? S extends { selector?: infer X } ? X : never : never; mode?: string; annotations?: Record<string, string>; phase?: string; uid?: string };

function pvc(name: string, o: PvcOpts = {}): PersistentVolumeClaim {
  const spec: NonNullable<PersistentVolumeClaim['spec']> = { accessModes: o.modes ?? ['ReadWriteOnce'], resources: { requests: { storage: o.size ?? '8Gi' } }, volumeMode: o.mode ?? 'Filesystem' };
  if (o.cls !== null) spec.storageClassName = o.cls ?? 'manual';
  if (o.volumeName) spec.volumeName = o.volumeName;
  if (o.selector) spec.selector = o.selector;
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'demo', uid: o.uid ?? `uid-${name}`, annotations: o.annotations }, spec, status: { phase: o.phase ?? 'Pending' } };
}

const sc = (name: string, o: Partial<StorageClass> = {}): StorageClass => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name, creationTimestamp: '2026-01-01T00:00:00Z', ...o.metadata }, provisioner: 'kubernetes.io/no-provisioner', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate', ...o });
const classes = (...l: StorageClass[]) => new Map(l.map((c) => [c.metadata.name!, c]));
const ref = (c: PersistentVolumeClaim, withUid = true) => ({ kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: c.metadata.namespace, name: c.metadata.name, ...(withUid ? { uid: c.metadata.uid } : {}) });
const BOUND = { 'pv.kubernetes.io/bind-completed': 'yes' };

describe('findBestMatchForClaim', () => {
  const cases: { name: string; claim: PersistentVolumeClaim; volumes: PersistentVolume[]; delay?: boolean; want: string | undefined }[] = [
    { name: 'smallest volume that fits', claim: pvc('c'), volumes: [pv('pv20', { size: '20Gi' }), pv('pv5', { size: '5Gi' }), pv('pv10', { size: '10Gi' })], want: 'pv10' },
    { name: 'exact size fits', claim: pvc('c', { size: '10Gi' }), volumes: [pv('pv10', { size: '10Gi' })], want: 'pv10' },
    { name: 'nothing big enough', claim: pvc('c', { size: '30Gi' }), volumes: [pv('pv20', { size: '20Gi' })], want: undefined },
    { name: 'quantities in other units compare by bytes', claim: pvc('c', { size: '1500Mi' }), volumes: [pv('a', { size: '1G' }), pv('b', { size: '2G' })], want: 'b' },
    { name: 'class must match', claim: pvc('c', { cls: 'fast' }), volumes: [pv('manual', { cls: 'manual' }), pv('fast', { cls: 'fast', size: '50Gi' })], want: 'fast' },
    { name: 'claim without class takes only classless volumes', claim: pvc('c', { cls: '' }), volumes: [pv('classed'), pv('plain', { cls: '' })], want: 'plain' },
    { name: 'access modes must be offered', claim: pvc('c', { modes: ['ReadWriteMany'] }), volumes: [pv('rwo'), pv('rwx', { modes: ['ReadWriteMany'] })], want: 'rwx' },
    { name: 'no volume offers the mode', claim: pvc('c', { modes: ['ReadWriteMany'] }), volumes: [pv('rwo'), pv('rox', { modes: ['ReadOnlyMany'] })], want: undefined },
    { name: 'fewest-modes group wins over a smaller volume', claim: pvc('c', { size: '1Gi' }), volumes: [pv('wide', { modes: ['ReadWriteOnce', 'ReadOnlyMany'], size: '2Gi' }), pv('narrow', { size: '10Gi' })], want: 'narrow' },
    { name: 'ReadWriteOncePod is its own mode', claim: pvc('c', { modes: ['ReadWriteOncePod'] }), volumes: [pv('rwo'), pv('rwop', { modes: ['ReadWriteOncePod'] })], want: 'rwop' },
    { name: 'selector filters by labels', claim: pvc('c', { selector: { matchLabels: { tier: 'gold' } } }), volumes: [pv('plain', { size: '9Gi' }), pv('gold', { labels: { tier: 'gold' }, size: '20Gi' })], want: 'gold' },
    { name: 'selector expressions', claim: pvc('c', { selector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['gold'] }] } }), volumes: [pv('gold', { labels: { tier: 'gold' }, size: '9Gi' }), pv('silver', { labels: { tier: 'silver' } })], want: 'silver' },
    { name: 'volume mode must match', claim: pvc('c', { mode: 'Block' }), volumes: [pv('fs'), pv('block', { mode: 'Block', size: '20Gi' })], want: 'block' },
    { name: 'volumes being deleted are skipped', claim: pvc('c'), volumes: [pv('gone', { deleting: true }), pv('ok', { size: '20Gi' })], want: 'ok' },
    { name: 'only Available volumes', claim: pvc('c'), volumes: [pv('pending', { phase: 'Pending' }), pv('failed', { phase: 'Failed' }), pv('ok', { size: '20Gi' })], want: 'ok' },
    { name: 'Released volume is not reused', claim: pvc('c'), volumes: [pv('rel', { phase: 'Released', claimRef: ref(pvc('old')) })], want: undefined },
    { name: 'Released volume with claimRef cleared is still not Available', claim: pvc('c'), volumes: [pv('rel', { phase: 'Released' })], want: undefined },
    { name: 'volume bound to another claim is skipped', claim: pvc('c'), volumes: [pv('other', { phase: 'Bound', claimRef: ref(pvc('x')) })], want: undefined },
    { name: 'volume pre-bound to the claim wins at once', claim: pvc('c'), volumes: [pv('pv10'), pv('mine', { size: '50Gi', claimRef: ref(pvc('c'), false), cls: 'other' })], want: 'mine' },
    { name: 'pre-bound with another uid is skipped', claim: pvc('c'), volumes: [pv('stale', { claimRef: { ...ref(pvc('c')), uid: 'old' } })], want: undefined },
    { name: 'pre-bound but too small is skipped', claim: pvc('c'), volumes: [pv('mine', { size: '1Gi', claimRef: ref(pvc('c'), false) })], want: undefined },
    { name: 'WaitForFirstConsumer: unbound volumes are left to the scheduler', claim: pvc('c'), volumes: [pv('pv10')], delay: true, want: undefined },
    { name: 'WaitForFirstConsumer: a pre-bound volume still binds', claim: pvc('c'), volumes: [pv('mine', { claimRef: ref(pvc('c'), false) })], delay: true, want: 'mine' },
  ];
  it.each(cases)('$name', ({ claim, volumes, delay, want }) => {
    expect(findBestMatchForClaim(claim, volumes, delay ?? false)?.metadata.name).toBe(want);
  });
});

describe('findMatchingVolume on the scheduler path', () => {
  const node = (name: string) => ({ metadata: { name, labels: { 'kubernetes.io/hostname': name } } });
  it.each([
    { name: 'node affinity must admit the node', volumes: [pv('a', { affinityTo: 'node-a' }), pv('b', { affinityTo: 'node-b', size: '20Gi' })], node: 'node-b', want: 'b' },
    { name: 'no volume for the node', volumes: [pv('a', { affinityTo: 'node-a' })], node: 'node-b', want: undefined },
    { name: 'volumes without affinity fit anywhere', volumes: [pv('any')], node: 'node-b', want: 'any' },
    { name: 'pre-bound volume on another node: no match at all', volumes: [pv('mine', { claimRef: ref(pvc('c'), false), affinityTo: 'node-a' }), pv('other')], node: 'node-b', want: undefined },
    { name: 'access modes checked within the class', volumes: [pv('rox', { modes: ['ReadOnlyMany'] })], node: 'node-a', want: undefined },
  ])('$name', ({ volumes, node: n, want }) => {
    expect(findMatchingVolume(pvc('c'), volumes, { node: node(n), delayBinding: true })?.metadata.name).toBe(want);
  });
  it('skips volumes already chosen for another claim of the pod', () => {
    expect(findMatchingVolume(pvc('c'), [pv('a'), pv('b', { size: '20Gi' })], { node: node('n'), excluded: new Set(['a']) })?.metadata.name).toBe('b');
  });
});

describe('checkVolumeSatisfyClaim', () => {
  it.each([
    { name: 'fits', volume: pv('pv'), want: undefined },
    { name: 'deleting', volume: pv('pv', { deleting: true }), want: 'the volume is marked for deletion "pv"' },
    { name: 'too small', volume: pv('pv', { size: '1Gi' }), want: 'requested PV is too small' },
    { name: 'class', volume: pv('pv', { cls: 'other' }), want: 'storageClassName does not match' },
    { name: 'volume mode', volume: pv('pv', { mode: 'Block' }), want: 'incompatible volumeMode' },
    { name: 'access mode', volume: pv('pv', { modes: ['ReadOnlyMany'] }), want: 'incompatible accessMode' },
    { name: 'selector is not checked', volume: pv('pv', { labels: {} }), claim: pvc('c', { selector: { matchLabels: { a: 'b' } } }), want: undefined },
  ])('$name', ({ volume, claim, want }) => {
    expect(checkVolumeSatisfyClaim(volume, claim ?? pvc('c'))).toBe(want);
  });
});

const world = (o: { volumes?: PersistentVolume[]; classes?: Map<string, StorageClass>; pods?: KubeObject[] } = {}) => ({ volumes: o.volumes ?? [], classes: o.classes ?? new Map(), pods: o.pods ?? [] });
const kinds = (steps: ClaimStep[]) => steps.map((s) => (s.kind === 'event' ? `event:${s.event.reason}` : s.kind === 'phase' ? `phase:${s.phase}` : s.kind === 'bind' ? `bind:${s.volume.metadata.name}` : s.kind));
const events = (steps: ClaimStep[]) => steps.flatMap((s) => (s.kind === 'event' ? [s.event] : s.kind === 'phase' && s.eventIfChanged ? [s.eventIfChanged] : []));
const pod = (name: string, claim: string, nodeName?: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'demo' }, spec: { nodeName, volumes: [{ name: 'v', persistentVolumeClaim: { claimName: claim } }] }, status: { phase: 'Pending' } });

describe('planClaim: unbound claims', () => {
  const manual = sc('manual');
  const wffc = sc('local', { provisioner: 'k8ts.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' });
  const immediate = sc('standard', { provisioner: 'k8ts.io/local-path' });
  it.each([
    { name: 'binds the best volume', claim: pvc('c'), w: world({ volumes: [pv('pv5', { size: '5Gi' }), pv('pv10')], classes: classes(manual) }), want: ['bind:pv10'] },
    { name: 'no volume, no class', claim: pvc('c', { cls: '' }), w: world(), want: ['event:FailedBinding', 'phase:Pending'] },
    { name: 'no class at all and no default', claim: pvc('c', { cls: null }), w: world(), want: ['event:FailedBinding', 'phase:Pending'] },
    { name: 'no class at all: a default appears', claim: pvc('c', { cls: null }), w: world({ classes: classes(sc('std', { metadata: { name: 'std', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } })) }), want: ['assignClass'] },
    { name: 'explicit "" is never defaulted', claim: pvc('c', { cls: '' }), w: world({ classes: classes(sc('std', { metadata: { name: 'std', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } })) }), want: ['event:FailedBinding', 'phase:Pending'] },
    { name: 'no-provisioner class: provisioning fails', claim: pvc('c'), w: world({ classes: classes(manual) }), want: ['event:ProvisioningFailed'] },
    { name: 'missing class', claim: pvc('c', { cls: 'nope' }), w: world(), want: ['event:ProvisioningFailed'] },
    { name: 'external provisioner: annotate and wait', claim: pvc('c', { cls: 'standard' }), w: world({ classes: classes(immediate) }), want: ['annotateProvisioner', 'event:ExternalProvisioning'] },
    {
      name: 'external provisioner already annotated',
      claim: pvc('c', { cls: 'standard', annotations: { 'volume.kubernetes.io/storage-provisioner': 'k8ts.io/local-path', 'volume.beta.kubernetes.io/storage-provisioner': 'k8ts.io/local-path' } }),
      w: world({ classes: classes(immediate) }),
      want: ['event:ExternalProvisioning'],
    },
    { name: 'WaitForFirstConsumer without a pod', claim: pvc('c', { cls: 'local' }), w: world({ classes: classes(wffc), volumes: [pv('pv10', { cls: 'local' })] }), want: ['event:WaitForFirstConsumer', 'phase:Pending'] },
    { name: 'WaitForFirstConsumer with an unscheduled pod', claim: pvc('c', { cls: 'local' }), w: world({ classes: classes(wffc), pods: [pod('p', 'c'), pod('q', 'c', 'node-a')] }), want: ['event:WaitForPodScheduled', 'phase:Pending'] },
    { name: 'WaitForFirstConsumer after the scheduler chose a node', claim: pvc('c', { cls: 'local', annotations: { 'volume.kubernetes.io/selected-node': 'node-a' } }), w: world({ classes: classes(wffc) }), want: ['annotateProvisioner', 'event:ExternalProvisioning'] },
    { name: 'WaitForFirstConsumer: volume pre-bound by the scheduler', claim: pvc('c', { cls: 'local' }), w: world({ classes: classes(wffc), volumes: [pv('pv10', { cls: 'local', claimRef: ref(pvc('c')), annotations: { 'pv.kubernetes.io/bound-by-controller': 'yes' } })] }), want: ['bind:pv10'] },
    { name: 'volumeName: volume missing', claim: pvc('c', { volumeName: 'pv5' }), w: world(), want: ['phase:Pending'] },
    { name: 'volumeName: volume fits', claim: pvc('c', { volumeName: 'pv5', size: '1Gi' }), w: world({ volumes: [pv('pv5', { size: '5Gi' })] }), want: ['bind:pv5'] },
    { name: 'volumeName: class mismatch', claim: pvc('c', { volumeName: 'pv5', size: '1Gi', cls: 'other' }), w: world({ volumes: [pv('pv5', { size: '5Gi' })] }), want: ['event:VolumeMismatch', 'phase:Pending'] },
    { name: 'volumeName: volume pre-bound to this claim', claim: pvc('c', { volumeName: 'pv5', size: '1Gi' }), w: world({ volumes: [pv('pv5', { size: '5Gi', claimRef: ref(pvc('c'), false) })] }), want: ['bind:pv5'] },
    { name: 'volumeName: volume taken by another claim', claim: pvc('c', { volumeName: 'pv5', size: '1Gi' }), w: world({ volumes: [pv('pv5', { claimRef: ref(pvc('x')) })] }), want: ['event:FailedBinding', 'phase:Pending'] },
    { name: 'volumeName set by the controller yet taken', claim: pvc('c', { volumeName: 'pv5', annotations: { 'pv.kubernetes.io/bound-by-controller': 'yes' } }), w: world({ volumes: [pv('pv5', { claimRef: ref(pvc('x')) })] }), want: ['event:FailedBinding', 'error'] },
  ])('$name', ({ claim, w, want }) => {
    expect(kinds(planClaim(claim, w))).toEqual(want);
  });

  it('uses upstream messages', () => {
    expect(events(planClaim(pvc('c', { cls: '' }), world()))[0]!.message).toBe('no persistent volumes available for this claim and no storage class is set');
    expect(events(planClaim(pvc('c', { volumeName: 'pv5', size: '1Gi', cls: 'other' }), world({ volumes: [pv('pv5')] })))[0]).toEqual({ type: 'Warning', reason: 'VolumeMismatch', message: 'Cannot bind to requested volume "pv5": storageClassName does not match' });
    expect(events(planClaim(pvc('c', { cls: 'local' }), world({ classes: classes(wffc) })))[0]).toEqual({ type: 'Normal', reason: 'WaitForFirstConsumer', message: 'waiting for first consumer to be created before binding' });
    expect(events(planClaim(pvc('c', { cls: 'local' }), world({ classes: classes(wffc), pods: [pod('p1', 'c'), pod('p2', 'c')] })))[0]!.message).toBe('waiting for pods p1,p2 to be scheduled');
    expect(events(planClaim(pvc('c'), world({ classes: classes(manual) })))[0]).toEqual({ type: 'Warning', reason: 'ProvisioningFailed', message: 'no volume plugin matched name: kubernetes.io/no-provisioner' });
    expect(events(planClaim(pvc('c', { cls: 'standard' }), world({ classes: classes(immediate) })))[0]!.message).toBe(
      "Waiting for a volume to be created either by the external provisioner 'k8ts.io/local-path' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
    );
    expect(events(planClaim(pvc('c', { volumeName: 'pv5' }), world({ volumes: [pv('pv5', { claimRef: ref(pvc('x')) })] })))[0]!.message).toBe('volume "pv5" already bound to a different claim.');
  });

  it('the newest default class wins, ties by name', () => {
    const def = (name: string, at: string) => sc(name, { metadata: { name, creationTimestamp: at, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } });
    const steps = planClaim(pvc('c', { cls: null }), world({ classes: classes(def('old', '2025-01-01T00:00:00Z'), def('b', '2026-02-01T00:00:00Z'), def('a', '2026-02-01T00:00:00Z')) }));
    expect(steps).toEqual([{ kind: 'assignClass', className: 'a' }]);
  });
});

describe('planClaim: bound claims', () => {
  const claim = pvc('c', { annotations: BOUND, volumeName: 'pv10', phase: 'Bound' });
  it.each([
    { name: 'all is well', volumes: [pv('pv10', { phase: 'Bound', claimRef: ref(claim) })], want: ['bind:pv10'] },
    { name: 'volume lost its claimRef: re-bind', volumes: [pv('pv10')], want: ['bind:pv10'] },
    { name: 'volume gone', volumes: [], want: ['phase:Lost'] },
    { name: 'volume bound to another claim', volumes: [pv('pv10', { phase: 'Bound', claimRef: ref(pvc('x')) })], want: ['phase:Lost'] },
  ])('$name', ({ volumes, want }) => {
    expect(kinds(planClaim(claim, world({ volumes })))).toEqual(want);
  });
  it('reports ClaimLost and ClaimMisbound once, on the phase change', () => {
    expect(events(planClaim(pvc('c', { annotations: BOUND, phase: 'Bound' }), world()))[0]).toMatchObject({ reason: 'ClaimLost', message: 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!' });
    expect(events(planClaim(claim, world()))[0]).toMatchObject({ reason: 'ClaimLost', message: 'Bound claim has lost its PersistentVolume. Data on the volume is lost!' });
    expect(events(planClaim(claim, world({ volumes: [pv('pv10', { claimRef: ref(pvc('x')) })] })))[0]).toMatchObject({ reason: 'ClaimMisbound' });
  });
});

describe('planVolume: phases', () => {
  const claim = pvc('c', { annotations: BOUND, volumeName: 'pv10', phase: 'Bound' });
  const vkinds = (pvObj: PersistentVolume, c: PersistentVolumeClaim | undefined) => planVolume(pvObj, c).map((s) => (s.kind === 'phase' ? `phase:${s.phase}` : s.kind));
  it.each([
    { name: 'no claimRef: Available', volume: pv('pv10', { phase: 'Pending' }), claim: undefined, want: ['phase:Available'] },
    { name: 'reserved for a claim (no uid): Available', volume: pv('pv10', { phase: 'Pending', claimRef: ref(claim, false) }), claim: undefined, want: ['phase:Available'] },
    { name: 'claim points here: Bound', volume: pv('pv10', { claimRef: ref(claim) }), claim, want: ['phase:Bound'] },
    { name: 'claim gone: Released, then reclaim', volume: pv('pv10', { phase: 'Bound', claimRef: ref(claim) }), claim: undefined, want: ['phase:Released', 'reclaim'] },
    { name: 'already Released: reclaim again', volume: pv('pv10', { phase: 'Released', claimRef: ref(claim) }), claim: undefined, want: ['reclaim'] },
    { name: 'Failed stays Failed, reclaim retried', volume: pv('pv10', { phase: 'Failed', claimRef: ref(claim) }), claim: undefined, want: ['reclaim'] },
    { name: 'claim not bound yet: sync the claim', volume: pv('pv10', { phase: 'Bound', claimRef: ref(claim) }), claim: pvc('c'), want: ['enqueueClaim'] },
    { name: 'claim of another volume mode', volume: pv('pv10', { claimRef: ref(claim), mode: 'Block' }), claim: pvc('c'), want: ['event', 'event'] },
    {
      name: 'claim bound elsewhere, provisioned with Delete: Released and deleted',
      volume: pv('pv10', { phase: 'Bound', claimRef: ref(claim), policy: 'Delete', annotations: { 'pv.kubernetes.io/provisioned-by': 'k8ts.io/local-path' } }),
      claim: pvc('c', { annotations: BOUND, volumeName: 'other' }),
      want: ['phase:Released', 'reclaim'],
    },
    { name: 'claim bound elsewhere: unbind', volume: pv('pv10', { phase: 'Bound', claimRef: ref(claim) }), claim: pvc('c', { annotations: BOUND, volumeName: 'other' }), want: ['unbind'] },
  ])('$name', ({ volume, claim: c, want }) => {
    expect(vkinds(volume, c)).toEqual(want);
  });

  it('reclaims by policy', () => {
    expect(planReclaim(pv('a', { policy: 'Retain' }))).toEqual([]);
    expect(planReclaim(pv('a', { policy: 'Delete' }))).toEqual([{ kind: 'delete' }]);
    expect(planReclaim(pv('a', { policy: 'Recycle' }))[0]).toMatchObject({ phase: 'Failed', eventIfChanged: { reason: 'VolumeFailedRecycle' } });
    expect(planReclaim(pv('a', { policy: 'Keep' }))[0]).toMatchObject({ phase: 'Failed', eventIfChanged: { reason: 'VolumeUnknownReclaimPolicy', message: 'Volume has unrecognized PersistentVolumeReclaimPolicy' } });
  });

  it('leaves provisioned volumes to their provisioner and fails static ones', () => {
    expect(deleterFor(pv('a', { annotations: { 'pv.kubernetes.io/provisioned-by': 'k8ts.io/local-path' } }))).toBe('external');
    expect(deleterFor(pv('a'))).toEqual({ error: 'error getting deleter volume plugin for volume "a": no deletable volume plugin matched' });
  });

  it('knows when a volume is released', () => {
    const c = pvc('c', { volumeName: 'pv10' });
    expect(isVolumeReleased(pv('pv10'), undefined)).toBe(false);
    expect(isVolumeReleased(pv('pv10', { claimRef: ref(c, false) }), undefined)).toBe(false);
    expect(isVolumeReleased(pv('pv10', { claimRef: ref(c) }), undefined)).toBe(true);
    expect(isVolumeReleased(pv('pv10', { claimRef: ref(c) }), c)).toBe(false);
    expect(isVolumeReleased(pv('pv10', { claimRef: ref(c) }), pvc('c', { volumeName: 'other' }))).toBe(true);
  });
});

describe('binding changes', () => {
  it('marks a volume the controller picked, not one the user pre-bound', () => {
    const c = pvc('c');
    const picked = bindVolumeToClaim(pv('pv10'), c)!;
    expect(picked.spec!.claimRef).toMatchObject({ kind: 'PersistentVolumeClaim', namespace: 'demo', name: 'c', uid: 'uid-c' });
    expect(picked.metadata.annotations).toEqual({ 'pv.kubernetes.io/bound-by-controller': 'yes' });
    const preBound = bindVolumeToClaim(pv('pv10', { claimRef: ref(c, false) }), c)!;
    expect(preBound.spec!.claimRef!.uid).toBe('uid-c');
    expect(preBound.metadata.annotations).toBeUndefined();
    expect(bindVolumeToClaim(picked, c)).toBeUndefined();
  });

  it('marks a claim bound-by-controller only when the controller set volumeName', () => {
    const chosen = bindClaimToVolume(pvc('c'), pv('pv10'))!;
    expect(chosen.spec!.volumeName).toBe('pv10');
    expect(chosen.metadata.annotations).toEqual({ 'pv.kubernetes.io/bound-by-controller': 'yes', 'pv.kubernetes.io/bind-completed': 'yes' });
    const userChosen = bindClaimToVolume(pvc('c', { volumeName: 'pv10' }), pv('pv10'))!;
    expect(userChosen.metadata.annotations).toEqual({ 'pv.kubernetes.io/bind-completed': 'yes' });
    expect(bindClaimToVolume(userChosen, pv('pv10'))).toBeUndefined();
  });

  it('claim status shows the volume size and modes', () => {
    const status = claimStatusFor(pvc('c'), 'Bound', pv('pv10', { modes: ['ReadWriteOnce', 'ReadOnlyMany'] }));
    expect(status).toEqual({ phase: 'Bound', accessModes: ['ReadWriteOnce', 'ReadOnlyMany'], capacity: { storage: '10Gi' } });
    expect(claimStatusFor({ ...pvc('c'), status }, 'Bound', pv('pv10', { modes: ['ReadWriteOnce', 'ReadOnlyMany'] }))).toBeUndefined();
    expect(claimStatusFor({ ...pvc('c'), status }, 'Lost')).toEqual({ phase: 'Lost' });
  });

  it('unbinds: controller links are removed, user links keep the claim name', () => {
    const c = pvc('c');
    const byController = unbindVolume(pv('pv10', { claimRef: ref(c), annotations: { 'pv.kubernetes.io/bound-by-controller': 'yes' } }));
    expect(byController.spec!.claimRef).toBeUndefined();
    expect(byController.metadata.annotations).toBeUndefined();
    const byUser = unbindVolume(pv('pv10', { claimRef: ref(c) }));
    expect(byUser.spec!.claimRef).toMatchObject({ name: 'c' });
    expect(byUser.spec!.claimRef!.uid).toBeUndefined();
  });
});
