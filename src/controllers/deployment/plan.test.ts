// Deployment planner tests driven by the world of testing.ts: every sync runs the planner,
// applies its writes, plays the ReplicaSet controller and checks the surge and availability
// invariants.
import { describe, expect, it } from 'vitest';
import { planDeployment } from './plan.ts';
import { World } from './testing.ts';
import type { IntOrString } from './types.ts';

describe.each<[IntOrString, IntOrString]>([
  ['25%', '25%'],
  [1, 0],
  [0, 1],
  [2, 3],
  ['100%', 0],
])('RollingUpdate maxSurge %s maxUnavailable %s', (surge, unavailable) => {
  const world = () => new World({ replicas: 5, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } } });

  it('rolls out, then rolls an update within the budget to completion', () => {
    const w = world();
    w.converge();
    expect(w.sizes()).toEqual([5]);
    expect(w.d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    w.setImage('v2');
    w.converge();
    expect(w.sizes()).toEqual([0, 5]);
    expect(w.d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(w.condition('Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    expect(w.condition('Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
  });

  it('scales during a stalled rollout without breaking the budget', () => {
    const w = world();
    w.converge();
    w.bad.add('v2');
    w.setImage('v2');
    for (let i = 0; i < 10; i++) w.sync();
    w.edit((s) => (s.replicas = 9));
    for (let i = 0; i < 10; i++) w.sync();
    w.bad.clear();
    w.converge();
    expect(w.sizes()).toEqual([0, 9]);
  });
});

describe('Deployment planner', () => {
  it('creates the first set at full size with events and conditions', () => {
    const w = new World({ replicas: 3 });
    const plan = w.sync();
    expect(plan.steps.map((s) => s.kind)).toEqual(['createReplicaSet']);
    const rs = w.sets[0]!;
    expect(rs.metadata.name).toBe(`web-${rs.metadata.labels!['pod-template-hash']}`);
    expect(w.events).toEqual([`Scaled up replica set ${rs.metadata.name} from 0 to 3`]);
    expect(w.condition('Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "${rs.metadata.name}"` });
    expect(w.condition('Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
    w.converge();
    expect(w.status).toMatchObject({ replicas: 3, updatedReplicas: 3, availableReplicas: 3, readyReplicas: 3, observedGeneration: 1 });
  });

  it('steps a 10-replica rollout as upstream: surge 3 up, then old down to 8 available', () => {
    const w = new World({ replicas: 10 });
    w.converge();
    w.setImage('v2');
    // The new set is created at 3 (13 wanted at most); nothing else to grow, so in the same sync
    // the old one drops to 8 available (maxUnavailable 2 of 10, the 3 new ones not yet available).
    w.sync();
    expect(w.sizes()).toEqual([8, 3]);
    // The 3 new pods are available: the new set grows to 5, then the old one shrinks to 5.
    w.sync();
    expect(w.sizes()).toEqual([8, 5]);
    w.sync();
    expect(w.sizes()).toEqual([5, 5]);
    expect(w.events.slice(-4)).toEqual([
      expect.stringMatching(/^Scaled up replica set web-\w+ from 0 to 3$/),
      expect.stringMatching(/^Scaled down replica set web-\w+ from 10 to 8$/),
      expect.stringMatching(/^Scaled up replica set web-\w+ from 3 to 5$/),
      expect.stringMatching(/^Scaled down replica set web-\w+ from 8 to 5$/),
    ]);
  });

  it('Recreate: old sets go to 0, the new set comes only when their pods are gone', () => {
    const w = new World({ replicas: 3, strategy: { type: 'Recreate' } });
    w.converge();
    w.setImage('v2');
    w.sync();
    expect(w.sizes()).toEqual([0]);
    w.sync();
    expect(w.sizes()).toEqual([0, 3]);
    w.converge();
  });

  it('waits for old pods that still run under Recreate', () => {
    const w = new World({ replicas: 1, strategy: { type: 'Recreate' } });
    w.converge();
    w.setImage('v2');
    w.sync();
    const old = w.sets[0]!;
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { phase: 'Running' } };
    // Old set reports no replicas but a pod of it still runs: no new set yet.
    w.sets = w.sets.map((rs) => ({ ...rs, status: { replicas: 0 } }));
    expect(planDeployment({ deployment: w.d, replicaSets: w.sets, podsBySet: new Map([[old.metadata.uid!, [pod]]]), now: w.now }).steps).toEqual([]);
    expect(planDeployment({ deployment: w.d, replicaSets: w.sets, podsBySet: new Map([[old.metadata.uid!, [{ ...pod, status: { phase: 'Succeeded' } }]]]), now: w.now }).steps.map((s: any) => s.kind)).toEqual(['createReplicaSet']);
  });

  it('pauses: a template change makes no new set; resuming rolls it', () => {
    const w = new World({ replicas: 2 });
    w.converge();
    w.edit((s) => (s.paused = true));
    w.setImage('v2');
    for (let i = 0; i < 3; i++) w.sync();
    expect(w.sets).toHaveLength(1);
    expect(w.condition('Progressing')).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused' });
    w.edit((s) => (s.replicas = 4));
    w.sync();
    expect(w.sizes()).toEqual([4]);
    w.edit((s) => (s.paused = false));
    w.sync();
    expect(w.condition('Progressing')?.reason).not.toBe('DeploymentPaused');
    w.converge();
    expect(w.sizes()).toEqual([0, 4]);
  });

  it('times out progress after progressDeadlineSeconds and plans a re-sync for it', () => {
    const w = new World({ replicas: 2, progressDeadlineSeconds: 30 });
    w.converge();
    w.bad.add('v2');
    w.setImage('v2');
    let plan = w.sync();
    for (let i = 0; i < 5; i++) plan = w.sync();
    expect(plan.requeueAfterMs).toBeGreaterThan(0);
    w.now += 31_000;
    w.sync();
    const [, newRS] = [...w.sets].sort((a, b) => (a.metadata.creationTimestamp! < b.metadata.creationTimestamp! ? -1 : 1));
    expect(w.condition('Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${newRS!.metadata.name}" has timed out progressing.` });
    expect(w.sync().requeueAfterMs).toBeUndefined();
  });

  it('keeps revisionHistoryLimit old sets, deleting the oldest', () => {
    const w = new World({ replicas: 1, revisionHistoryLimit: 2 });
    for (const image of ['v1', 'v2', 'v3', 'v4', 'v5']) {
      w.setImage(image);
      w.converge();
    }
    expect(w.sets.map((rs) => rs.metadata.annotations!['deployment.kubernetes.io/revision']).sort()).toEqual(['3', '4', '5']);
  });

  it('rolls back through the legacy annotation to the previous revision', () => {
    const w = new World({ replicas: 1 });
    w.converge();
    w.setImage('v2');
    w.converge();
    w.d = { ...w.d, metadata: { ...w.d.metadata, annotations: { ...w.d.metadata.annotations, 'deprecated.deployment.rollback.to': '0' } } };
    w.sync();
    expect(w.d.metadata.annotations?.['deprecated.deployment.rollback.to']).toBeUndefined();
    expect((w.d.spec as any).template.spec.containers[0].image).toBe('v1');
    expect((w.d.spec as any).template.metadata.labels['pod-template-hash']).toBeUndefined();
    w.converge();
    const first = w.sets.find((rs) => (rs.spec as any).template.spec.containers[0].image === 'v1')!;
    expect(first.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' });
    expect(w.sizes()).toEqual([1, 0]);
  });

  it('reports a ReplicaSet failure as a Deployment condition', () => {
    const w = new World({ replicas: 1 });
    w.converge();
    w.sets = w.sets.map((rs) => ({ ...rs, status: { ...(rs.status as object), conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'quota', lastTransitionTime: '2026-01-01T00:00:00Z' }] } }));
    w.edit((s) => (s.replicas = 1));
    w.sync();
    expect(w.condition('ReplicaFailure')).toMatchObject({ status: 'True', reason: 'FailedCreate', message: 'quota', lastUpdateTime: '2026-01-01T00:00:00Z' });
  });
});
