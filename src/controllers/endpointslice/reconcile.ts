// One sync of a Service's EndpointSlices (pkg/controller/endpointslice/endpointslice_controller.go
// syncService, reconciler.go reconcile): read the Service, its pods from the namespace index and
// its slices from the slice index, build the wanted endpoints per address type and port set,
// plan with plan.ts, write. Each pod's endpoint is computed once per change of the pod, its node's
// zone or the Service, and stored endpoints are described once per slice version, so a sync of a
// Service with thousands of pods costs map look-ups, and one changed pod rewrites one slice.
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { ResourceClient } from '../../client/client.ts';
import type { Informer } from '../../client/informer.ts';
import type { EventRecorder } from '../runtime/event-recorder.ts';
import type { ReconcileResult } from '../runtime/work-queue.ts';
import type { PodIndex, ServiceIndex, SliceIndex } from '../endpoints/indexes.ts';
import {
  addressTypesForService,
  MANAGED_BY_LABEL,
  podSpec,
  publishNotReady,
  selectorOf,
  shouldPodBeInEndpoints,
  svcSpec,
  type AddressType,
} from '../endpoints/pods.ts';
import { TriggerTimeTracker } from '../endpoints/trigger-time.ts';
import type { WriteTracker } from '../endpoints/write-tracker.ts';
import { endpointDigest, endpointId, endpointPorts, portMapKey, podToEndpoint, ZONE_LABEL, type Endpoint, type SlicePort } from './endpoint.ts';
import { describeSlice, planSlices, type DesiredEndpoint, type DesiredSet, type SliceDescription, type SlicePlan } from './plan.ts';

export interface SliceReconcilerDeps {
  api: ResourceClient;
  services: ServiceIndex;
  pods: PodIndex;
  nodes: Informer;
  slices: SliceIndex;
  tracker: WriteTracker;
  recorder: EventRecorder;
  controllerName: string;
  maxEndpointsPerSlice: number;
}

interface PodEndpoint extends DesiredEndpoint {
  /** The Service parameters and zone it was computed for. */
  sig: string;
  zone: string | undefined;
  portKey: string;
  ports: SlicePort[];
  /** The plan that last wanted it, and the plan that placed it. */
  wantedIn: number;
  placedIn: number;
}

/** What a sync needs of one pod object, computed once per object (pods are replaced on change). */
interface PodEntry {
  include: boolean;
  nodeName: string | undefined;
  IPv4?: PodEndpoint;
  IPv6?: PodEndpoint;
}

/**
 * The wanted endpoints of one port set in one plan, marked on the cached endpoints themselves:
 * a plan over thousands of unchanged pods builds no maps. `index` is the Service's id → endpoint
 * map for the address type, kept from plan to plan.
 */
class MarkedSet implements DesiredSet {
  readonly members: PodEndpoint[] = [];
  size = 0;
  private cursor = 0;

  constructor(
    readonly ports: SlicePort[],
    readonly key: string,
    private readonly index: Map<string, PodEndpoint>,
    private readonly plan: number,
  ) {}

  add(e: PodEndpoint): void {
    this.members.push(e);
    this.size++;
  }

  take(id: string): DesiredEndpoint | undefined {
    const e = this.index.get(id);
    if (!e || e.wantedIn !== this.plan || e.placedIn === this.plan || e.portKey !== this.key) return undefined;
    e.placedIn = this.plan;
    this.size--;
    return e;
  }

  pop(): DesiredEndpoint | undefined {
    while (this.cursor < this.members.length) {
      const e = this.members[this.cursor++]!;
      if (e.placedIn === this.plan) continue;
      e.placedIn = this.plan;
      this.size--;
      return e;
    }
    return undefined;
  }
}

