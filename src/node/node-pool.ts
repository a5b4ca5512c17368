// Runs a NodeAgent for every Node carrying SIMULATED_ANNOTATION (one pool per control plane).
// Built for thousands of nodes in one process: one Node informer and ONE pod informer shared by
// all agents with an index by spec.nodeName, one work queue of pod keys, one timer wheel for
// every deadline, one runtime. Agents start when their Node appears, stop when it is deleted or
// carries STOPPED_ANNOTATION, and resume when that annotation goes.
import type { PodDnsSettings } from './pod-sync.ts';
import { setMaxListeners } from 'node:events';
import type { KubeObject } from '../api/meta/types.ts';
import type { PersistentVolumeClaim } from '../api/storage/volume.ts';
import type { Client } from '../client/client.ts';
import { Informer, objectKeyOf } from '../client/informer.ts';
import { WorkQueue } from '../controllers/runtime/work-queue.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import { nodeIndexFromCidr, SIMULATED_ANNOTATION, STOPPED_ANNOTATION } from './contract.ts';
import { NodeAgent } from './node-agent.ts';
import { nextNodeIndex } from './node-object.ts';
import type { ContainerRuntime } from './runtime.ts';
import { SimulatedRuntime, type Range } from './simulated-runtime.ts';
import { TimerWheel } from './timer-wheel.ts';

export interface NodePoolOptions {
  client: Client;
  clock?: Clock;
  /** Default: a SimulatedRuntime on the pool's wheel with startDelayMs / pullDelayMs. */
  runtime?: ContainerRuntime;
  startDelayMs?: Range;
  pullDelayMs?: Range;
  leaseRenewMs?: number;
  statusReportMs?: number;
  /** Record kubelet events (default true). */
  events?: boolean;
  /** Cluster DNS settings pods' resolv.conf is formed from (kubelet --cluster-dns and --cluster-domain). */
  dns?: PodDnsSettings;
  /** Concurrent pod syncs (default 16). */
  workers?: number;
  /** Hold pods until their PersistentVolumeClaims are Bound, as a kubelet's volume manager (default true). */
  volumes?: boolean;
  /**
   * Which Nodes this pool runs agents for (default: those carrying SIMULATED_ANNOTATION, the
   * control plane's own). A remote agent process serves the nodes it joined with.
   */
  serves?: (node: KubeObject) => boolean;
  /** The client a node's agent writes with (default `client`): a remote agent's per-node credentials. */
  clientFor?: (nodeName: string) => Client;
  log?: (msg: string) => void;
}

export interface PoolStats {
  nodes: number;
  serving: number;
  pods: number;
  running: number;
  ready: number;
  timers: number;
}

const flag = (node: KubeObject, key: string) => {
  const v = node.metadata.annotations?.[key];
  return v !== undefined && v !== 'false';
};

export class NodePool {
  readonly clock: Clock;
  readonly wheel: TimerWheel;
  readonly runtime: ContainerRuntime;
  private readonly agents = new Map<string, NodeAgent>();
  /** Pod keys by spec.nodeName, and each key's node. */
  private readonly byNode = new Map<string, Set<string>>();
  private readonly nodeOf = new Map<string, string>();
  private readonly uidToKey = new Map<string, string>();
  private readonly nodeInformer: Informer;
  private readonly podInformer: Informer;
  /** Claims, watched only to hold pods whose volumes cannot mount yet. */
  private readonly claimInformer: Informer | undefined;
  /** Pod keys waiting for a claim (namespace/name) to become mountable. */
  private readonly waitingOnClaim = new Map<string, Set<string>>();
  private readonly queue: WorkQueue;
  private readonly log: (m: string) => void;
  private readonly abort = new AbortController();
  private running: Promise<unknown>[] = [];

