// A small world for DaemonSet planner tests: a driver loop writes the history, runs the planner,
// applies its steps as the API would, plays the scheduler (binds a pod to the node its affinity
// names when its taints allow) and the kubelet (bound pods go Running, then Ready; terminating
// pods go), and checks invariants after every sync: no pod where placement forbids one, at most
// one live pod per node (two, one old and one new, under surge), and the rolling-update budget.
import { expect } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { isAvailable } from '../statefulset/identity.ts';
import { placementsOf, planDaemonSet, type Plan } from './plan.ts';
import { untoleratedTaint } from './placement.ts';
import { newDaemonPod, podsByNode } from './pods.ts';
import { planHistory, revisionsToPrune } from './revisions.ts';
import { updateBudget } from './rolling-update.ts';
import { statusNeedsWrite, wireStatus } from './status.ts';
import { dsSpec, HASH_LABEL, taintsOf, type DaemonPodSpec, type DaemonSetSpec, type DaemonSetStatus } from './types.ts';

export const T0 = Date.UTC(2026, 0, 1);
export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
export const imageOf = (p: KubeObject) => (p.spec as { containers: { image: string }[] }).containers[0]!.image;
const live = (p: KubeObject) => !p.metadata.deletionTimestamp;

export interface NodeOpts {
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
}

export class World {
  now = T0;
  ds: KubeObject;
  nodes = new Map<string, KubeObject>();
  pods = new Map<string, KubeObject>();
  revisions: KubeObject[] = [];
  /** Pods (by name) the kubelet keeps unready; images whose pods never become ready. */
  unready = new Set<string>();
  unreadyImages = new Set<string>();
  /** Pods the kubelet fails. */
  failing = new Set<string>();
  /** Failed-pod back-off: key → [delay, since]. */
  backoff = new Map<string, [number, number]>();
  /** Check the rolling-update budget after every sync (set once the pods first converged). */
  checkBudget = false;
  /** Unavailable desired nodes tolerated beyond the budget (pods made unready by the test). */
  slack = 0;
  syncs = 0;
  log: string[] = [];
  private seq = 0;

