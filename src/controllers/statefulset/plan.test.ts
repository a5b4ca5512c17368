// Planner tests driven by a small world: a driver loop runs the planner, applies its steps as the
// API and garbage collector would, plays the kubelet (created pods go Running, then Ready) and
// checks invariants after every sync: ordered creation and deletion under OrderedReady, claims
// before pods, one claim per template per ordinal, no pod with a claim of another ordinal.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { claimPods, inOrdinalRange, isRunningAndReady, ordinalOf } from './identity.ts';
import { planStatefulSet, type Plan } from './plan.ts';
import { revisionNumber } from './revisions.ts';
import { statusNeedsWrite } from './status.ts';
import type { StatefulSetSpec } from './types.ts';

const T0 = Date.UTC(2026, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
let uids = 0;

class World {
  now = T0;
  set: KubeObject;
  pods = new Map<string, KubeObject>();
  claims = new Map<string, KubeObject>();
  revisions: KubeObject[] = [];
  /** Pods the kubelet keeps unready, or fails. */
  unready = new Set<string>();
  syncs = 0;
  log: string[] = [];

  constructor(spec: StatefulSetSpec) {
    this.set = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web', namespace: 'ns', uid: 'set-uid', generation: 1 },
      spec: {
        replicas: 3,
        serviceName: 'web',
        selector: { matchLabels: { app: 'web' } },
        podManagementPolicy: 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1 } },
        revisionHistoryLimit: 10,
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'v1' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'] } }],
        ...spec,
      },
      status: { replicas: 0 },
    };
  }

  get spec(): StatefulSetSpec {
    return this.set.spec as StatefulSetSpec;
  }

  edit(f: (spec: StatefulSetSpec) => void): void {
    const spec = structuredClone(this.spec);
    f(spec);
    this.set = { ...this.set, spec, metadata: { ...this.set.metadata, generation: this.set.metadata.generation! + 1 } };
  }

  plan(): Plan {
    const { pods } = claimPods(this.set, [...this.pods.values()]);
    return planStatefulSet({ set: this.set, pods, claims: this.claims, revisions: this.revisions, now: this.now });
  }

  /** One sync and one kubelet pass; returns the plan that ran. */
  sync(): Plan {
    this.syncs++;
    let plan = this.plan();
    if (plan.revision.kind === 'create') {
      this.revisions.push({ ...plan.revision.revision, metadata: { ...plan.revision.revision.metadata, uid: `rev-${uids++}`, creationTimestamp: iso(this.now) } });
      plan = this.plan();
    } else if (plan.revision.kind === 'renumber') {
      const { revision, to } = plan.revision;
      this.revisions = this.revisions.map((r) => (r === revision ? { ...r, revision: to } : r));
      plan = this.plan();
    }
    expect(plan.revision.kind).toBe('none');
    const ordered = this.spec.podManagementPolicy !== 'Parallel';
    const created = plan.steps.filter((s) => s.kind === 'createPod');
    const scaledDown = plan.steps.flatMap((s) => (s.kind === 'deletePod' && s.reason === 'condemned' ? [s] : []));
    if (ordered) {
      expect(created.length + scaledDown.length, 'one creation or scale-down deletion per sync').toBeLessThanOrEqual(1);
      for (const s of created) {
        // Every lower in-range ordinal exists, is Running and Ready, and not terminating.
        const start = this.spec.ordinals?.start ?? 0;
        for (let o = start; o < ordinalOf(s.pod); o++) {
          const p = this.pods.get(`web-${o}`);
          expect(p && isRunningAndReady(p) && !p.metadata.deletionTimestamp, `web-${o} ready before ${s.pod.metadata.name}`).toBeTruthy();
        }
      }
      for (const s of scaledDown) {
        // No higher condemned pod remains, and every other pod is healthy.
        for (const p of this.pods.values()) {
          if (p === s.pod) continue;
          expect(!inOrdinalRange(p, this.set) && ordinalOf(p) > ordinalOf(s.pod), `delete ${s.pod.metadata.name} before ${p.metadata.name}`).toBe(false);
          expect(isRunningAndReady(p), `${p.metadata.name} healthy when ${s.pod.metadata.name} is deleted`).toBe(true);
        }
      }
    }
    for (const s of plan.steps) {
      switch (s.kind) {
        case 'createPod':
        case 'ensureClaims':
        case 'updatePod':
          for (const c of s.claims.create) if (!this.claims.has(c.metadata.name!)) this.claims.set(c.metadata.name!, { ...c, metadata: { ...c.metadata, uid: `claim-${uids++}` } });
          if (s.kind === 'createPod') {
            expect(s.claims.deleting).toEqual([]);
            expect(this.pods.has(s.pod.metadata.name!)).toBe(false);
            this.pods.set(s.pod.metadata.name!, { ...s.pod, metadata: { ...s.pod.metadata, uid: `pod-${uids++}`, creationTimestamp: iso(this.now) }, status: { phase: 'Pending' } });
            this.log.push(`+${s.pod.metadata.name}`);
          } else if (s.kind === 'updatePod' && s.podChanged) this.pods.set(s.pod.metadata.name!, s.pod);
          for (const c of s.claims.update) this.claims.set(c.metadata.name!, c);
          break;
        case 'deletePod': {
          const p = this.pods.get(s.pod.metadata.name!);
          expect(p?.metadata.uid).toBe(s.pod.metadata.uid);
          this.pods.set(p!.metadata.name!, { ...p!, metadata: { ...p!.metadata, deletionTimestamp: iso(this.now) } });
          this.log.push(`-${s.pod.metadata.name}`);
          break;
        }
        case 'deleteRevision':
          this.revisions = this.revisions.filter((r) => r.metadata.name !== s.revision.metadata.name);
          break;
      }
    }
    if (statusNeedsWrite(this.set, plan.status)) this.set = { ...this.set, status: plan.status };
    this.kubelet();
    this.checkInvariants();
    this.now += 1000;
    return plan;
  }

  /** Terminating pods go (and the garbage collector takes claims they own); others start. */
  kubelet(): void {
    for (const [name, p] of [...this.pods]) {
      if (p.metadata.deletionTimestamp) {
        this.pods.delete(name);
        for (const [cn, c] of [...this.claims]) if (c.metadata.ownerReferences?.some((r) => r.uid === p.metadata.uid)) this.claims.delete(cn);
        continue;
      }
      const phase = (p.status as { phase?: string }).phase;
      if (phase === 'Failed') continue;
      const ready = !this.unready.has(name);
      const was = (p.status as { conditions?: { status: string; lastTransitionTime: string }[] }).conditions?.[0];
      const since = was && (was.status === 'True') === ready ? was.lastTransitionTime : iso(this.now);
      this.pods.set(name, { ...p, status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: since }] } });
    }
  }

  checkInvariants(): void {
    for (const p of this.pods.values()) {
      // A claim per template for every pod, named for the pod's own ordinal.
      for (const v of (p.spec as { volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[] }).volumes ?? []) {
        if (!v.persistentVolumeClaim) continue;
        expect(v.persistentVolumeClaim.claimName).toBe(`${v.name}-web-${ordinalOf(p)}`);
        if (!this.deletedClaims.has(v.persistentVolumeClaim.claimName)) expect(this.claims.has(v.persistentVolumeClaim.claimName), `claim of ${p.metadata.name}`).toBe(true);
      }
    }
  }

  deletedClaims = new Set<string>();

  /** Syncs until a sync changes nothing and every wanted pod is ready. */
  converge(max = 200): void {
    for (let i = 0; i < max; i++) {
      const plan = this.sync();
      const podsReady = [...this.pods.values()].every((p) => isRunningAndReady(p) || this.unready.has(p.metadata.name!));
      const next = this.plan();
      if (plan.steps.length === 0 && podsReady && plan.requeueAfterMs === undefined && next.steps.length === 0 && !statusNeedsWrite(this.set, next.status)) return;
    }
    throw new Error(`no convergence after ${max} syncs: ${[...this.pods.keys()].join(',')}`);
  }

  names(): string[] {
    return [...this.pods.keys()].sort((a, b) => ordinalOf({ metadata: { name: a } }) - ordinalOf({ metadata: { name: b } }));
  }

  images(): string[] {
    return this.names().map((n) => ((this.pods.get(n)!.spec as { containers: { image: string }[] }).containers[0]!.image));
  }

  get status() {
    return this.set.status as { replicas: number; readyReplicas?: number; currentReplicas?: number; updatedReplicas?: number; currentRevision?: string; updateRevision?: string; availableReplicas?: number };
  }
}

const setImage = (image: string) => (s: StatefulSetSpec) => (s.template!.spec!.containers![0]!.image = image);

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
