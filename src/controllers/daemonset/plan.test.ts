// Planner tests driven by the small world of testing.ts: every sync writes the history, runs the
// planner, applies its steps, plays the scheduler and kubelet and checks the placement, one-pod-
// per-node and rolling-update budget invariants.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { revisionNumber } from '../statefulset/revisions.ts';
import { planDaemonSet } from './plan.ts';
import { computeHash } from './revisions.ts';
import { imageOf, iso, setImage, T0, World } from './testing.ts';
import type { DaemonPodSpec } from './types.ts';

const layoutOf = (images: string[], nodes = ['n1', 'n2', 'n3']) => Object.fromEntries(nodes.map((n) => [n, images]));

describe('placement and manage', () => {
  it('creates one pinned pod per node, labelled with the revision hash and template generation', () => {
    const w = new World();
    const first = w.sync();
    expect(first.creates.sort()).toEqual(['n1', 'n2', 'n3']);
    w.converge();
    expect(w.layout()).toEqual(layoutOf(['v1']));
    expect(w.revisions.map(revisionNumber)).toEqual([1]);
    const hash = w.revisions[0]!.metadata.labels!['controller-revision-hash'];
    expect(w.revisions[0]!.metadata.name).toBe(`ds-${hash}`);
    for (const p of w.pods.values()) {
      expect(p.metadata.labels).toEqual({ app: 'd', 'controller-revision-hash': hash, 'pod-template-generation': '1' });
      expect(p.metadata.generateName).toBe('ds-');
      expect(p.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds', uid: 'ds-uid', controller: true, blockOwnerDeletion: true }]);
      const spec = p.spec as DaemonPodSpec;
      const node = spec.nodeName!;
      expect(spec.affinity).toEqual({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] } } });
      expect(spec.tolerations).toHaveLength(6);
    }
    expect(w.status).toMatchObject({ desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 3, numberAvailable: 3, updatedNumberScheduled: 3, numberMisscheduled: 0, observedGeneration: 1 });
    expect(w.status.numberUnavailable).toBeUndefined();
  });

  it('a pod is created unbound; the scheduler binds it by its affinity', () => {
    const w = new World({}, { n1: {} });
    w.sync();
    const [pod] = [...w.pods.values()];
    expect((pod!.spec as DaemonPodSpec).nodeName).toBeUndefined();
    w.sync();
    expect((w.pods.get(pod!.metadata.name!)!.spec as DaemonPodSpec).nodeName).toBe('n1');
  });

  it('fits nowhere: 0 desired, nothing to do, status written once', () => {
    const w = new World({ template: { metadata: { labels: { app: 'd' } }, spec: { nodeSelector: { color: 'blue' }, containers: [{ name: 'c', image: 'v1' }] } } });
    const plan = w.sync();
    expect(plan.creates).toEqual([]);
    expect(plan.requeueAfterMs).toBeUndefined();
    w.converge(3);
    expect(w.status).toMatchObject({ desiredNumberScheduled: 0, currentNumberScheduled: 0, observedGeneration: 1 });
    expect(w.plan()).toMatchObject({ creates: [], deletes: [] });
  });

  it('follows node labels: relabelled onto the selector gets a pod, off it loses it', () => {
    const w = new World({ template: { metadata: { labels: { app: 'd' } }, spec: { nodeSelector: { color: 'blue' }, containers: [{ name: 'c', image: 'v1' }] } } });
    w.converge();
    w.setNode('n2', { labels: { color: 'blue' } });
    w.converge();
    expect(w.layout()).toEqual({ n2: ['v1'] });
    w.setNode('n2', { labels: { color: 'green' } });
    w.setNode('n3', { labels: { color: 'blue' } });
    w.converge();
    expect(w.layout()).toEqual({ n3: ['v1'] });
    expect(w.status).toMatchObject({ desiredNumberScheduled: 1, currentNumberScheduled: 1, numberMisscheduled: 0 });
  });

  it('NoSchedule: no new pod, the running one stays and is misscheduled; NoExecute: removed', () => {
    const w = new World();
    w.converge();
    w.setNode('n1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] });
    w.setNode('n4', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] });
    w.converge();
    expect(w.layout()).toEqual(layoutOf(['v1']));
    expect(w.status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, numberMisscheduled: 1, numberReady: 2 });
    w.setNode('n1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] });
    w.converge();
    expect(w.layout()).toEqual(layoutOf(['v1'], ['n2', 'n3']));
    expect(w.status).toMatchObject({ desiredNumberScheduled: 2, numberMisscheduled: 0 });
    w.setNode('n1');
    w.converge();
    expect(w.layout()).toEqual(layoutOf(['v1']));
  });

  it('a toleration in the template lets pods onto tainted nodes', () => {
    const w = new World({ template: { metadata: { labels: { app: 'd' } }, spec: { tolerations: [{ key: 'dedicated', operator: 'Exists' }], containers: [{ name: 'c', image: 'v1' }] } } }, {
      n1: { taints: [{ key: 'dedicated', effect: 'NoExecute' }] },
      n2: { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] },
      n3: { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] },
    });
    w.converge();
    expect(w.layout()).toEqual(layoutOf(['v1'], ['n1', 'n2']));
  });

  it('a node added gets a pod; a node removed leaves the counts', () => {
    const w = new World();
    w.converge();
    w.setNode('n4');
    w.converge();
    expect(Object.keys(w.layout())).toEqual(['n1', 'n2', 'n3', 'n4']);
    w.removeNode('n2');
    w.converge();
    expect(Object.keys(w.layout())).toEqual(['n1', 'n3', 'n4']);
    expect(w.status).toMatchObject({ desiredNumberScheduled: 3, currentNumberScheduled: 3 });
  });

  it('deletes an unscheduled pod aimed at a node that is gone', () => {
    const w = new World({}, { n1: {}, n2: {} });
    w.sync();
    w.nodes.delete('n2');
    const plan = w.sync();
    expect(plan.deletes.map((d) => d.reason)).toEqual(['no-node']);
    w.converge();
    expect(w.layout()).toEqual({ n1: ['v1'] });
  });

  it('deletes a failed pod with a FailedDaemonPod event, paced by the back-off, and replaces it', () => {
    const w = new World({}, { n1: {} });
    w.converge();
    const [first] = w.pods.keys();
    w.failing.add(first!);
    w.sync();
    const plan = w.sync();
    expect(plan.deletes).toMatchObject([{ reason: 'failed' }]);
    expect(plan.events).toEqual([{ type: 'Warning', reason: 'FailedDaemonPod', message: `Found failed daemon pod ns/${first} on node n1, will try to kill it` }]);
    expect(plan.backoff).toEqual(['ds-uid/1/n1']);
    expect(w.sync().creates).toEqual(['n1']);
    // The replacement fails at once too: within the back-off it stays, and the sync asks to come back.
    w.sync();
    const [second] = [...w.pods.keys()].filter((k) => k !== first);
    w.failing.add(second!);
    w.backoff.set('ds-uid/1/n1', [5000, w.now]);
    w.sync();
    const held = w.sync();
    expect(held.deletes).toEqual([]);
    expect(held.requeueAfterMs).toBe(5000);
    w.now += 5000;
    w.failing.clear();
    expect(w.sync().deletes).toMatchObject([{ reason: 'failed' }]);
    w.converge();
    expect(w.layout()).toEqual({ n1: ['v1'] });
  });

  it('deletes a succeeded pod with a SucceededDaemonPod event', () => {
    const w = new World({}, { n1: {} });
    w.converge();
    const [name] = w.pods.keys();
    w.pods.set(name!, { ...w.pods.get(name!)!, status: { phase: 'Succeeded' } });
    const plan = w.sync();
    expect(plan.deletes).toMatchObject([{ reason: 'succeeded' }]);
    expect(plan.events[0]).toMatchObject({ type: 'Normal', reason: 'SucceededDaemonPod' });
    w.converge();
    expect(w.layout()).toEqual({ n1: ['v1'] });
  });

  it('keeps the oldest of several pods on a node', () => {
    const w = new World({}, { n1: {} });
    w.converge();
    const [kept] = w.pods.keys();
    const extra = (name: string, ts: number, bound: boolean): KubeObject => {
      const p = structuredClone(w.pods.get(kept!)!);
      p.metadata = { ...p.metadata, name, uid: name, creationTimestamp: iso(ts) };
      if (!bound) delete (p.spec as DaemonPodSpec).nodeName;
      return p;
    };
    // An older but unbound pod loses to the bound one; a younger bound one too.
    w.pods.set('ds-older', extra('ds-older', T0 - 60_000, false));
    w.pods.set('ds-young', extra('ds-young', T0 + 60_000, true));
    const plan = w.sync();
    expect(plan.deletes.map((d) => [d.pod.metadata.name, d.reason]).sort()).toEqual([
      ['ds-older', 'excess'],
      ['ds-young', 'excess'],
    ]);
    w.converge();
    expect([...w.pods.keys()]).toEqual([kept]);
  });

  it('creates at most 250 pods per sync', () => {
    const nodes = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`n${String(i).padStart(3, '0')}`, {}]));
    const w = new World({}, nodes);
    const plan = w.sync();
    expect(plan.creates).toHaveLength(250);
    expect(plan.deferred).toBe(50);
    expect(w.sync().creates).toHaveLength(50);
  });

  it('computes status only, keeping observedGeneration, while writes are pending', () => {
    const w = new World();
    w.converge();
    w.edit(setImage('v2'));
    const plan = planDaemonSet({ ds: w.ds, nodes: [...w.nodes.values()], pods: [...w.pods.values()], hash: 'x', now: w.now, manage: false });
    expect(plan).toMatchObject({ creates: [], deletes: [], rolled: false });
    expect(plan.status.observedGeneration).toBe(1);
    expect(plan.status.updatedNumberScheduled).toBe(0);
  });
});