  constructor(spec: DaemonSetSpec = {}, nodes: Record<string, NodeOpts> = { n1: {}, n2: {}, n3: {} }) {
    this.ds = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'ds', namespace: 'ns', uid: 'ds-uid', generation: 1, annotations: { 'deprecated.daemonset.template.generation': '1' } },
      spec: {
        selector: { matchLabels: { app: 'd' } },
        template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'v1' }] } },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
        revisionHistoryLimit: 10,
        ...spec,
      },
      status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
    };
    for (const [name, o] of Object.entries(nodes)) this.setNode(name, o);
  }

  get spec(): DaemonSetSpec {
    return this.ds.spec as DaemonSetSpec;
  }

  get status(): DaemonSetStatus {
    return this.ds.status as DaemonSetStatus;
  }

  /** A spec change; the template generation moves when the template does, as the apiserver does. */
  edit(f: (spec: DaemonSetSpec) => void): void {
    const spec = structuredClone(this.spec);
    f(spec);
    const templateChanged = JSON.stringify(spec.template) !== JSON.stringify(this.spec.template);
    const gen = Number(this.ds.metadata.annotations!['deprecated.daemonset.template.generation']);
    this.ds = {
      ...this.ds,
      spec,
      metadata: { ...this.ds.metadata, generation: this.ds.metadata.generation! + 1, annotations: { ...this.ds.metadata.annotations, 'deprecated.daemonset.template.generation': String(templateChanged ? gen + 1 : gen) } },
    };
  }

  setNode(name: string, o: NodeOpts = {}): void {
    this.nodes.set(name, { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } }, spec: o.taints?.length ? { taints: o.taints } : {} });
  }

  /** A node goes; pod GC takes the pods bound to it. */
  removeNode(name: string): void {
    this.nodes.delete(name);
    for (const [k, p] of [...this.pods]) if ((p.spec as DaemonPodSpec).nodeName === name) this.pods.delete(k);
  }

  plan(): Plan {
    return planDaemonSet({
      ds: this.ds,
      nodes: [...this.nodes.values()],
      pods: [...this.pods.values()],
      hash: this.hash(),
      now: this.now,
      manage: true,
      backoffDelay: (k) => {
        const b = this.backoff.get(k);
        return b && this.now - b[1] < b[0] ? b[0] : undefined;
      },
    });
  }

  /** The current revision's hash (constructHistory, applied at once). */
  hash(): string {
    const h = planHistory(this.ds, this.revisions);
    for (const r of h.relabel) this.revisions = this.revisions.map((x) => (x.metadata.name === r.metadata.name ? r : x));
    let current = h.current;
    if (h.create) {
      current = { ...h.create, metadata: { ...h.create.metadata, uid: `rev-${this.seq++}`, creationTimestamp: iso(this.now) } };
      this.revisions.push(current);
    }
    for (const d of h.duplicates) this.revisions = this.revisions.filter((r) => r !== d);
    if (h.renumber !== undefined) {
      const renumbered = { ...current!, revision: h.renumber } as KubeObject;
      this.revisions = this.revisions.map((r) => (r.metadata.name === current!.metadata.name ? renumbered : r));
    }
    return current!.metadata.labels![HASH_LABEL]!;
  }

  /** One sync, then one scheduler and kubelet pass; returns the plan that ran. */
  sync(): Plan {
    this.syncs++;
    const plan = this.plan();
    const placements = placementsOf(this.ds, [...this.nodes.values()]);
    for (const node of plan.creates) {
      expect(placements.get(node)?.shouldRun, `create on ${node} only where a pod should run`).toBe(true);
      const pod = newDaemonPod(this.ds, node, this.hash());
      const name = `ds-${(this.seq++).toString(36).padStart(5, '0')}`;
      this.pods.set(name, { ...pod, metadata: { ...pod.metadata, name, uid: `pod-${name}`, creationTimestamp: iso(this.now) }, status: { phase: 'Pending' } });
      this.log.push(`+${node}`);
    }
    for (const { pod } of plan.deletes) {
      const p = this.pods.get(pod.metadata.name!);
      expect(p?.metadata.uid).toBe(pod.metadata.uid);
      expect(live(p!), `${pod.metadata.name} deleted twice`).toBe(true);
      this.pods.set(p!.metadata.name!, { ...p!, metadata: { ...p!.metadata, deletionTimestamp: iso(this.now) } });
      this.log.push(`-${(p!.spec as DaemonPodSpec).nodeName ?? '?'}`);
    }
    for (const k of plan.backoff) {
      const b = this.backoff.get(k);
      this.backoff.set(k, [b ? Math.min(b[0] * 2, 900_000) : 1000, this.now]);
    }
    for (const r of revisionsToPrune(this.ds, planHistory(this.ds, this.revisions).old, [...this.pods.values()])) this.revisions = this.revisions.filter((x) => x !== r);
    if (statusNeedsWrite(this.ds, plan.status)) this.ds = { ...this.ds, status: wireStatus(this.ds, plan.status) };
    this.checkInvariants();
    this.schedulerAndKubelet();
    this.now += 1000;
    return plan;
  }

  /** Binds pending pods whose node tolerates them; runs bound pods; removes terminating ones. */
  schedulerAndKubelet(): void {
    for (const [name, p] of [...this.pods]) {
      if (!live(p)) {
        this.pods.delete(name);
        continue;
      }
      const spec = p.spec as DaemonPodSpec;
      if (!spec.nodeName) {
        // Created by this very sync: the scheduler sees it on its next pass.
        if (p.metadata.creationTimestamp === iso(this.now)) continue;
        const target = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values?.[0];
        const node = target ? this.nodes.get(target) : undefined;
        if (!node || untoleratedTaint(taintsOf(node), spec.tolerations ?? [], ['NoSchedule', 'NoExecute'])) continue;
        this.pods.set(name, { ...p, spec: { ...spec, nodeName: target } });
        continue;
      }
      const phase = (p.status as { phase?: string }).phase;
      if (phase === 'Failed' || phase === 'Succeeded') continue;
      if (this.failing.has(name)) {
        this.pods.set(name, { ...p, status: { phase: 'Failed' } });
        continue;
      }
      const ready = !this.unready.has(name) && !this.unreadyImages.has(imageOf(p));
      const was = (p.status as { conditions?: { status: string; lastTransitionTime: string }[] }).conditions?.[0];
      const since = was && (was.status === 'True') === ready ? was.lastTransitionTime : iso(this.now);
      this.pods.set(name, { ...p, status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: since }] } });
    }
  }

  checkInvariants(): void {
    const placements = placementsOf(this.ds, [...this.nodes.values()]);
    const byNode = podsByNode([...this.pods.values()].filter(live));
    const surge = updateBudget(this.ds, 1).maxSurge > 0;
    const hash = this.hash();
    for (const [node, pods] of byNode) {
      const p = placements.get(node);
      if (!p) continue;
      if (!p.shouldContinueRunning) expect(pods.filter((x) => (x.spec as DaemonPodSpec).nodeName), `no running pod on ${node}`).toHaveLength(0);
      if (!surge) expect(pods.length, `one pod on ${node}`).toBeLessThanOrEqual(1);
      else {
        expect(pods.filter((x) => x.metadata.labels?.[HASH_LABEL] === hash).length, `one new pod on ${node}`).toBeLessThanOrEqual(1);
        expect(pods.length, `two pods at most on ${node}`).toBeLessThanOrEqual(2);
      }
    }
    if (!this.checkBudget || dsSpec(this.ds).updateStrategy?.type !== 'RollingUpdate') return;
    // The budget: desired nodes without an available live pod.
    const desired = [...placements].filter(([, p]) => p.shouldRun).map(([n]) => n);
    const minReady = dsSpec(this.ds).minReadySeconds ?? 0;
    const { maxUnavailable } = updateBudget(this.ds, desired.length);
    const missing = desired.filter((n) => !(byNode.get(n) ?? []).some((p) => isAvailable(p, minReady, this.now)));
    expect(missing.length, `unavailable within maxUnavailable: ${this.describe()}`).toBeLessThanOrEqual(maxUnavailable + this.slack);
  }

  /** Syncs until a sync changes nothing, every pod is ready and status is stable. */
  converge(max = 200): void {
    for (let i = 0; i < max; i++) {
      const plan = this.sync();
      // A pod ready but not yet available brings its DaemonSet back (the controller's pod handler).
      const minReady = dsSpec(this.ds).minReadySeconds ?? 0;
      const settled = [...this.pods.values()].every(
        (p) => (p.spec as DaemonPodSpec).nodeName && (isAvailable(p, minReady, this.now) || this.unready.has(p.metadata.name!) || this.unreadyImages.has(imageOf(p))),
      );
      const next = this.plan();
      if (!plan.creates.length && !plan.deletes.length && settled && !next.creates.length && !next.deletes.length && !statusNeedsWrite(this.ds, next.status) && next.requeueAfterMs === undefined) return;
    }
    throw new Error(`no convergence after ${max} syncs: ${this.describe()}`);
  }

  /** node → images of its live pods, sorted by node. */
  layout(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [node, pods] of [...podsByNode([...this.pods.values()].filter(live))].sort(([a], [b]) => a.localeCompare(b))) out[node] = pods.map(imageOf).sort();
    return out;
  }

  describe(): string {
    return JSON.stringify(this.layout());
  }

  podsOn(node: string): KubeObject[] {
    return [...this.pods.values()].filter((p) => live(p) && (p.spec as DaemonPodSpec).nodeName === node);
  }
}

export const setImage = (image: string) => (s: DaemonSetSpec) => (s.template!.spec!.containers![0]!.image = image);
