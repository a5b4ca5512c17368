// One simulated kubelet: registers its Node's status (pkg/kubelet/kubelet_node_status.go),
// renews its Lease in kube-node-lease (pkg/kubelet/nodelease, component-helpers lease
// controller) and runs the pods bound to it through PodSync. Stopping an agent models a crashed
// kubelet: heartbeats and pod updates stop, containers keep running in the runtime.
import { createHash, randomUUID } from 'node:crypto';
import { ApiError } from '../api/errors.ts';
import type { KubeObject } from '../api/meta/types.ts';
import { GIT_VERSION } from '../apiserver/version.ts';
import type { Client, ResourceClient } from '../client/client.ts';
import { EventRecorder } from '../controllers/runtime/event-recorder.ts';
import type { Clock } from '../util/clock.ts';
import { LEASE_DURATION_SECONDS, LEASE_RENEW_INTERVAL_MS, NODE_LEASE_NAMESPACE, nodeIpFor, podCidrFor } from './contract.ts';
import { IpAllocator } from './ip-allocator.ts';
import { kubeletLabels } from './node-object.ts';
import { buildNodeStatus, nodeStatusStale } from './node-status.ts';
import { PodSync, type PodDnsSettings } from './pod-sync.ts';
import type { ContainerRuntime } from './runtime.ts';
import type { TimerWheel } from './timer-wheel.ts';

export interface NodeAgentOptions {
  client: Client;
  clock: Clock;
  wheel: TimerWheel;
  runtime: ContainerRuntime;
  /** Pod CIDR index: the node's podCIDR and InternalIP derive from it. */
  index: number;
  enqueuePod(key: string): void;
  /** See PodSyncDeps.volumesBlocked. */
  volumesBlocked?(pod: KubeObject, key: string): string | undefined;
  leaseRenewMs?: number;
  /** Full status re-posted this often when nothing changed (kubelet nodeStatusReportFrequency, 5 min). */
  statusReportMs?: number;
  events?: boolean;
  /** See PodSyncDeps.dns. */
  dns?: PodDnsSettings;
  log?: (msg: string) => void;
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * A node's fixed offset within the renew interval, so 5,000 leases do not renew at once. Offsets
 * fall on 100 ms slots: renewals due together run in one wake-up, which costs far less CPU than
 * a wake-up each.
 */
export function renewOffsetMs(name: string, intervalMs: number, slotMs = 500): number {
  const slots = Math.max(1, Math.floor(intervalMs / slotMs));
  return (createHash('sha1').update(name).digest().readUInt32BE(0) % slots) * slotMs;
}

export class NodeAgent {
  readonly name: string;
  readonly ip: string;
  readonly cidr: string;
  readonly pods: PodSync;
  private node: KubeObject;
  private serving = false;
  private started = false;
  private cancelLease?: () => void;
  private cancelReport?: () => void;
  private lease?: KubeObject;
  private posting = false;
  private renewing = false;
  private readonly bootId = randomUUID();
  private readonly nodes: ResourceClient;
  private readonly leases: ResourceClient;
  private readonly recorder?: EventRecorder;
  private readonly log: (m: string) => void;

