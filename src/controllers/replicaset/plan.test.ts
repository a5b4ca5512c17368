// ReplicaSet planner tests driven by the world of testing.ts, and the slow-start batches.
import { describe, expect, it } from 'vitest';
import { slowStartBatch } from './plan.ts';
import { calculateStatus } from './status.ts';
import { World } from './testing.ts';

describe('ReplicaSet planner', () => {
  it('creates the wanted pods from the template with a controller reference', () => {
    const w = new World();
    w.converge();
    const pods = w.owned();
    expect(pods).toHaveLength(3);
    for (const p of pods) {
      expect(p.metadata.generateName).toBe('web-');
      expect(p.metadata.labels).toEqual({ app: 'web' });
      expect(p.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }]);
    }
    expect(w.status).toEqual({ replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
  });

  it('creates and deletes at most the burst per sync', () => {
    const w = new World({ replicas: 7 });
    w.burst = 3;
    expect(w.sync().create).toBe(3);
    expect(w.sync().create).toBe(3);
    expect(w.sync().create).toBe(1);
    w.converge();
    w.edit((s) => (s.replicas = 0));
    expect(w.sync().delete).toHaveLength(3);
    w.converge();
    expect(w.owned()).toHaveLength(0);
    expect(w.status.replicas).toBe(0);
  });

  it('scales down the pods ranked first: unscheduled, then not ready, then the newest', () => {
    const w = new World({ replicas: 3 });
    w.converge();
    w.now += 3600_000;
    w.edit((s) => (s.replicas = 6));
    w.unschedulable.add('web-xxxx3');
    w.unready.add('web-xxxx4');
    w.converge();
    w.edit((s) => (s.replicas = 2));
    const plan = w.sync();
    // The three old pods were ready for about as long (one log2 bucket): the lowest uid goes.
    expect(plan.delete.map((p) => p.metadata.name)).toEqual(['web-xxxx3', 'web-xxxx4', 'web-xxxx5', 'web-xxxx0']);
  });

  it('adopts matching orphans, ignores pods of other controllers and releases pods that stop matching', () => {
    const w = new World({ replicas: 2 });
    w.addPod('orphan', { app: 'web' });
    w.addPod('theirs', { app: 'web' }, { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'other', uid: 'other', controller: true }] });
    w.addPod('unrelated', { app: 'db' });
    const plan = w.sync();
    expect(plan.adopt.map((p) => p.metadata.name)).toEqual(['orphan']);
    expect(plan.create).toBe(1);
    w.converge();
    expect(w.owned().map((p) => p.metadata.name)).toContain('orphan');
    expect(w.pods.get('theirs')!.metadata.ownerReferences![0]!.uid).toBe('other');
    const orphan = w.pods.get('orphan')!;
    w.pods.set('orphan', { ...orphan, metadata: { ...orphan.metadata, labels: { app: 'debug' } } });
    const next = w.sync();
    expect(next.release.map((p) => p.metadata.name)).toEqual(['orphan']);
    expect(next.create).toBe(1);
    w.converge();
    expect(w.owned()).toHaveLength(2);
    expect(w.pods.get('orphan')!.metadata.ownerReferences).toEqual([]);
  });

  it('does not count terminating or finished pods and replaces them', () => {
    const w = new World({ replicas: 2 });
    w.converge();
    const [a, b] = w.owned();
    w.pods.set(a!.metadata.name!, { ...a!, status: { phase: 'Failed' } });
    w.pods.set(b!.metadata.name!, { ...b!, metadata: { ...b!.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } });
    expect(w.sync().create).toBe(2);
  });

  it('manages nothing while the set is being deleted or the caches are behind', () => {
    const w = new World();
    w.rs = { ...w.rs, metadata: { ...w.rs.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
    w.addPod('orphan', { app: 'web' });
    expect(w.plan()).toMatchObject({ create: 0, adopt: [], delete: [] });
  });

  it('records ReplicaFailure when managing fails and clears it once it works', () => {
    const w = new World({ replicas: 2 });
    w.sync(new Error('pods "web-" is forbidden: exceeded quota'));
    expect(w.status.conditions).toEqual([{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "web-" is forbidden: exceeded quota', lastTransitionTime: expect.any(String) }]);
    w.converge();
    expect(w.status.conditions).toBeUndefined();
  });

  it('counts fully labelled, ready and available pods with minReadySeconds', () => {
    const w = new World({ replicas: 2, minReadySeconds: 10, template: { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: {} } });
    w.converge();
    w.addPod('stray', { app: 'web' });
    const plan = w.plan();
    const s = calculateStatus(w.rs, plan.pods, undefined, w.now);
    expect(s).toMatchObject({ replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 3 });
    expect(calculateStatus(w.rs, plan.pods, undefined, w.now + 60_000).availableReplicas).toBe(3);
    expect(s.availableReplicas).toBeLessThan(3);
  });
});

describe('slowStartBatch', () => {
  it('runs batches of 1, 2, 4, … and stops after a failing batch', async () => {
    const calls: number[] = [];
    let n = 0;
    const { successes, error } = await slowStartBatch(20, 1, async () => {
      calls.push(n++);
      if (n === 6) throw new Error('refused');
    });
    // 1 + 2 + 4 = 7 calls; the batch of 4 had one failure.
    expect(calls).toHaveLength(7);
    expect(successes).toBe(6);
    expect((error as Error).message).toBe('refused');
  });

  it('succeeds with the remaining count as the last batch', async () => {
    let n = 0;
    expect(await slowStartBatch(10, 1, async () => void n++)).toEqual({ successes: 10 });
    expect(n).toBe(10);
  });
});
