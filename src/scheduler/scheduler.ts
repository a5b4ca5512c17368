// The scheduler loop (pkg/scheduler/scheduler.go, schedule_one.go, eventhandlers.go): informers
// on pods, nodes and namespaces feed the cache and the queue; one pod at a time is popped,
// placed by the framework, assumed in the cache and bound through pods/binding in the background
// (so the next cycle already sees the node as used). A pod that fits nowhere gets a
// FailedScheduling Warning event and PodScheduled=False/Unschedulable, and waits for its back-off
// or for a cluster change that may help.
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { ApiError } from '../api/errors.ts';
import type { KubeObject } from '../api/meta/types.ts';
import type { Client, ResourceClient } from '../client/client.ts';
import { Informer } from '../client/informer.ts';
import { EventRecorder, type EventType } from '../controllers/runtime/event-recorder.ts';
import { rfc3339, type Clock } from '../util/clock.ts';
import { SchedulerCache } from './cache.ts';
import { failedSchedulingMessage } from './fit-error.ts';
import { Framework, type VolumeHooks } from './framework.ts';
import { podInfo, type PodInfo } from './pod-info.ts';
import { SchedulingQueue, type QueuedPod } from './queue.ts';
import { DEFAULT_SCHEDULER, type Node, type Pod } from './types.ts';

/** What the scheduler needs of an event recorder (EventRecorder fits). */
export interface Recorder {
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
}

export interface SchedulerOptions extends VolumeHooks {
  client: Client;
  clock: Clock;
  log?: (msg: string) => void;
  /**
   * Runs after a node is chosen and before the binding, for pods with claims (the storage
   * plugin binds volumes here). Throwing fails the binding; the pod is retried after back-off.
   */
  volumePreBind?(pod: Pod, nodeName: string): Promise<void>;
  recorder?: Recorder;
  /** Pods whose spec.schedulerName is this (default `default-scheduler`, also for unset). */
  schedulerName?: string;
  /** 0 (default): upstream's adaptive percentage. */
  percentageOfNodesToScore?: number;
  rng?: () => number;
}

/** Event notes are capped as upstream's (1 KiB). */
const MAX_EVENT_MESSAGE = 1024;
const truncate = (m: string) => (m.length > MAX_EVENT_MESSAGE ? `${m.slice(0, MAX_EVENT_MESSAGE - 3)}...` : m);
/** Longest stretch of synchronous scheduling before informers and bindings get a turn. */
const SLICE_MS = 10;

