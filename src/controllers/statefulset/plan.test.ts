// Planner tests driven by the small world of testing.ts: every sync runs the planner, applies its
// steps, plays the kubelet and checks the ordering and claim invariants.
import { describe, expect, it } from 'vitest';
import { revisionNumber } from './revisions.ts';
import type { Plan } from './plan.ts';
import { iso, setImage, T0, World } from './testing.ts';
import type { StatefulSetSpec } from './types.ts';

describe.each(['OrderedReady', 'Parallel'] as const)('%s', (policy) => {
  const world = (spec: StatefulSetSpec = {}) => new World({ podManagementPolicy: policy, ...spec });

  it('creates web-0..2 with claims and a status naming one revision', () => {
    const w = world();
    w.converge();
    expect(w.names()).toEqual(['web-0', 'web-1', 'web-2']);
    expect([...w.claims.keys()].sort()).toEqual(['www-web-0', 'www-web-1', 'www-web-2']);
    expect(w.log).toEqual(['+web-0', '+web-1', '+web-2']);
    expect(w.status).toMatchObject({ replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 3, collisionCount: 0 });
    expect(w.status.currentRevision).toBe(w.status.updateRevision);
    expect(w.revisions.map((r) => revisionNumber(r))).toEqual([1]);
    if (policy === 'OrderedReady') expect(w.syncs).toBeGreaterThanOrEqual(3);
  });

  it('scales up and down; claims stay under Retain', () => {
    const w = world();
    w.converge();
    w.edit((s) => (s.replicas = 5));
    w.converge();
    expect(w.names()).toEqual(['web-0', 'web-1', 'web-2', 'web-3', 'web-4']);
    w.edit((s) => (s.replicas = 1));
    w.converge();
    expect(w.names()).toEqual(['web-0']);
    expect(w.log.filter((l) => l.startsWith('-'))).toEqual(policy === 'OrderedReady' ? ['-web-4', '-web-3', '-web-2', '-web-1'] : expect.arrayContaining(['-web-4', '-web-1']));
    expect(w.claims.size).toBe(5);
    w.edit((s) => (s.replicas = 0));
    w.converge();
    expect(w.names()).toEqual([]);
    expect(w.status.replicas).toBe(0);
  });

  it('holds scale-up at an unready pod only under OrderedReady', () => {
    const w = world({ replicas: 1 });
    w.converge();
    w.unready.add('web-0');
    w.sync();
    w.edit((s) => (s.replicas = 3));
    for (let i = 0; i < 5; i++) w.sync();
    expect(w.names()).toEqual(policy === 'OrderedReady' ? ['web-0'] : ['web-0', 'web-1', 'web-2']);
    w.unready.clear();
    w.converge();
    expect(w.names()).toEqual(['web-0', 'web-1', 'web-2']);
  });

  it('recreates a lower ordinal while a higher one is unready', () => {
    const w = world({ replicas: 2 });
    w.converge();
    w.unready.add('web-1');
    w.sync();
    w.pods.delete('web-0');
    for (let i = 0; i < 3; i++) w.sync();
    expect(w.names()).toEqual(['web-0', 'web-1']);
  });

  it('deletes failed and succeeded pods and recreates them with the same claims', () => {
    const w = world();
    w.converge();
    const claim = w.claims.get('www-web-1')!.metadata.uid;
    const old = w.pods.get('web-1')!;
    w.pods.set('web-1', { ...old, status: { phase: 'Failed' } });
    const plan = w.sync();
    expect(plan.steps.map((s) => [s.kind, 'pod' in s ? s.pod.metadata.name : undefined])).toContainEqual(['deletePod', 'web-1']);
    w.converge();
    expect(w.pods.get('web-1')!.metadata.uid).not.toBe(old.metadata.uid);
    expect(w.claims.get('www-web-1')!.metadata.uid).toBe(claim);
    w.pods.set('web-2', { ...w.pods.get('web-2')!, status: { phase: 'Succeeded' } });
    w.converge();
    expect(w.names()).toEqual(['web-0', 'web-1', 'web-2']);
  });

  it('rolls from the highest ordinal down to the partition, then finishes', () => {
    const w = world();
    w.converge();
    const first = w.status.currentRevision;
    w.edit((s) => (s.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 2, maxUnavailable: 1 } }));
    w.edit(setImage('v2'));
    w.converge();
    expect(w.images()).toEqual(['v1', 'v1', 'v2']);
    expect(w.status).toMatchObject({ currentRevision: first, updatedReplicas: 1, currentReplicas: 2 });
    // A pod below the partition comes back at the current revision.
    w.pods.delete('web-0');
    w.converge();
    expect(w.images()).toEqual(['v1', 'v1', 'v2']);
    w.edit((s) => (s.updateStrategy!.rollingUpdate!.partition = 0));
    w.converge();
    expect(w.images()).toEqual(['v2', 'v2', 'v2']);
    expect(w.log.filter((l) => l.startsWith('-'))).toEqual(['-web-2', '-web-1', '-web-0']);
    expect(w.status.currentRevision).toBe(w.status.updateRevision);
    expect(w.status.currentRevision).not.toBe(first);
  });

  it('rolls back to the earlier revision object, renumbered', () => {
    const w = world();
    w.converge();
    const first = w.status.currentRevision;
    w.edit(setImage('v2'));
    w.converge();
    w.edit(setImage('v1'));
    w.converge();
    expect(w.status.updateRevision).toBe(first);
    expect(w.revisions.map((r) => [r.metadata.name, revisionNumber(r)]).sort((a, b) => (a[1] as number) - (b[1] as number))).toEqual([
      [expect.any(String), 2],
      [first, 3],
    ]);
    expect(w.images()).toEqual(['v1', 'v1', 'v1']);
  });

  it('takes maxUnavailable pods down at once, rounding a percentage down with a floor of 1', () => {
    const w = world({ replicas: 4, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: '50%' } } });
    w.converge();
    w.edit(setImage('v2'));
    const plan = w.sync();
    expect(plan.steps.flatMap((s) => (s.kind === 'deletePod' ? [s.pod.metadata.name] : []))).toEqual(['web-3', 'web-2']);
    w.converge();
    expect(w.images()).toEqual(['v2', 'v2', 'v2', 'v2']);
    const w2 = world({ replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: '10%' } } });
    w2.converge();
    w2.edit(setImage('v2'));
    expect(w2.sync().steps.filter((s) => s.kind === 'deletePod')).toHaveLength(1);
  });

  it('OnDelete updates only pods the user deletes', () => {
    const w = world({ updateStrategy: { type: 'OnDelete' } });
    w.converge();
    w.edit(setImage('v2'));
    w.converge();
    expect(w.images()).toEqual(['v1', 'v1', 'v1']);
    expect(w.status.updateRevision).not.toBe(w.status.currentRevision);
    w.pods.delete('web-1');
    w.converge();
    expect(w.images()).toEqual(['v1', 'v2', 'v1']);
    expect(w.status).toMatchObject({ updatedReplicas: 1, currentReplicas: 2 });
  });

  it('whenScaled=Delete: condemned claims get a pod reference; a pod deleted otherwise keeps its claim', () => {
    const w = world({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' } });
    w.converge();
    expect([...w.claims.values()].every((c) => !c.metadata.ownerReferences?.length)).toBe(true);
    w.pods.delete('web-2');
    w.converge();
    expect(w.claims.has('www-web-2')).toBe(true);
    w.edit((s) => (s.replicas = 1));
    w.converge();
    expect([...w.claims.keys()]).toEqual(['www-web-0']);
    w.edit((s) => (s.replicas = 2));
    w.converge();
    expect([...w.claims.keys()].sort()).toEqual(['www-web-0', 'www-web-1']);
  });

  it('whenDeleted=Delete: every claim references the set; policy changes are applied to existing claims', () => {
    const w = world();
    w.converge();
    w.edit((s) => (s.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete', whenScaled: 'Delete' }));
    w.converge();
    for (const c of w.claims.values()) expect(c.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid', controller: true, blockOwnerDeletion: true }]);
    w.edit((s) => (s.replicas = 2));
    const plans: Plan[] = [];
    for (let i = 0; i < 4; i++) plans.push(w.sync());
    expect(w.claims.has('www-web-2')).toBe(false);
    w.edit((s) => (s.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Retain', whenScaled: 'Retain' }));
    w.converge();
    for (const c of w.claims.values()) expect(c.metadata.ownerReferences).toEqual([]);
  });

  it('does not create a pod while its claim is being deleted, and recreates a missing claim', () => {
    const w = world({ replicas: 1 });
    w.converge();
    const claim = w.claims.get('www-web-0')!;
    w.claims.set('www-web-0', { ...claim, metadata: { ...claim.metadata, deletionTimestamp: iso(w.now) } });
    w.pods.delete('web-0');
    const plan = w.plan();
    const create = plan.steps.find((s) => s.kind === 'createPod');
    expect(create?.kind === 'createPod' && create.claims.deleting).toEqual(['www-web-0']);
    w.claims.delete('www-web-0');
    w.converge();
    expect(w.names()).toEqual(['web-0']);
    expect(w.claims.get('www-web-0')!.metadata.uid).not.toBe(claim.metadata.uid);
  });

  it('uses ordinals.start and moves the range when it changes', () => {
    const w = world({ replicas: 2, ordinals: { start: 3 } });
    w.converge();
    expect(w.names()).toEqual(['web-3', 'web-4']);
    w.edit((s) => (s.ordinals = { start: 2 }));
    w.edit((s) => (s.replicas = 3));
    w.converge();
    expect(w.names()).toEqual(['web-2', 'web-3', 'web-4']);
    w.edit((s) => (s.ordinals = null));
    w.converge();
    expect(w.names()).toEqual(['web-0', 'web-1', 'web-2']);
  });

  it('copes with zero replicas and no claim templates', () => {
    const w = world({ replicas: 0, volumeClaimTemplates: [] });
    w.converge();
    expect(w.names()).toEqual([]);
    expect(w.status).toMatchObject({ replicas: 0 });
    w.edit((s) => (s.replicas = 2));
    w.converge();
    expect(w.names()).toEqual(['web-0', 'web-1']);
    expect(w.claims.size).toBe(0);
  });

  it('waits minReadySeconds before counting a pod available', () => {
    const w = world({ replicas: 2, minReadySeconds: 5 });
    for (let i = 0; i < 4; i++) w.sync();
    expect(w.names()).toEqual(policy === 'OrderedReady' ? ['web-0'] : ['web-0', 'web-1']);
    expect(w.status.availableReplicas ?? 0).toBe(0);
    const plan = w.plan();
    expect(plan.requeueAfterMs).toBeGreaterThan(0);
    w.converge();
    expect(w.status).toMatchObject({ readyReplicas: 2, availableReplicas: 2 });
  });
});

describe('planStatefulSet: edge cases', () => {
  it('only writes status for a set being deleted', () => {
    const w = new World({});
    w.set = { ...w.set, metadata: { ...w.set.metadata, deletionTimestamp: iso(T0) } };
    const plan = w.plan();
    expect(plan.steps.filter((s) => s.phase !== 'history')).toEqual([]);
    expect(plan.status.replicas).toBe(0);
  });

  it('repairs a pod whose pod-name label was removed', () => {
    const w = new World({ replicas: 1 });
    w.converge();
    const p = w.pods.get('web-0')!;
    const labels = { ...p.metadata.labels };
    delete labels['statefulset.kubernetes.io/pod-name'];
    w.pods.set('web-0', { ...p, metadata: { ...p.metadata, labels } });
    const step = w.plan().steps.find((s) => s.kind === 'updatePod');
    expect(step?.kind === 'updatePod' && step.pod.metadata.labels?.['statefulset.kubernetes.io/pod-name']).toBe('web-0');
  });

  it('prunes non-live revisions beyond the history limit, oldest first', () => {
    const w = new World({ replicas: 1, revisionHistoryLimit: 1 });
    w.converge();
    for (const image of ['v2', 'v3', 'v4']) {
      w.edit(setImage(image));
      w.converge();
    }
    expect(w.revisions.map((r) => revisionNumber(r))).toEqual([3, 4]);
  });
});