  constructor(
    node: KubeObject,
    private readonly o: NodeAgentOptions,
  ) {
    this.node = node;
    this.name = node.metadata.name!;
    this.ip = nodeIpFor(o.index);
    this.cidr = podCidrFor(o.index);
    this.log = o.log ?? (() => {});
    this.nodes = o.client.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false });
    this.leases = o.client.resource({ apiVersion: 'coordination.k8s.io/v1', resource: 'leases', namespaced: true });
    if (o.events !== false) this.recorder = new EventRecorder(o.client, { component: 'kubelet', host: this.name }, o.clock, this.log);
    this.pods = new PodSync({
      nodeName: this.name,
      hostIP: this.ip,
      podCIDR: this.cidr,
      ips: new IpAllocator(this.cidr),
      runtime: o.runtime,
      pods: o.client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true }),
      clock: o.clock,
      wheel: o.wheel,
      recorder: this.recorder,
      enqueue: o.enqueuePod,
      volumesBlocked: o.volumesBlocked,
      dns: o.dns,
      log: this.log,
    });
  }

  get isServing(): boolean {
    return this.serving;
  }

  /** The newest Node object seen; re-posts status at once when someone else made it stale. */
  observe(node: KubeObject): void {
    this.node = node;
    if (this.serving && nodeStatusStale(node)) void this.postStatus();
  }

  /** Starts (or resumes) heartbeats: labels and pod CIDR, status, lease, then periodic renewals. */
  async start(): Promise<void> {
    if (this.serving) return;
    this.serving = true;
    const first = !this.started;
    this.started = true;
    await this.register();
    await this.postStatus();
    await this.renewLease();
    this.scheduleLease();
    this.scheduleReport();
    if (first) this.recordStartEvents();
  }

  /** Stops heartbeats and pod updates; the Node, its Lease and pods stay as they are. */
  stop(): void {
    this.serving = false;
    this.cancelLease?.();
    this.cancelReport?.();
    this.cancelLease = this.cancelReport = undefined;
  }

  /** Labels a kubelet sets and the pod CIDR, when the Node lacks them. */
  private async register(): Promise<void> {
    const labels = this.node.metadata.labels ?? {};
    const missing = Object.fromEntries(Object.entries(kubeletLabels(this.name)).filter(([k]) => labels[k] === undefined));
    const spec = (this.node.spec ?? {}) as { podCIDR?: string };
    const patch: Record<string, unknown> = {};
    if (Object.keys(missing).length) patch.metadata = { labels: missing };
    if (!spec.podCIDR) patch.spec = { podCIDR: this.cidr, podCIDRs: [this.cidr] };
    if (!Object.keys(patch).length) return;
    try {
      this.node = await this.nodes.patch('', this.name, 'merge', patch);
    } catch (e) {
      this.log(`register node ${this.name}: ${(e as Error).message}`);
    }
  }

  private async postStatus(): Promise<void> {
    if (this.posting || !this.serving) return;
    this.posting = true;
    try {
      const status = buildNodeStatus({ node: this.node, ip: this.ip, now: this.o.clock.now(), kubeletVersion: GIT_VERSION, runtimeVersion: this.o.runtime.version, bootId: this.bootId });
      this.node = await this.nodes.patch('', this.name, 'merge', { status }, { subresource: 'status' });
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) this.log(`node status ${this.name}: ${(e as Error).message}`);
    } finally {
      this.posting = false;
    }
  }

  /** Renews the Lease; a renewal still in flight (a loaded server) makes this one a no-op. */
  private async renewLease(): Promise<void> {
    if (!this.serving || this.renewing) return;
    this.renewing = true;
    try {
      await this.writeLease();
    } finally {
      this.renewing = false;
    }
  }

  private async writeLease(): Promise<void> {
    const now = microTime(this.o.clock.now());
    const spec = { holderIdentity: this.name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: now };
    try {
      if (this.lease) {
        this.lease = await this.leases.update(NODE_LEASE_NAMESPACE, { ...this.lease, spec: { ...(this.lease.spec as object), ...spec } });
        return;
      }
    } catch (e) {
      if (!(e instanceof ApiError && (e.code === 409 || e.code === 404))) {
        this.log(`lease ${this.name}: ${(e as Error).message}`);
        return;
      }
    }
    try {
      const existing = await this.leases.find(NODE_LEASE_NAMESPACE, this.name);
      if (existing) {
        this.lease = await this.leases.update(NODE_LEASE_NAMESPACE, { ...existing, spec: { ...(existing.spec as object), ...spec } });
        return;
      }
      this.lease = await this.leases.create(NODE_LEASE_NAMESPACE, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          name: this.name,
          namespace: NODE_LEASE_NAMESPACE,
          ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.name, uid: this.node.metadata.uid! }],
        },
        spec: { ...spec, acquireTime: now },
      });
    } catch (e) {
      this.lease = undefined;
      this.log(`lease ${this.name}: ${(e as Error).message}`);
    }
  }

  private scheduleLease(): void {
    const every = this.o.leaseRenewMs ?? LEASE_RENEW_INTERVAL_MS;
    const now = this.o.clock.now();
    // The next slot of this node's phase within the interval.
    const offset = renewOffsetMs(this.name, every);
    let at = Math.floor(now / every) * every + offset;
    if (at <= now) at += every;
    const tick = (t: number) => {
      this.cancelLease = this.o.wheel.at(t, () => {
        void this.renewLease();
        if (this.serving) tick(t + every);
      });
    };
    tick(at);
  }

  private scheduleReport(): void {
    const every = this.o.statusReportMs ?? 5 * 60_000;
    const tick = () => {
      this.cancelReport = this.o.wheel.after(every, () => {
        void this.postStatus();
        if (this.serving) tick();
      });
    };
    tick();
  }

  /** The events a kubelet records about its node when it starts. */
  private recordStartEvents(): void {
    const r = this.recorder;
    if (!r) return;
    // The kubelet names its node by name in events (involvedObject.uid is the node name).
    const ref: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: this.name, uid: this.name } };
    r.event(ref, 'Normal', 'Starting', 'Starting kubelet.');
    for (const s of ['NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID']) r.event(ref, 'Normal', s, `Node ${this.name} status is now: ${s}`);
    r.event(ref, 'Normal', 'NodeAllocatableEnforced', 'Updated Node Allocatable limit across pods');
    r.event(ref, 'Normal', 'NodeReady', `Node ${this.name} status is now: NodeReady`);
  }
}
