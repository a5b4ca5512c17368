// The node lifecycle controller (pkg/controller/nodelifecycle/node_lifecycle_controller.go):
// every monitor period it checks each node's heartbeats (Ready condition and its Lease in
// kube-node-lease), marks silent nodes Unknown and their pods not Ready, and keeps the
// not-ready/unreachable/unschedulable/pressure taints in line with node state, adding NoExecute
// taints at a per-zone rate that drops to zero when a zone is largely down. Pod deletion for those
// taints is the TaintEvictionController's job, which this controller starts.
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { Client, ResourceClient } from '../../client/client.ts';
import { objectKeyOf } from '../../client/informer.ts';
import { NODE_LEASE_NAMESPACE, NODE_MONITOR_GRACE_MS } from '../../node/contract.ts';
import { rfc3339, type Clock } from '../../util/clock.ts';
import { EventRecorder } from '../runtime/event-recorder.ts';
import { WorkQueue, type ReconcileResult } from '../runtime/work-queue.ts';
import { checkNodeHealth, type NodeHealth } from './health.ts';
import type { CoreInformers } from './informers.ts';
import { podMarkedNotReady } from './pods.ts';
import { nodeNameOf, PodsByNode } from './pods-by-node.ts';
import { TaintEvictionController } from './taint-eviction-controller.ts';
import { needsNoExecuteTaint, planNodeTaints, zoneOf, zonePolicies, type DisruptionOptions, type NoExecuteMode, type ZonePolicy } from './taints.ts';
import type { Condition } from './tolerations.ts';

export interface NodeLifecycleOptions extends Partial<DisruptionOptions> {
  clock: Clock;
  /** Shared informers; the caller runs them. */
  informers: CoreInformers;
  log?: (m: string) => void;
  /** Default NODE_MONITOR_GRACE_MS (40 s). */
  gracePeriodMs?: number;
  /** Default 60 s. */
  startupGracePeriodMs?: number;
  /** How often node health is checked; default 5 s. */
  monitorPeriodMs?: number;
}

/** Options from the environment: K8TS_NODE_MONITOR_GRACE_MS, K8TS_NODE_EVICTION_RATE. */
export function nodeLifecycleEnv(env: NodeJS.ProcessEnv = process.env): Pick<NodeLifecycleOptions, 'gracePeriodMs' | 'evictionQps'> {
  const num = (v: string | undefined) => (v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);
  return { gracePeriodMs: num(env.K8TS_NODE_MONITOR_GRACE_MS), evictionQps: num(env.K8TS_NODE_EVICTION_RATE) };
}

const rv = (o: KubeObject | undefined) => Number(o?.metadata.resourceVersion ?? 0);

export class NodeLifecycleController {
  readonly taintEviction: TaintEvictionController;
  private readonly nodesApi: ResourceClient;
  private readonly podsApi: ResourceClient;
  private readonly recorder: EventRecorder;
  private readonly podsByNode: PodsByNode;
  private readonly queue: WorkQueue;
  private readonly health = new Map<string, NodeHealth>();
  /** Nodes as this controller last wrote them, until the informer catches up. */
  private readonly written = new Map<string, KubeObject>();
  private readonly buckets = new Map<string, { tokens: number; last: number }>();
  private policies = new Map<string, ZonePolicy>();
  private allFullyDisrupted = false;
  /** Nodes whose pods still need marking not Ready after a failed attempt. */
  private readonly retryPods = new Set<string>();
  private readonly o: Required<Omit<NodeLifecycleOptions, 'informers' | 'clock' | 'log'>>;
  private readonly log: (m: string) => void;
  private pass: Promise<void> = Promise.resolve();
  private passing = false;