const STALE_RETRY_MS = 1000;
const namespaceTerminating = (e: unknown) => e instanceof ApiError && (e.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');

export class EndpointSliceReconciler {
  private readonly triggers = new TriggerTimeTracker();
  private readonly podEntries = new WeakMap<KubeObject, PodEntry>();
  private readonly described = new WeakMap<KubeObject, SliceDescription>();
  // Per Service and address type: the parameters of the last plan (one string object while they
  // stay the same, so checking a pod's cached endpoint against them is a pointer comparison), and
  // endpoint id → the endpoint last wanted under that id.
  private readonly states = new Map<string, { sig: string; index: Map<string, PodEndpoint> }>();
  private plans = 0;

  constructor(private readonly deps: SliceReconcilerDeps) {}

  private describe = (slice: KubeObject): SliceDescription => {
    let d = this.described.get(slice);
    if (!d) this.described.set(slice, (d = describeSlice(slice)));
    return d;
  };

  private entryOf(pod: KubeObject): PodEntry {
    let e = this.podEntries.get(pod);
    if (!e) this.podEntries.set(pod, (e = { include: shouldPodBeInEndpoints(pod, true), nodeName: podSpec(pod).nodeName }));
    return e;
  }

  private endpointOf(entry: PodEntry, pod: KubeObject, svc: KubeObject, sig: string, addressType: AddressType, zone: string | undefined): PodEndpoint {
    let e = entry[addressType];
    if (!e || e.sig !== sig || e.zone !== zone) {
      const ep = podToEndpoint(pod, svc, addressType, zone);
      const ports = endpointPorts(svc, pod);
      e = { ep, id: endpointId(ep), digest: endpointDigest(ep), sig, zone, portKey: portMapKey(ports), ports, wantedIn: 0, placedIn: 0 };
      entry[addressType] = e;
    }
    return e;
  }

  /** The slices of a Service this controller manages and that are not being deleted. */
  managedSlices(key: string): KubeObject[] {
    return this.deps.slices.of(key).filter((s) => s.metadata.labels?.[MANAGED_BY_LABEL] === this.deps.controllerName && !s.metadata.deletionTimestamp);
  }

  /** The plan for a Service as the caches stand (exposed for tests and benchmarks). */
  plan(svc: KubeObject, key: string): SlicePlan {
    const { nodes } = this.deps;
    const ns = svc.metadata.namespace!;
    const pods = [...this.deps.services.selected(key)];
    const triggerTime = this.triggers.compute(key, svc, pods);
    const publish = publishNotReady(svc);
    const spec = svcSpec(svc);
    const base = `${svc.metadata.name}|${publish}|${JSON.stringify(spec.ports ?? [])}`;
    const types = addressTypesForService(svc);
    const existing = this.managedSlices(key);
    const out: SlicePlan = { create: [], update: [], delete: existing.filter((s) => !types.includes(s.addressType as AddressType)) };
    for (const addressType of types) {
      const stateKey = `${key}|${addressType}`;
      let state = this.states.get(stateKey);
      const current = `${addressType}|${base}`;
      if (!state) this.states.set(stateKey, (state = { sig: current, index: new Map() }));
      else if (state.sig !== current) state.sig = current;
      const { sig, index } = state;
      const plan = ++this.plans;
      const desired = new Map<string, MarkedSet>();
      let last: MarkedSet | undefined;
      let wanted = 0;
      for (const pod of pods) {
        const entry = this.entryOf(pod);
        if (!entry.include) continue;
        const node = entry.nodeName ? nodes.get('', entry.nodeName) : undefined;
        // A pod on a node that does not exist (yet) waits for it, unless not-ready addresses are
        // published anyway; the node's arrival syncs the Service again.
        if (!node && !publish) continue;
        const e = this.endpointOf(entry, pod, svc, sig, addressType, node?.metadata.labels?.[ZONE_LABEL] || undefined);
        if (e.ep.addresses.length === 0) continue;
        // Ids name the pod, so distinct pods never share one.
        if (index.get(e.id) !== e) index.set(e.id, e);
        e.wantedIn = plan;
        wanted++;
        let g = last?.key === e.portKey ? last : desired.get(e.portKey);
        if (!g) desired.set(e.portKey, (g = new MarkedSet(e.ports, e.portKey, index, plan)));
        g.add(e);
        last = g;
      }
      // Forget the endpoints no longer wanted.
      if (index.size > wanted) for (const [id, e] of index) if (e.wantedIn !== plan) index.delete(id);
      const p = planSlices({
        svc,
        addressType,
        desired,
        existing: existing.filter((s) => s.addressType === addressType),
        controllerName: this.deps.controllerName,
        maxEndpointsPerSlice: this.deps.maxEndpointsPerSlice,
        triggerTime,
        describe: this.describe,
      });
      out.create.push(...p.create);
      out.update.push(...p.update);
      out.delete.push(...p.delete);
    }
    return out;
  }

  async sync(key: string): Promise<ReconcileResult> {
    const [ns, name] = key.split('/') as [string, string];
    const svc = this.deps.services.informer.get(ns, name);
    if (!svc || svcSpec(svc).type === 'ExternalName' || !selectorOf(svc)) {
      this.states.delete(`${key}|IPv4`);
      this.states.delete(`${key}|IPv6`);
      // A deleted Service's slices go with it through their owner reference.
      if (!svc) {
        this.triggers.delete(key);
        this.deps.tracker.forget(key);
      }
      return;
    }
    if (this.deps.tracker.stale(key, ns)) return { requeueAfter: STALE_RETRY_MS };
    const plan = this.plan(svc, key);
    try {
      await this.execute(key, svc, plan);
    } catch (e) {
      if (namespaceTerminating(e)) return;
      this.deps.recorder.event(svc, 'Warning', 'FailedToUpdateEndpointSlices', `Error updating Endpoint Slices for Service ${key}: ${(e as Error).message}`);
      throw e;
    }
  }

  private async execute(key: string, svc: KubeObject, plan: SlicePlan): Promise<void> {
    const { api, tracker } = this.deps;
    const ns = svc.metadata.namespace!;
    const all = async (items: KubeObject[], write: (s: KubeObject) => Promise<void>) => {
      const results = await Promise.allSettled(items.map(write));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    };
    // No new slices for a Service being deleted: the garbage collector is removing them.
    if (!svc.metadata.deletionTimestamp) await all(plan.create, async (s) => tracker.wrote(key, await api.create(ns, s)));
    await all(plan.update, async (s) => tracker.wrote(key, await api.update(ns, s)));
    await all(plan.delete, async (s) => {
      await api.delete(ns, s.metadata.name!);
      tracker.deleted(key, s);
    });
  }
}
