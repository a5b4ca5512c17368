// Planner tests for the two opt-in departures from upstream (statefulset-opt-in.ts), each run
// with and without its annotation: without it the planner must do exactly what upstream does.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { planClaimExpansions } from './expand-claims.ts';
import { imageOf, iso, setImage, World } from './testing.ts';
import type { StatefulSetSpec } from './types.ts';

const EXPAND = 'statefulset.k8ts.io/expand-claims';
const RECOVER = 'statefulset.k8ts.io/recover-stuck-rollout';

const requestOf = (c: KubeObject | undefined) => (c?.spec as { resources?: { requests?: { storage?: string } } } | undefined)?.resources?.requests?.storage;
const deletions = (w: World) => w.log.filter((l) => l.startsWith('-'));

describe('expand-claims: raising claims whose template grew', () => {
  const template = (storage: string) => [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } } }];
  const grow = (storage: string) => (s: StatefulSetSpec) => ((s.volumeClaimTemplates![0]!.spec as any).resources.requests.storage = storage);

  /** Three pods with Bound 1Gi claims, plus a claim of a condemned ordinal. */
  function world(): World {
    const w = new World({ replicas: 3, volumeClaimTemplates: template('1Gi') });
    w.converge();
    w.claims.set('www-web-7', { ...structuredClone(w.claims.get('www-web-0')!), metadata: { name: 'www-web-7', namespace: 'ns', uid: 'claim-7' } });
    for (const [name, c] of w.claims) w.claims.set(name, { ...c, status: { phase: 'Bound', capacity: { storage: '1Gi' } } });
    return w;
  }

  it('does nothing without the annotation, or with another value', () => {
    const w = world();
    w.edit(grow('2Gi'));
    expect(w.plan().steps.filter((s) => s.kind === 'expandClaim')).toEqual([]);
    w.annotate(EXPAND, 'yes');
    expect(w.plan().steps.filter((s) => s.kind === 'expandClaim')).toEqual([]);
  });

  it('raises every Bound claim of an in-range ordinal, highest first, without touching pods', () => {
    const w = world();
    const pods = [...w.pods.values()].map((p) => p.metadata.uid);
    w.annotate(EXPAND, 'true');
    w.edit(grow('2Gi'));
    const plan = w.plan();
    expect(plan.steps.flatMap((s) => (s.kind === 'expandClaim' ? [[s.phase, s.claim.metadata.name, s.from, s.to, requestOf(s.claim)]] : []))).toEqual([
      ['claims', 'www-web-2', '1Gi', '2Gi', '2Gi'],
      ['claims', 'www-web-1', '1Gi', '2Gi', '2Gi'],
      ['claims', 'www-web-0', '1Gi', '2Gi', '2Gi'],
    ]);
    // Only the request changes; the claim keeps its identity and resourceVersion precondition.
    const step = plan.steps.find((s) => s.kind === 'expandClaim');
    expect(step?.kind === 'expandClaim' && { ...step.claim, spec: undefined }).toEqual({ ...w.claims.get('www-web-2'), spec: undefined });
    w.converge();
    expect([...w.pods.values()].map((p) => p.metadata.uid)).toEqual(pods);
    expect(['www-web-0', 'www-web-1', 'www-web-2', 'www-web-7'].map((n) => requestOf(w.claims.get(n)))).toEqual(['2Gi', '2Gi', '2Gi', '1Gi']);
    // Raised once: the next plan has nothing to do.
    expect(w.plan().steps).toEqual([]);
  });

  it('skips claims not yet Bound or being deleted and never lowers a request; a claim that binds later is raised', () => {
    const w = world();
    const c1 = w.claims.get('www-web-1')!;
    w.claims.set('www-web-1', { ...c1, status: { phase: 'Pending' } });
    const c0 = w.claims.get('www-web-0')!;
    w.claims.set('www-web-0', { ...c0, metadata: { ...c0.metadata, deletionTimestamp: iso(w.now), finalizers: ['kubernetes.io/pvc-protection'] } });
    const c2 = w.claims.get('www-web-2')!;
    w.claims.set('www-web-2', { ...c2, spec: { ...(c2.spec as object), resources: { requests: { storage: '3Gi' } } } });
    w.annotate(EXPAND, 'true');
    w.edit(grow('2Gi'));
    expect(planClaimExpansions(w.set, w.claims)).toEqual([]);
    w.claims.set('www-web-1', { ...c1, status: { phase: 'Bound', capacity: { storage: '1Gi' } } });
    expect(planClaimExpansions(w.set, w.claims).map((e) => [e.claim.metadata.name, e.from, e.to])).toEqual([['www-web-1', '1Gi', '2Gi']]);
  });

  it('compares quantities, not strings, and follows scale-up with new claims at the new size', () => {
    const w = world();
    w.annotate(EXPAND, 'true');
    w.edit(grow('1024Mi'));
    expect(planClaimExpansions(w.set, w.claims)).toEqual([]);
    w.edit(grow('1.5Gi'));
    w.edit((s) => (s.replicas = 4));
    w.converge();
    expect(['www-web-0', 'www-web-3'].map((n) => requestOf(w.claims.get(n)))).toEqual(['1.5Gi', '1.5Gi']);
  });

  it('leaves a set being deleted alone', () => {
    const w = world();
    w.annotate(EXPAND, 'true');
    w.edit(grow('2Gi'));
    w.set = { ...w.set, metadata: { ...w.set.metadata, deletionTimestamp: iso(w.now) } };
    expect(w.plan().steps.filter((s) => s.kind === 'expandClaim')).toEqual([]);
  });
});