  constructor(
    client: Client,
    private readonly opts: NodeLifecycleOptions,
  ) {
    this.log = opts.log ?? (() => {});
    this.o = {
      gracePeriodMs: opts.gracePeriodMs ?? NODE_MONITOR_GRACE_MS,
      startupGracePeriodMs: opts.startupGracePeriodMs ?? 60_000,
      monitorPeriodMs: opts.monitorPeriodMs ?? 5_000,
      evictionQps: opts.evictionQps ?? 0.1,
      secondaryEvictionQps: opts.secondaryEvictionQps ?? 0.01,
      largeClusterThreshold: opts.largeClusterThreshold ?? 50,
      unhealthyZoneThreshold: opts.unhealthyZoneThreshold ?? 0.55,
    };
    this.nodesApi = client.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false });
    this.podsApi = client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true });
    this.recorder = new EventRecorder(client, { component: 'node-controller' }, opts.clock, this.log);
    const { nodes, pods } = opts.informers;
    this.podsByNode = new PodsByNode(pods);
    this.queue = new WorkQueue((key) => this.sync(key), { clock: opts.clock, workers: 2, log: (m) => this.log(`node lifecycle: ${m}`) });
    nodes.addHandlers({
      add: (n) => this.queue.add(n.metadata.name!),
      update: (_o, n) => this.queue.add(n.metadata.name!),
      delete: (n) => this.forget(n),
    });
    pods.addHandlers({
      add: (p) => this.podBound(undefined, p),
      update: (o, p) => this.podBound(o, p),
    });
    this.taintEviction = new TaintEvictionController(client, { nodes, pods, podsByNode: this.podsByNode, recorder: this.recorder, clock: opts.clock, log: this.log });
  }

  /** Runs until the signal aborts: the monitor loop, the taint queue and taint eviction. */
  async run(signal: AbortSignal): Promise<void> {
    const tick = () => {
      if (signal.aborted) return;
      void this.monitor().finally(() => {
        if (!signal.aborted) cancel = this.opts.clock.setTimer(tick, this.o.monitorPeriodMs);
      });
    };
    let cancel = () => {};
    void this.waitForSync().then(tick);
    signal.addEventListener('abort', () => cancel(), { once: true });
    await Promise.all([this.queue.run(signal), this.taintEviction.run(signal)]);
  }

  waitForSync(): Promise<void> {
    return this.opts.informers.waitForSync();
  }

  /** One health pass over every node (monitorNodeHealth), after any pass under way; exposed for tests. */
  monitor(): Promise<void> {
    this.pass = this.pass.then(() => this.monitorOnce());
    return this.pass;
  }

  private async monitorOnce(): Promise<void> {
    this.passing = true;
    try {
      await this.healthPass();
    } finally {
      this.passing = false;
    }
  }

  private async healthPass(): Promise<void> {
    const now = this.opts.clock.now();
    const current: KubeObject[] = [];
    for (const cached of this.opts.informers.nodes.list()) {
      const node = this.latest(cached);
      current.push(
        await this.checkHealth(node, now).catch((e: unknown) => {
          this.log(`node lifecycle: health of ${cached.metadata.name}: ${(e as Error).message}`);
          return node;
        }),
      );
    }
    this.updatePolicies(current, now);
    this.passing = false;
    for (const n of current) this.queue.add(n.metadata.name!);
  }

  private async checkHealth(node: KubeObject, now: number): Promise<KubeObject> {
    const name = node.metadata.name!;
    const saved = this.health.get(name);
    if (!saved) this.recorder.event(node, 'Normal', 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`);
    const lease = this.opts.informers.leases.get(NODE_LEASE_NAMESPACE, name);
    const hopts = { gracePeriodMs: this.o.gracePeriodMs, startupGracePeriodMs: this.o.startupGracePeriodMs };
    let res = checkNodeHealth(node, lease, saved, now, hopts);
    for (let attempt = 0; res.conditions; attempt++) {
      try {
        const next = { ...structuredClone(node), status: { ...((node.status as object) ?? {}), conditions: res.conditions } } as KubeObject;
        node = this.remember(await this.nodesApi.updateStatus('', next, { fieldManager: 'node-controller' }));
        break;
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 409) || attempt >= 2) throw e;
        const fresh = await this.nodesApi.find('', name);
        if (!fresh) return node;
        node = this.remember(fresh);
        res = checkNodeHealth(node, lease, saved, now, hopts);
      }
    }
    this.health.set(name, res.health);
    if (res.currentReady !== undefined) {
      const transitioned = res.currentReady !== 'True' && res.observedReady === 'True';
      if (transitioned) this.recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      if (transitioned || (this.retryPods.has(name) && res.observedReady !== 'True')) await this.markPodsNotReady(name, this.podsByNode.podsOn(name));
      else this.retryPods.delete(name);
    }
    return node;
  }

  /** handleDisruption: zone states, and on leaving total disruption a fresh grace period for all. */
  private updatePolicies(nodes: KubeObject[], now: number): void {
    this.policies = zonePolicies(nodes, this.o);
    const allFull = [...this.policies.values()].some((p) => p.clearAll);
    if (this.allFullyDisrupted && !allFull) {
      for (const h of this.health.values()) Object.assign(h, { probeTimestamp: now, readyTransitionTimestamp: now });
    }
    this.allFullyDisrupted = allFull;
  }

  /** Converges one node's taints (NoSchedule pass plus NoExecute, the latter rate limited). */
  private async sync(key: string): Promise<ReconcileResult> {
    if (key.startsWith('pod:')) return this.syncPod(key.slice(4));
    const node = this.latest(this.opts.informers.nodes.get('', key));
    if (!node) return;
    const policy = this.policies.get(zoneOf(node)) ?? { qps: this.o.evictionQps, clearAll: false };
    let mode: NoExecuteMode = policy.clearAll ? 'clear' : 'hold';
    let retryIn: number | undefined;
    // New NoExecute taints wait for the end of a health pass, when zone states are known (the
    // pass enqueues every node then), as upstream taints from monitorNodeHealth's results.
    if (mode === 'hold' && !this.passing && needsNoExecuteTaint(node)) {
      const wait = this.takeToken(zoneOf(node), policy.qps);
      if (wait === 0) mode = 'add';
      else retryIn = wait;
    }
    const plan = planNodeTaints(node, { mode, now: rfc3339(this.opts.clock.now()) });
    if (plan) {
      const patch = { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints: plan.taints } };
      this.remember(await this.nodesApi.patch('', key, 'merge', patch, { fieldManager: 'node-controller' }));
      // doNoExecuteTaintingPass marks the pods not Ready once a NoExecute taint is on.
      if (plan.added.some((t) => t.effect === 'NoExecute')) await this.markPodsNotReady(key, this.podsByNode.podsOn(key));
    }
    return retryIn !== undefined ? { requeueAfter: retryIn } : undefined;
  }

  /** A pod newly bound to a node that is not Ready is marked not Ready too (processPod). */
  private podBound(old: KubeObject | undefined, pod: KubeObject): void {
    const node = nodeNameOf(pod);
    if (!node || (old && nodeNameOf(old) === node)) return;
    const ready = this.health.get(node)?.ready?.status;
    if (ready !== undefined && ready !== 'True') this.queue.add(`pod:${objectKeyOf(pod)}`);
  }

  private async syncPod(key: string): Promise<void> {
    const [ns, name] = key.split('/') as [string, string];
    const pod = this.opts.informers.pods.get(ns, name);
    if (pod) await this.markPodsNotReady(nodeNameOf(pod), [pod]);
  }

  private async markPodsNotReady(node: string, pods: KubeObject[]): Promise<void> {
    let failed = false;
    const now = rfc3339(this.opts.clock.now());
    for (const pod of pods) {
      if (nodeNameOf(pod) !== node) continue;
      const next = podMarkedNotReady(pod, now);
      if (!next) continue;
      try {
        await this.podsApi.updateStatus(pod.metadata.namespace!, next, { fieldManager: 'node-controller' });
        this.recorder.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (e) {
        if (e instanceof ApiError && e.code === 404) continue;
        this.log(`node lifecycle: marking pod ${objectKeyOf(pod)} not ready: ${(e as Error).message}`);
        failed = true;
      }
    }
    if (failed) this.retryPods.add(node);
    else this.retryPods.delete(node);
  }

  /** A token from the zone's bucket (burst 1): 0 when granted, else ms until one is due. */
  private takeToken(zone: string, qps: number): number {
    if (qps <= 0) return this.o.monitorPeriodMs;
    const now = this.opts.clock.now();
    const b = this.buckets.get(zone) ?? { tokens: 1, last: now };
    b.tokens = Math.min(1, b.tokens + ((now - b.last) / 1000) * qps);
    b.last = now;
    this.buckets.set(zone, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - b.tokens) / qps) * 1000));
  }

  private forget(node: KubeObject): void {
    const name = node.metadata.name!;
    this.health.delete(name);
    this.written.delete(name);
    this.retryPods.delete(name);
    this.recorder.event(node, 'Normal', 'RemovingNode', `Node ${name} event: Removing Node ${name} from Controller`);
  }

  private remember(node: KubeObject): KubeObject {
    this.written.set(node.metadata.name!, node);
    return node;
  }

  /** The newer of the cached node and the one this controller last wrote. */
  private latest(cached: KubeObject): KubeObject;
  private latest(cached: KubeObject | undefined): KubeObject | undefined;
  private latest(cached: KubeObject | undefined): KubeObject | undefined {
    if (!cached) return undefined;
    const mine = this.written.get(cached.metadata.name!);
    if (!mine) return cached;
    if (rv(cached) >= rv(mine)) {
      this.written.delete(cached.metadata.name!);
      return cached;
    }
    return mine;
  }
}