const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export class Scheduler {
  readonly cache = new SchedulerCache();
  private readonly queue: SchedulingQueue;
  private readonly framework: Framework;
  private readonly pods: ResourceClient;
  private readonly podInformer: Informer;
  private readonly nodeInformer: Informer;
  private readonly nsInformer: Informer;
  private readonly recorder: Recorder;
  private readonly name: string;
  private readonly log: (msg: string) => void;
  private bindsInFlight = new Set<Promise<void>>();

  constructor(private readonly opts: SchedulerOptions) {
    const { client, clock } = opts;
    this.log = opts.log ?? (() => {});
    this.name = opts.schedulerName ?? DEFAULT_SCHEDULER;
    this.queue = new SchedulingQueue({ clock });
    this.framework = new Framework({ rng: opts.rng, percentageOfNodesToScore: opts.percentageOfNodesToScore, volumeFilter: opts.volumeFilter, volumePreFilter: opts.volumePreFilter });
    this.recorder = opts.recorder ?? new EventRecorder(client, { component: this.name }, clock, this.log);
    this.pods = client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true });
    this.podInformer = new Informer(this.pods, { clock, log: this.log });
    this.nodeInformer = new Informer(client.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false }), { clock, log: this.log });
    this.nsInformer = new Informer(client.resource({ apiVersion: 'v1', resource: 'namespaces', namespaced: false }), { clock, log: this.log });
    this.nodeInformer.addHandlers({
      add: (n) => this.onNode(undefined, n as Node),
      update: (o, n) => this.onNode(o as Node, n as Node),
      delete: (n) => this.cache.removeNode(n.metadata.name!),
    });
    this.nsInformer.addHandlers({
      add: (ns) => this.cache.setNamespace(ns.metadata.name!, ns.metadata.labels ?? {}),
      update: (_o, ns) => this.cache.setNamespace(ns.metadata.name!, ns.metadata.labels ?? {}),
      delete: (ns) => this.cache.setNamespace(ns.metadata.name!, undefined),
    });
    this.podInformer.addHandlers({
      add: (p) => this.onPod(undefined, p as Pod),
      update: (o, p) => this.onPod(o as Pod, p as Pod),
      delete: (p) => this.onPodDeleted(p as Pod),
    });
  }

  /** Resolves once pods, nodes and namespaces are listed into the cache. */
  async waitForSync(): Promise<void> {
    await Promise.all([this.podInformer.waitForSync(), this.nodeInformer.waitForSync(), this.nsInformer.waitForSync()]);
  }

  /**
   * A claim, volume or storage class changed: pods with claims waiting for back-off are retried
   * now (upstream's VolumeBinding cluster events).
   */
  retryPodsWithClaims(): void {
    this.queue.moveAll((pi) => pi.hasClaims);
  }

  /** Schedules until the signal aborts; resolves after in-flight bindings settle. */
  async run(signal: AbortSignal): Promise<void> {
    const informers = [this.podInformer.run(signal), this.nodeInformer.run(signal), this.nsInformer.run(signal)];
    await Promise.race([this.waitForSync(), new Promise((r) => signal.addEventListener('abort', r, { once: true }))]);
    let sliceStart = performance.now();
    while (!signal.aborted) {
      const qp = await this.queue.pop(signal);
      if (!qp) break;
      try {
        await this.scheduleOne(qp);
      } catch (e) {
        this.log(`scheduling ${qp.pi.key}: ${(e as Error).message}`);
        this.queue.failed(qp);
      }
      if (performance.now() - sliceStart > SLICE_MS) {
        await yieldToEvents();
        sliceStart = performance.now();
      }
    }
    await Promise.allSettled([...informers, ...this.bindsInFlight]);
  }

  private responsible(p: Pod): boolean {
    const spec = p.spec ?? {};
    return (spec.schedulerName || DEFAULT_SCHEDULER) === this.name && !spec.nodeName && !p.metadata.deletionTimestamp && !isTerminal(p) && !spec.schedulingGates?.length;
  }

  private onNode(old: Node | undefined, node: Node): void {
    this.cache.upsertNode(node);
    // Heartbeat-only status updates cannot make a pod fit; anything the filters read can.
    if (!old || !sameJson(old.spec, node.spec) || !sameJson(old.metadata.labels, node.metadata.labels) || !sameJson(old.status?.allocatable, node.status?.allocatable)) {
      this.queue.moveAll();
    }
  }

  private onPod(old: Pod | undefined, pod: Pod): void {
    const uid = pod.metadata.uid!;
    if (pod.spec?.nodeName) {
      this.queue.delete(uid);
      this.cache.setAssignedPod(pod);
      if (old?.spec?.nodeName && isTerminal(pod) && !isTerminal(old)) this.queue.moveAll();
      // A placed pod (or new labels on one) can satisfy waiting pods' pod affinity.
      else if (!old?.spec?.nodeName || !sameJson(old.metadata.labels, pod.metadata.labels)) this.queue.moveAll((pi) => pi.requiredAffinity.length > 0);
      return;
    }
    if (!this.responsible(pod)) return this.queue.delete(uid);
    // Assumed and being bound: this copy predates the binding (upstream's skipPodUpdate).
    if (this.cache.isAssumed(uid)) return;
    // Our own status writes (PodScheduled=False) must not retry the pod.
    if (old && this.queue.has(uid) && sameJson(old.spec, pod.spec) && sameJson(old.metadata.labels, pod.metadata.labels)) return;
    this.queue.add(podInfo(pod));
  }

  private onPodDeleted(pod: Pod): void {
    const uid = pod.metadata.uid!;
    this.queue.delete(uid);
    if (this.cache.removePod(uid)) this.queue.moveAll();
  }

  /** One cycle: re-check the pod is still ours, place it, then bind in the background. */
  private async scheduleOne(qp: QueuedPod): Promise<void> {
    const pi = qp.pi;
    const live = this.podInformer.get(pi.namespace, pi.pod.metadata.name!) as Pod | undefined;
    if (!live || live.metadata.uid !== pi.uid || !this.responsible(live) || this.cache.isAssumed(pi.uid)) return this.queue.done(pi.uid);
    const outcome = await this.framework.schedule(pi, this.cache);
    if ('diagnosis' in outcome) {
      this.queue.failed(qp);
      await this.recordFailure(pi, failedSchedulingMessage(pi, outcome.diagnosis), 'Unschedulable');
      return;
    }
    const nodeName = outcome.node.name;
    this.cache.assume(pi, nodeName);
    this.queue.done(pi.uid);
    const p = this.bind(qp, nodeName).finally(() => this.bindsInFlight.delete(p));
    this.bindsInFlight.add(p);
  }

  private async bind(qp: QueuedPod, nodeName: string): Promise<void> {
    const pi = qp.pi;
    const { namespace } = pi;
    const name = pi.pod.metadata.name!;
    let plugin = 'Bind plugin "DefaultBinder"';
    try {
      if (this.opts.volumePreBind && pi.hasClaims) {
        plugin = 'PreBind plugin "VolumeBinding"';
        await this.opts.volumePreBind(pi.pod, nodeName);
        plugin = 'Bind plugin "DefaultBinder"';
      }
      await this.pods.post(namespace, name, 'binding', {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace, uid: pi.uid },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      });
      this.recorder.event(pi.pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${nodeName}`);
    } catch (e) {
      this.cache.forget(pi.uid);
      // Gone, or already placed by someone else: the informer has or will have the truth.
      if (e instanceof ApiError && (e.code === 404 || e.code === 409)) return;
      this.log(`binding ${pi.key} to ${nodeName}: ${(e as Error).message}`);
      this.queue.failed(qp);
      this.queue.moveAll();
      await this.recordFailure(pi, `running ${plugin}: ${(e as Error).message}`, 'SchedulerError');
    }
  }

  /** FailedScheduling event, and PodScheduled=False on the pod when it says something new. */
  private async recordFailure(pi: PodInfo, message: string, reason: string): Promise<void> {
    this.recorder.event(pi.pod, 'Warning', 'FailedScheduling', truncate(message));
    const live = this.podInformer.get(pi.namespace, pi.pod.metadata.name!) as Pod | undefined;
    const current = live?.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (current && current.status === 'False' && current.reason === reason && current.message === message) return;
    const condition = { type: 'PodScheduled', status: 'False', reason, message, lastProbeTime: null, lastTransitionTime: rfc3339(this.opts.clock.now()) };
    try {
      await this.pods.patch(pi.namespace, pi.pod.metadata.name!, 'strategic', { status: { conditions: [condition] } }, { subresource: 'status' });
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) this.log(`updating ${pi.key} status: ${(e as Error).message}`);
    }
  }
}