// kubernetes#67250: a rollout to a template whose pods never become Ready stops at the first such
// pod; reverting (or fixing) the template does not reach it, because the planner waits for it
// before it would replace it. Upstream documents deleting the pod by hand ("forced rollback").
describe.each(['OrderedReady', 'Parallel'] as const)('recover-stuck-rollout under %s', (policy) => {
  /** Three ready v1 pods, then a rollout to `bad`, whose pods never become Ready, run until stuck. */
  function stuckWorld(annotation?: string, spec: StatefulSetSpec = {}): World {
    const w = new World({ podManagementPolicy: policy, ...spec });
    if (annotation !== undefined) w.annotate(RECOVER, annotation);
    w.converge();
    w.unreadyImages.add('bad');
    w.edit(setImage('bad'));
    w.converge();
    expect(w.images()).toEqual(['v1', 'v1', 'bad']);
    return w;
  }

  it('without the annotation, a reverted template leaves the set stuck on the bad pod (upstream)', () => {
    const w = stuckWorld();
    const stuck = w.pods.get('web-2')!.metadata.uid;
    w.edit(setImage('v1'));
    w.converge();
    for (let i = 0; i < 10; i++) w.sync();
    expect(w.images()).toEqual(['v1', 'v1', 'bad']);
    expect(w.pods.get('web-2')!.metadata.uid).toBe(stuck);
    expect(w.status.readyReplicas).toBe(2);
    // A value other than "true" is the same as none.
    const other = stuckWorld('yes');
    other.edit(setImage('v1'));
    other.converge();
    expect(other.images()).toEqual(['v1', 'v1', 'bad']);
  });

  it('with the annotation, a reverted template replaces the bad pod and the set converges', () => {
    const w = stuckWorld('true');
    const first = w.status.currentRevision;
    w.edit(setImage('v1'));
    const plan = w.sync();
    expect(plan.steps.flatMap((s) => (s.kind === 'deletePod' ? [[s.pod.metadata.name, s.reason]] : []))).toEqual([['web-2', 'recover']]);
    w.converge();
    expect(w.images()).toEqual(['v1', 'v1', 'v1']);
    expect(deletions(w)).toEqual(['-web-2', '-web-2']);
    expect(w.status).toMatchObject({ readyReplicas: 3, currentRevision: first, updateRevision: first });
  });

  it('with the annotation, a fixed template rolls forward past the bad pod to every ordinal', () => {
    const w = stuckWorld('true');
    w.edit(setImage('v3'));
    w.converge();
    expect(w.images()).toEqual(['v3', 'v3', 'v3']);
    expect(w.status.currentRevision).toBe(w.status.updateRevision);
    if (policy === 'OrderedReady') expect(deletions(w)).toEqual(['-web-2', '-web-2', '-web-1', '-web-0']);
  });

  it('with the annotation, a healthy rollout goes exactly as upstream', () => {
    const w = new World({ podManagementPolicy: policy });
    w.annotate(RECOVER, 'true');
    w.converge();
    w.edit(setImage('v2'));
    w.converge();
    expect(w.images()).toEqual(['v2', 'v2', 'v2']);
    expect(deletions(w)).toEqual(policy === 'OrderedReady' ? ['-web-2', '-web-1', '-web-0'] : expect.arrayContaining(['-web-2', '-web-1', '-web-0']));
  });

  it('with the annotation, leaves pods below the partition, pods at the update revision, and OnDelete sets alone', () => {
    // web-0 is outdated and unready but below the partition: it is to stay at the current revision.
    const w = new World({ podManagementPolicy: policy, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1, maxUnavailable: 1 } } });
    w.annotate(RECOVER, 'true');
    w.converge();
    w.unready.add('web-0');
    w.edit(setImage('v2'));
    for (let i = 0; i < 10; i++) w.sync();
    const recovered = (x: World) => x.plan().steps.filter((s) => s.kind === 'deletePod' && s.reason === 'recover');
    expect(recovered(w)).toEqual([]);
    expect(w.images()[0]).toBe('v1');
    expect(deletions(w)).not.toContain('-web-0');
    // A pod at the update revision that is not ready is waited for, as upstream.
    const u = stuckWorld('true');
    expect(recovered(u)).toEqual([]);
    expect(deletions(u)).toEqual(['-web-2']);
    // OnDelete: the user replaces pods.
    const o = new World({ podManagementPolicy: policy, updateStrategy: { type: 'OnDelete' } });
    o.annotate(RECOVER, 'true');
    o.converge();
    o.unready.add('web-1');
    o.edit(setImage('v2'));
    for (let i = 0; i < 5; i++) o.sync();
    expect(recovered(o)).toEqual([]);
    expect(imageOf(o.pods.get('web-1')!)).toBe('v1');
  });
});
