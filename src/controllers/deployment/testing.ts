// A small world for Deployment planner tests: a driver loop runs the planner, applies its steps
// as the API would, plays the ReplicaSet controller and kubelet (a set's pods exist at once and
// become available one sync later, unless its image is bad) and checks the rollout invariants
// after every sync: never more than replicas + maxSurge wanted, never fewer than
// replicas − maxUnavailable available once the first rollout finished, at most one new set.
import { expect } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { replicasOf, rsSpec } from '../replicaset/types.ts';
import { planDeployment, type Plan } from './plan.ts';
import { findNewReplicaSet } from './replica-sets.ts';
import { availableReplicas, isRollingUpdate, maxSurge, maxUnavailable, totalReplicas } from './rollout-math.ts';
import { dReplicas, dSpec, REVISION, type DeploymentSpec, type DeploymentStatus } from './types.ts';

export const T0 = Date.UTC(2026, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class World {
  now = T0;
  d: KubeObject;
  sets: KubeObject[] = [];
  /** Images whose pods never become available. */
  bad = new Set<string>();
  events: string[] = [];
  /** The first rollout finished: availability is guarded from then on. */
  settled = false;
  private uids = 0;

  constructor(spec: DeploymentSpec = {}) {
    this.d = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'ns', uid: 'd-uid', generation: 1 },
      spec: {
        replicas: 4,
        selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'v1' }] } },
        ...spec,
      },
    };
  }

  edit(f: (spec: DeploymentSpec) => void): void {
    const spec = structuredClone(this.d.spec as DeploymentSpec);
    f(spec);
    this.d = { ...this.d, spec, metadata: { ...this.d.metadata, generation: this.d.metadata.generation! + 1 } };
  }

  setImage(image: string): void {
    this.edit((s) => (s.template!.spec!.containers = [{ name: 'c', image }]));
  }

  get status(): DeploymentStatus {
    return (this.d.status ?? {}) as DeploymentStatus;
  }

  plan(): Plan {
    return planDeployment({ deployment: this.d, replicaSets: this.sets, now: this.now });
  }

  sync(): Plan {
    const plan = this.plan();
    const before = new Map(this.sets.map((rs) => [rs.metadata.uid!, replicasOf(rs)] as const));
    const availableBefore = availableReplicas(this.sets);
    for (const s of plan.steps) {
      switch (s.kind) {
        case 'createReplicaSet': {
          expect(this.sets.some((x) => x.metadata.name === s.rs.metadata.name)).toBe(false);
          this.sets.push({ ...s.rs, metadata: { ...s.rs.metadata, uid: `rs-${this.uids++}`, creationTimestamp: iso(this.now), generation: 1 }, status: { replicas: 0, observedGeneration: 1 } });
          break;
        }
        case 'updateReplicaSet':
          this.sets = this.sets.map((x) => (x.metadata.uid === s.rs.metadata.uid ? { ...s.rs, status: x.status } : x));
          break;
        case 'deleteReplicaSet':
          this.sets = this.sets.filter((x) => x.metadata.uid !== s.rs.metadata.uid);
          break;
        case 'updateDeployment':
          this.d = { ...s.deployment, status: this.d.status, metadata: { ...s.deployment.metadata, generation: this.d.metadata.generation! + 1 } };
          break;
      }
      if ('event' in s && s.event) this.events.push(s.event.message);
    }
    if (plan.status) this.d = { ...this.d, status: plan.status };
    if (plan.revision) this.d = { ...this.d, metadata: { ...this.d.metadata, annotations: { ...this.d.metadata.annotations, [REVISION]: plan.revision } } };
    const scaledDown = this.sets.some((rs) => replicasOf(rs) < (before.get(rs.metadata.uid!) ?? 0));
    this.checkInvariants(scaledDown, availableBefore);
    this.replicaSetController();
    this.now += 1000;
    return plan;
  }

  /** Each set's pods exist at once; pods wanted since the last pass become available now (not for bad images). */
  private replicaSetController(): void {
    this.sets = this.sets.map((rs) => {
      const want = replicasOf(rs);
      const st = (rs.status ?? {}) as { replicas?: number; availableReplicas?: number };
      const image = (rsSpec(rs).template?.spec as { containers: { image: string }[] }).containers[0]!.image;
      const had = Math.min(st.replicas ?? 0, want);
      const available = this.bad.has(image) ? 0 : had;
      return { ...rs, status: { replicas: want, readyReplicas: available, availableReplicas: available, observedGeneration: rs.metadata.generation } };
    });
  }

  /**
   * One new set; under RollingUpdate no more wanted than replicas + maxSurge, and a scale-down
   * never takes availability below replicas − maxUnavailable (or below what it was, when a
   * scale-up left it lower).
   */
  private checkInvariants(scaledDown: boolean, availableBefore: number): void {
    const d = this.d;
    expect(this.sets.filter((rs) => findNewReplicaSet(d, [rs])).length, 'one new set').toBeLessThanOrEqual(1);
    if (!isRollingUpdate(d) || dSpec(d).paused) return;
    expect(totalReplicas(this.sets), 'wanted within replicas + maxSurge').toBeLessThanOrEqual(dReplicas(d) + maxSurge(d));
    if (!this.settled || !scaledDown) return;
    const after = this.sets.reduce((n, rs) => n + Math.min(replicasOf(rs), (rs.status as { availableReplicas?: number }).availableReplicas ?? 0), 0);
    expect(after, 'a scale-down keeps availability within maxUnavailable').toBeGreaterThanOrEqual(Math.min(availableBefore, dReplicas(d) - maxUnavailable(d)));
  }

  /** Syncs until the rollout completes and a sync writes nothing. */
  converge(max = 100): void {
    for (let i = 0; i < max; i++) {
      const plan = this.sync();
      const s = this.status;
      const want = dReplicas(this.d);
      if (!plan.steps.length && !plan.status && s.updatedReplicas === want && s.replicas === want && s.availableReplicas === want && s.observedGeneration === this.d.metadata.generation) {
        this.settled = true;
        return;
      }
    }
    throw new Error(`no convergence after ${max} syncs: ${this.sets.map((rs) => `${rs.metadata.name}=${replicasOf(rs)}`).join(',')}`);
  }

  sizes(): number[] {
    return [...this.sets].sort((a, b) => (a.metadata.creationTimestamp! < b.metadata.creationTimestamp! ? -1 : 1)).map(replicasOf);
  }

  condition(type: string) {
    return this.status.conditions?.find((c) => c.type === type);
  }
}