  constructor(private readonly o: NodePoolOptions) {
    this.clock = o.clock ?? systemClock;
    this.log = o.log ?? (() => {});
    this.wheel = new TimerWheel(this.clock);
    this.runtime = o.runtime ?? new SimulatedRuntime({ clock: this.clock, wheel: this.wheel, startDelayMs: o.startDelayMs, pullDelayMs: o.pullDelayMs });
    this.nodeInformer = new Informer(o.client.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false }), { clock: this.clock, log: this.log });
    this.podInformer = new Informer(o.client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true }), { clock: this.clock, log: this.log });
    if (o.volumes !== false) this.claimInformer = new Informer(o.client.resource({ apiVersion: 'v1', resource: 'persistentvolumeclaims', namespaced: true }), { clock: this.clock, log: this.log });
    this.queue = new WorkQueue((key) => this.syncPod(key), { clock: this.clock, workers: o.workers ?? 16, log: this.log });
    this.runtime.onExit((c) => {
      const key = this.uidToKey.get(c.podUid);
      if (key) this.queue.add(key);
    });
    this.runtime.onProbeChange?.((uid) => {
      const key = this.uidToKey.get(uid);
      if (key) this.queue.add(key);
    });
  }

  /** Starts watching; resolves once nodes and pods are listed and agents for existing nodes run. */
  async start(): Promise<void> {
    const signal = this.abort.signal;
    // Both informers, their watches and the queue listen on this one signal.
    setMaxListeners(0, signal);
    this.podInformer.addHandlers({
      add: (p) => this.onPod(p),
      update: (_o, p) => this.onPod(p),
      delete: (p) => this.onPodGone(p),
    });
    this.nodeInformer.addHandlers({
      add: (n) => this.onNode(n),
      update: (_o, n) => this.onNode(n),
      delete: (n) => this.onNodeGone(n),
    });
    this.running.push(this.podInformer.run(signal), this.queue.run(signal));
    if (this.claimInformer) {
      const claimChanged = (c: KubeObject) => {
        const key = objectKeyOf(c);
        const waiting = this.waitingOnClaim.get(key);
        if (!waiting) return;
        this.waitingOnClaim.delete(key);
        for (const podKey of waiting) this.queue.add(podKey);
      };
      this.claimInformer.addHandlers({ add: claimChanged, update: (_o, c) => claimChanged(c), delete: claimChanged });
      this.running.push(this.claimInformer.run(signal));
      await this.claimInformer.waitForSync();
    }
    await this.podInformer.waitForSync();
    this.running.push(this.nodeInformer.run(signal));
    await this.nodeInformer.waitForSync();
  }

  async stop(): Promise<void> {
    for (const a of this.agents.values()) a.stop();
    this.abort.abort();
    this.wheel.clear();
    await Promise.allSettled(this.running);
  }

  agent(name: string): NodeAgent | undefined {
    return this.agents.get(name);
  }

  /** The pod as the shared informer has it. */
  pod(namespace: string, name: string): KubeObject | undefined {
    return this.podInformer.get(namespace, name);
  }

  /** Bound pods the shared informer has seen (on any node, served or not). */
  get observedPods(): number {
    return this.nodeOf.size;
  }

  podKeysOn(node: string): string[] {
    return [...(this.byNode.get(node) ?? [])];
  }

  stats(): PoolStats {
    let serving = 0;
    let pods = 0;
    let running = 0;
    let ready = 0;
    for (const a of this.agents.values()) {
      if (a.isServing) serving++;
      for (const t of a.pods.tracks.values()) {
        pods++;
        const cs = [...t.containers.values()].filter((c) => !c.init);
        if (cs.every((c) => c.current?.state === 'running')) running++;
        if (cs.every((c) => c.ready)) ready++;
      }
    }
    return { nodes: this.agents.size, serving, pods, running, ready, timers: this.wheel.size };
  }

  private onNode(node: KubeObject): void {
    const name = node.metadata.name!;
    let agent = this.agents.get(name);
    if (!(this.o.serves ? this.o.serves(node) : flag(node, SIMULATED_ANNOTATION))) {
      agent?.stop();
      return;
    }
    if (!agent) {
      const index = nodeIndexFromCidr((node.spec as { podCIDR?: string } | undefined)?.podCIDR) ?? this.freeIndex();
      agent = new NodeAgent(node, {
        client: this.o.clientFor?.(name) ?? this.o.client,
        clock: this.clock,
        wheel: this.wheel,
        runtime: this.runtime,
        index,
        enqueuePod: (key) => this.queue.add(key),
        volumesBlocked: this.claimInformer ? (pod, key) => this.volumesBlocked(pod, key) : undefined,
        leaseRenewMs: this.o.leaseRenewMs,
        statusReportMs: this.o.statusReportMs,
        events: this.o.events,
        dns: this.o.dns,
        log: this.log,
      });
      this.agents.set(name, agent);
    }
    agent.observe(node);
    const stopped = flag(node, STOPPED_ANNOTATION);
    if (stopped && agent.isServing) agent.stop();
    else if (!stopped && !agent.isServing) {
      const a = agent;
      void a.start().then(() => {
        for (const key of this.byNode.get(name) ?? []) this.queue.add(key);
      });
    }
  }

  private onNodeGone(node: KubeObject): void {
    // The agent object stays: its pods are still torn down when pod GC removes them.
    this.agents.get(node.metadata.name!)?.stop();
  }

  /** An index for a simulated Node created without a pod CIDR. */
  private freeIndex(): number {
    const taken = this.nodeInformer.list();
    const fromAgents = [...this.agents.values()].map((a) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: a.name }, spec: { podCIDR: a.cidr } }) as KubeObject);
    return nextNodeIndex([...taken, ...fromAgents]);
  }

  private onPod(pod: KubeObject): void {
    const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (!node) return;
    const key = objectKeyOf(pod);
    if (this.nodeOf.get(key) !== node) {
      this.unindex(key);
      this.nodeOf.set(key, node);
      let set = this.byNode.get(node);
      if (!set) this.byNode.set(node, (set = new Set()));
      set.add(key);
    }
    if (pod.metadata.uid) this.uidToKey.set(pod.metadata.uid, key);
    if (this.agents.get(node)?.isServing) this.queue.add(key);
  }

  private onPodGone(pod: KubeObject): void {
    const key = objectKeyOf(pod);
    const node = this.nodeOf.get(key);
    this.unindex(key);
    if (pod.metadata.uid) this.uidToKey.delete(pod.metadata.uid);
    // Whether or not the agent serves: the runtime forgets the pod (the informer cache is gone).
    if (node) this.agents.get(node)?.pods.forget(key);
  }

  private unindex(key: string): void {
    const node = this.nodeOf.get(key);
    if (node === undefined) return;
    this.nodeOf.delete(key);
    const set = this.byNode.get(node);
    set?.delete(key);
    if (set?.size === 0) this.byNode.delete(node);
  }

  /**
   * Why the pod's claims cannot mount (the kubelet volume manager's populator errors): a claim
   * missing, being deleted, or not Bound. The pod is re-synced when such a claim changes.
   */
  private volumesBlocked(pod: KubeObject, key: string): string | undefined {
    const ns = pod.metadata.namespace!;
    const vols = ((pod.spec as { volumes?: { name: string; persistentVolumeClaim?: { claimName: string }; ephemeral?: unknown }[] } | undefined)?.volumes ?? [])
      .filter((v) => v.persistentVolumeClaim || v.ephemeral)
      .map((v) => ({ volume: v.name, claim: v.persistentVolumeClaim?.claimName ?? `${pod.metadata.name}-${v.name}` }));
    for (const { volume, claim: name } of vols) {
      const pvc = this.claimInformer!.get(ns, name) as PersistentVolumeClaim | undefined;
      let err: string | undefined;
      if (!pvc) err = `error processing PVC ${ns}/${name}: failed to fetch PVC from API server: persistentvolumeclaims "${name}" not found`;
      else if (pvc.metadata.deletionTimestamp) err = `error processing PVC ${ns}/${name}: can't start pod because PVC ${ns}/${name} is being deleted`;
      else if (pvc.status?.phase !== 'Bound' || !pvc.spec?.volumeName) {
        err = `error processing PVC ${ns}/${name}: PVC ${ns}/${name} has non-bound phase ("${pvc.status?.phase ?? ''}") or empty pvc.Spec.VolumeName ("${pvc.spec?.volumeName ?? ''}")`;
      }
      if (err) {
        const claimKey = `${ns}/${name}`;
        let set = this.waitingOnClaim.get(claimKey);
        if (!set) this.waitingOnClaim.set(claimKey, (set = new Set()));
        set.add(key);
        return `Unable to attach or mount volumes: unmounted volumes=[${vols.map((v) => v.volume).join(' ')}], unattached volumes=[], failed to process volumes=[${volume}]: ${err}`;
      }
    }
    return undefined;
  }

  private async syncPod(key: string): Promise<void> {
    const node = this.nodeOf.get(key);
    const agent = node ? this.agents.get(node) : undefined;
    if (!agent?.isServing) return;
    const [namespace, name] = key.split('/') as [string, string];
    await agent.pods.sync(key, this.podInformer.get(namespace, name));
  }
}