describe.each([
  ['maxUnavailable 1', { maxUnavailable: 1, maxSurge: 0 }],
  ['maxUnavailable 2', { maxUnavailable: 2, maxSurge: 0 }],
  ['maxUnavailable 50%', { maxUnavailable: '50%', maxSurge: 0 }],
  ['maxSurge 1', { maxUnavailable: 0, maxSurge: 1 }],
  ['maxSurge 50%', { maxUnavailable: 0, maxSurge: '50%' }],
] as const)('RollingUpdate %s', (_name, rollingUpdate) => {
  const nodes = { n1: {}, n2: {}, n3: {}, n4: {}, n5: {} };
  const names = Object.keys(nodes);
  const world = () => {
    const w = new World({ updateStrategy: { type: 'RollingUpdate', rollingUpdate } }, nodes);
    w.converge();
    w.checkBudget = true;
    return w;
  };
  const surge = rollingUpdate.maxSurge !== 0;

  it('replaces every pod within the budget and records revision 2', () => {
    const w = world();
    w.edit(setImage('v2'));
    w.converge();
    expect(w.layout()).toEqual(layoutOf(['v2'], names));
    expect(w.revisions.map(revisionNumber).sort()).toEqual([1, 2]);
    const hash = computeHash(w.ds);
    expect([...w.pods.values()].every((p) => p.metadata.labels!['controller-revision-hash'] === hash && p.metadata.labels!['pod-template-generation'] === '2')).toBe(true);
    expect(w.status).toMatchObject({ desiredNumberScheduled: 5, updatedNumberScheduled: 5, numberAvailable: 5, observedGeneration: 2 });
    // Under surge a node had two pods on the way; without surge it never did.
    expect(w.log.filter((l) => l.startsWith('+')).length).toBe(10);
    if (surge) expect(w.log.indexOf('+n1')).toBeLessThan(w.log.lastIndexOf('-n1'));
  });

  it('holds at a new revision that never becomes ready, and rolls back without touching old pods', () => {
    const w = world();
    w.unreadyImages.add('bad');
    w.slack = 1;
    w.edit(setImage('bad'));
    for (let i = 0; i < 20; i++) w.sync();
    const bad = Object.values(w.layout()).flat().filter((i) => i === 'bad').length;
    // The budget stops the rollout: as many bad pods as it allows, the rest untouched.
    expect(bad).toBe(surge ? (rollingUpdate.maxSurge === 1 ? 1 : 3) : rollingUpdate.maxUnavailable === 1 ? 1 : rollingUpdate.maxUnavailable === 2 ? 2 : 3);
    const untouched = [...w.pods.values()].filter((p) => imageOf(p) === 'v1').map((p) => p.metadata.uid);
    w.edit(setImage('v1'));
    w.converge();
    expect(w.layout()).toEqual(layoutOf(['v1'], names));
    for (const uid of untouched) expect([...w.pods.values()].some((p) => p.metadata.uid === uid), `old pod ${uid} kept`).toBe(true);
    // Rolled back to revision 1's template: it is renumbered, no third revision.
    expect(w.revisions.map((r) => [revisionNumber(r), r.metadata.labels!['controller-revision-hash']]).sort()).toEqual(
      [
        [2, computeHash({ ...w.ds, spec: { ...w.spec, template: { ...w.spec.template, spec: { ...w.spec.template!.spec, containers: [{ name: 'c', image: 'bad' }] } } } })],
        [3, computeHash(w.ds)],
      ].sort(),
    );
  });

  it('honours minReadySeconds: a new pod counts once it has been ready long enough', () => {
    const w = new World({ updateStrategy: { type: 'RollingUpdate', rollingUpdate }, minReadySeconds: 5 }, nodes);
    w.converge();
    w.checkBudget = true;
    w.edit(setImage('v2'));
    const plan = w.sync();
    expect(plan.requeueAfterMs === undefined || plan.requeueAfterMs <= 5000).toBe(true);
    w.converge();
    expect(w.layout()).toEqual(layoutOf(['v2'], names));
  });
});

