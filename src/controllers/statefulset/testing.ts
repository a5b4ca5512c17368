// A small world for planner tests: a driver loop runs the planner, applies its steps as the API
// and garbage collector would, plays the kubelet (created pods go Running, then Ready) and checks
// invariants after every sync: ordered creation and deletion under OrderedReady, claims before
// pods, one claim per template per ordinal, no pod with a claim of another ordinal.
import { expect } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { claimPods, inOrdinalRange, isRunningAndReady, ordinalOf } from './identity.ts';
import { planStatefulSet, type Plan } from './plan.ts';
import { statusNeedsWrite } from './status.ts';
import type { StatefulSetSpec } from './types.ts';

export const T0 = Date.UTC(2026, 0, 1);
export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
let uids = 0;
export const imageOf = (p: KubeObject) => (p.spec as { containers: { image: string }[] }).containers[0]!.image;

export class World {
  now = T0;
  set: KubeObject;
  pods = new Map<string, KubeObject>();
  claims = new Map<string, KubeObject>();
  revisions: KubeObject[] = [];
  /** Pods the kubelet keeps unready, or fails. */
  unready = new Set<string>();
  /** Images whose pods never become ready (a bad rollout). */
  unreadyImages = new Set<string>();
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

  annotate(key: string, value: string): void {
    this.set = { ...this.set, metadata: { ...this.set.metadata, annotations: { ...this.set.metadata.annotations, [key]: value } } };
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
        case 'expandClaim':
          expect(this.claims.get(s.claim.metadata.name!)?.metadata.uid).toBe(s.claim.metadata.uid);
          this.claims.set(s.claim.metadata.name!, s.claim);
          this.log.push(`^${s.claim.metadata.name}`);
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
      const ready = !this.unready.has(name) && !this.unreadyImages.has(imageOf(p));
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
      const podsReady = [...this.pods.values()].every((p) => isRunningAndReady(p) || this.unready.has(p.metadata.name!) || this.unreadyImages.has(imageOf(p)));
      const next = this.plan();
      if (plan.steps.length === 0 && podsReady && plan.requeueAfterMs === undefined && next.steps.length === 0 && !statusNeedsWrite(this.set, next.status)) return;
    }
    throw new Error(`no convergence after ${max} syncs: ${[...this.pods.keys()].join(',')}`);
  }

  names(): string[] {
    return [...this.pods.keys()].sort((a, b) => ordinalOf({ metadata: { name: a } }) - ordinalOf({ metadata: { name: b } }));
  }

  images(): string[] {
    return this.names().map((n) => imageOf(this.pods.get(n)!));
  }

  get status() {
    return this.set.status as { replicas: number; readyReplicas?: number; currentReplicas?: number; updatedReplicas?: number; currentRevision?: string; updateRevision?: string; availableReplicas?: number };
  }
}

export const setImage = (image: string) => (s: StatefulSetSpec) => (s.template!.spec!.containers![0]!.image = image);
