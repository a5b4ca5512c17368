// A small world for ReplicaSet planner tests: a driver loop runs the planner, applies its steps as
// the API would (generated names, adoption patches, deletions), plays the scheduler and kubelet
// (created pods are bound, then Running, then Ready) and checks invariants after every sync: no
// more than the burst created or deleted at once, every managed pod controlled by the set and
// matching its selector, never more managed pods than wanted once a sync deleted.
import { expect } from 'vitest';
import { fromLabelSelector, matches } from '../../api/meta/labels.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import { planReplicaSet, podFromTemplate, type Plan } from './plan.ts';
import { calculateStatus, statusNeedsWrite, wireStatus } from './status.ts';
import { controllerRefOf, replicasOf, type ReplicaSetSpec, type ReplicaSetStatus } from './types.ts';

export const T0 = Date.UTC(2026, 0, 1);
export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class World {
  now = T0;
  rs: KubeObject;
  pods = new Map<string, KubeObject>();
  /** Pods the kubelet keeps unready. */
  unready = new Set<string>();
  /** Pods the scheduler leaves unbound. */
  unschedulable = new Set<string>();
  burst?: number;
  log: string[] = [];
  private seq = 0;

  constructor(spec: ReplicaSetSpec = {}) {
    this.rs = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web', namespace: 'ns', uid: 'rs-uid', generation: 1 },
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'v1' }] } }, ...spec },
      status: { replicas: 0 },
    };
  }

  edit(f: (spec: ReplicaSetSpec) => void): void {
    const spec = structuredClone(this.rs.spec as ReplicaSetSpec);
    f(spec);
    this.rs = { ...this.rs, spec, metadata: { ...this.rs.metadata, generation: this.rs.metadata.generation! + 1 } };
  }

  /** A pod made elsewhere (an orphan, or another controller's). */
  addPod(name: string, labels: Record<string, string>, extra: Partial<KubeObject['metadata']> = {}): void {
    this.pods.set(name, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels, creationTimestamp: iso(this.now), ...extra }, spec: { nodeName: 'n1' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso(this.now) }] } });
  }

  plan(): Plan {
    return planReplicaSet({ rs: this.rs, selector: fromLabelSelector((this.rs.spec as ReplicaSetSpec).selector), pods: [...this.pods.values()], synced: true, now: this.now, burst: this.burst });
  }

  /** One sync and one scheduler and kubelet pass; returns the plan that ran. */
  sync(manageError?: unknown): Plan {
    const plan = this.plan();
    const burst = this.burst ?? 500;
    expect(plan.create, 'creations within the burst').toBeLessThanOrEqual(burst);
    expect(plan.delete.length, 'deletions within the burst').toBeLessThanOrEqual(burst);
    for (const p of plan.adopt) this.pods.set(p.metadata.name!, { ...p, metadata: { ...p.metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true }] } });
    for (const p of plan.release) this.pods.set(p.metadata.name!, { ...p, metadata: { ...p.metadata, ownerReferences: [] } });
    for (let i = 0; i < plan.create; i++) {
      const pod = podFromTemplate(this.rs);
      const name = `${pod.metadata.generateName}${String(this.seq++).padStart(5, 'x')}`;
      this.pods.set(name, { ...pod, metadata: { ...pod.metadata, name, uid: `uid-${name}`, creationTimestamp: iso(this.now) }, status: { phase: 'Pending' } });
      this.log.push(`+${name}`);
    }
    for (const p of plan.delete) {
      expect(this.pods.get(p.metadata.name!)?.metadata.uid).toBe(p.metadata.uid);
      this.pods.set(p.metadata.name!, { ...p, metadata: { ...p.metadata, deletionTimestamp: iso(this.now) } });
      this.log.push(`-${p.metadata.name}`);
    }
    const status = calculateStatus(this.rs, plan.pods, manageError, this.now);
    if (statusNeedsWrite(this.rs, status)) this.rs = { ...this.rs, status: wireStatus(this.rs, status) };
    this.checkInvariants(plan);
    this.kubelet();
    this.now += 1000;
    return plan;
  }

  /** Terminating pods go; others are bound, then run and get ready. */
  kubelet(): void {
    for (const [name, p] of [...this.pods]) {
      if (p.metadata.deletionTimestamp) {
        this.pods.delete(name);
        continue;
      }
      const spec = p.spec as { nodeName?: string };
      if (!spec.nodeName) {
        if (!this.unschedulable.has(name)) this.pods.set(name, { ...p, spec: { ...spec, nodeName: 'n1' } });
        continue;
      }
      const st = p.status as { phase?: string; conditions?: { type: string; status: string; lastTransitionTime: string }[] };
      if (st.phase === 'Failed' || st.phase === 'Succeeded') continue;
      const ready = !this.unready.has(name);
      const was = st.conditions?.[0];
      const since = was && (was.status === 'True') === ready ? was.lastTransitionTime : iso(this.now);
      this.pods.set(name, { ...p, status: { ...st, phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: since }] } });
    }
  }

  checkInvariants(plan: Plan): void {
    const sel = fromLabelSelector((this.rs.spec as ReplicaSetSpec).selector);
    for (const p of plan.pods) {
      expect(matches(sel, p.metadata.labels), `${p.metadata.name} matches`).toBe(true);
      const ref = controllerRefOf(p);
      expect(!ref || ref.uid === this.rs.metadata.uid, `${p.metadata.name} is ours or an orphan`).toBe(true);
    }
    if (plan.delete.length) expect(plan.pods.length - plan.delete.length).toBeGreaterThanOrEqual(replicasOf(this.rs));
  }

  /** Syncs until a sync changes nothing and every managed pod is ready. */
  converge(max = 50): void {
    for (let i = 0; i < max; i++) {
      const plan = this.sync();
      if (plan.create === 0 && plan.delete.length === 0 && !plan.adopt.length && !plan.release.length && !statusNeedsWrite(this.rs, calculateStatus(this.rs, this.plan().pods, undefined, this.now))) return;
    }
    throw new Error(`no convergence after ${max} syncs: ${[...this.pods.keys()].join(',')}`);
  }

  owned(): KubeObject[] {
    return [...this.pods.values()].filter((p) => controllerRefOf(p)?.uid === this.rs.metadata.uid && !p.metadata.deletionTimestamp);
  }

  get status(): ReplicaSetStatus {
    return this.rs.status as ReplicaSetStatus;
  }
}