describe('OnDelete', () => {
  it('leaves pods alone on a template change; a deleted pod comes back at the new template', () => {
    const w = new World({ updateStrategy: { type: 'OnDelete' } });
    w.converge();
    w.edit(setImage('v2'));
    w.converge();
    expect(w.layout()).toEqual(layoutOf(['v1']));
    expect(w.revisions.map(revisionNumber).sort()).toEqual([1, 2]);
    expect(w.status).toMatchObject({ numberAvailable: 3, observedGeneration: 2 });
    expect(w.status.updatedNumberScheduled ?? 0).toBe(0);
    const [name] = [...w.pods.keys()];
    w.pods.delete(name!);
    w.converge();
    expect(Object.values(w.layout()).flat().sort()).toEqual(['v1', 'v1', 'v2']);
    expect(w.status.updatedNumberScheduled).toBe(1);
  });
});

describe('history', () => {
  it('keeps revisionHistoryLimit old revisions not used by pods', () => {
    const w = new World({ revisionHistoryLimit: 1 });
    w.converge();
    for (const image of ['v2', 'v3', 'v4']) {
      w.edit(setImage(image));
      w.converge();
    }
    expect(w.revisions.map(revisionNumber).sort()).toEqual([3, 4]);
  });

  it('keeps an old revision while a pod still uses it', () => {
    const w = new World({ revisionHistoryLimit: 0, updateStrategy: { type: 'OnDelete' } });
    w.converge();
    w.edit(setImage('v2'));
    w.converge();
    w.edit(setImage('v3'));
    w.converge();
    expect(w.revisions.map(revisionNumber).sort()).toEqual([1, 3]);
  });

  it('the collision count changes the hash', () => {
    const w = new World();
    const a = computeHash(w.ds);
    expect(computeHash(w.ds, 0)).not.toBe(a);
    expect(computeHash(w.ds, 1)).not.toBe(computeHash(w.ds, 0));
    expect(computeHash(structuredClone(w.ds))).toBe(a);
  });
});
