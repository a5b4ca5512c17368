// One sync of a Service's EndpointSlices (pkg/controller/endpointslice/endpointslice_controller.go
// syncService, reconciler.go reconcile): read the Service, its pods from the Service index and its
// slices from the slice index, build the wanted endpoints per address type and port set, plan
// with plan.ts, write.
//
// Two ways to build the wanted endpoints, with the same plan as the result:
// - a full pass over the Service's pods, each pod's endpoint computed once per pod object (and
//   Service parameters and node zone), wanted endpoints marked on those cached records;
// - after a full pass whose writes succeeded, while nothing but pods changed (no other writer on
//   the slices, no node zone change, same Service parameters), only the pods changed since: the
//   wanted set is kept from sync to sync, the slices holding a changed pod's endpoint are looked
//   at, every other slice is known to be as it should. A change to one pod of a Service with
//   thousands of pods then costs about one slice's worth of work.
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
import { endpointDigest, endpointId, endpointPorts, portMapKey, podToEndpoint, ZONE_LABEL, type SlicePort } from './endpoint.ts';
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
  /** The last full pass that wanted it; the plan that placed it; the plan that has it to place. */
  wantedIn: number;
  placedIn: number;
  newIn: number;
}

/** What a sync needs of one pod object, computed once per object (pods are replaced on change). */
interface PodEntry {
  include: boolean;
  nodeName: string | undefined;
  IPv4?: PodEndpoint;
  IPv6?: PodEndpoint;
}

/** The wanted endpoints of a Service for one address type, kept from sync to sync. */
interface TypeState {
  /** The Service parameters (one string object while they stay the same). */
  sig: string;
  /** Endpoint id → the endpoint wanted under it (ids name the pod: distinct pods never share one). */
  index: Map<string, PodEndpoint>;
  /** Pod name → the endpoint it contributes. */
  byPod: Map<string, PodEndpoint>;
  /** Port set key → its ports and how many wanted endpoints have it. */
  portSets: Map<string, { ports: SlicePort[]; count: number }>;
}

interface ServiceState {
  types: Map<AddressType, TypeState>;
  /** Pods changed since the last plan. */
  changed: Set<string>;
  /** The slices are as the last plan left them: the next plan may look at changed pods only. */
  settled: boolean;
  /** Counts unsettle() calls, to tell whether one came while a plan was being written. */
  unsettled: number;
}

/** Past this many changed pods a full pass is as cheap. */
const MAX_CHANGES = 500;

/**
 * The wanted endpoints of one port set in one plan. Wanted means being the index's endpoint for
 * its id; `fresh` are those no stored slice holds, which placement draws from.
 */
class WantedSet implements DesiredSet {
  size: number;
  private cursor = 0;

  constructor(
    readonly ports: SlicePort[],
    readonly key: string,
    private readonly index: Map<string, PodEndpoint>,
    private readonly plan: number,
    private readonly fresh: PodEndpoint[],
  ) {
    this.size = fresh.length;
  }

  take(id: string): DesiredEndpoint | undefined {
    const e = this.index.get(id);
    if (!e || e.placedIn === this.plan || e.portKey !== this.key) return undefined;
    e.placedIn = this.plan;
    if (e.newIn === this.plan) this.size--;
    return e;
  }

  pop(): DesiredEndpoint | undefined {
    while (this.cursor < this.fresh.length) {
      const e = this.fresh[this.cursor++]!;
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
  private readonly idSets = new WeakMap<KubeObject, Set<string>>();
  private readonly services = new Map<string, ServiceState>();
  private plans = 0;

  constructor(private readonly deps: SliceReconcilerDeps) {}

  /** A pod of the Service changed (the controller's pod handlers tell). */
  podChanged(key: string, pod: string): void {
    this.services.get(key)?.changed.add(pod);
  }

  /** Something besides its pods changed (a node's zone, a slice by another writer): a full pass next. */
  unsettle(key: string): void {
    const st = this.services.get(key);
    if (st) {
      st.settled = false;
      st.unsettled++;
    }
  }

  private describe = (slice: KubeObject): SliceDescription => {
    let d = this.described.get(slice);
    if (!d) this.described.set(slice, (d = describeSlice(slice)));
    return d;
  };

  private idsOf(slice: KubeObject): Set<string> {
    let ids = this.idSets.get(slice);
    if (!ids) this.idSets.set(slice, (ids = new Set(this.describe(slice).ids)));
    return ids;
  }

  private entryOf(pod: KubeObject): PodEntry {
    let e = this.podEntries.get(pod);
    if (!e) this.podEntries.set(pod, (e = { include: shouldPodBeInEndpoints(pod, true), nodeName: podSpec(pod).nodeName }));
    return e;
  }

  /** The pod's endpoint for this Service and address type; undefined when it has none. */
  private endpointOf(pod: KubeObject, svc: KubeObject, sig: string, addressType: AddressType, publish: boolean): PodEndpoint | undefined {
    const entry = this.entryOf(pod);
    if (!entry.include) return undefined;
    const node = entry.nodeName ? this.deps.nodes.get('', entry.nodeName) : undefined;
    // A pod on a node that does not exist (yet) waits for it, unless not-ready addresses are
    // published anyway; the node's arrival syncs the Service again.
    if (!node && !publish) return undefined;
    const zone = node?.metadata.labels?.[ZONE_LABEL] || undefined;
    let e = entry[addressType];
    if (!e || e.sig !== sig || e.zone !== zone) {
      const ep = podToEndpoint(pod, svc, addressType, zone);
      const ports = endpointPorts(svc, pod);
      e = { ep, id: endpointId(ep), digest: endpointDigest(ep), sig, zone, portKey: portMapKey(ports), ports, wantedIn: 0, placedIn: 0, newIn: 0 };
      entry[addressType] = e;
    }
    return e.ep.addresses.length ? e : undefined;
  }

  /** The slices of a Service this controller manages and that are not being deleted. */
  managedSlices(key: string): KubeObject[] {
    return this.deps.slices.of(key).filter((s) => s.metadata.labels?.[MANAGED_BY_LABEL] === this.deps.controllerName && !s.metadata.deletionTimestamp);
  }

  /**
   * The plan for a Service as the caches stand. `full` forces a pass over all its pods (tests
   * compare both ways); without it, a settled Service is planned from its changed pods.
   */
  plan(svc: KubeObject, key: string, opts: { full?: boolean } = {}): SlicePlan {
    let st = this.services.get(key);
    if (!st) this.services.set(key, (st = { types: new Map(), changed: new Set(), settled: false, unsettled: 0 }));
    const publish = publishNotReady(svc);
    const base = `${svc.metadata.name}|${publish}|${JSON.stringify(svcSpec(svc).ports ?? [])}`;
    const types = addressTypesForService(svc);
    const existing = this.managedSlices(key);
    const incremental =
      !opts.full &&
      st.settled &&
      st.changed.size <= MAX_CHANGES &&
      st.types.size === types.length &&
      types.every((t) => st.types.get(t)?.sig === `${t}|${base}`);
    const changes: [string, KubeObject | undefined][] = incremental ? [...st.changed].map((name) => [name, this.deps.services.member(key, name)]) : [];
    const pods = incremental ? [] : [...this.deps.services.selected(key)];
    st.changed.clear();
    st.settled = false;
    const triggerTime = incremental ? this.triggers.computeChanges(key, svc, changes) : this.triggers.compute(key, svc, pods);

    const out: SlicePlan = { create: [], update: [], delete: existing.filter((s) => !types.includes(s.addressType as AddressType)) };
    for (const t of [...st.types.keys()]) if (!types.includes(t)) st.types.delete(t);
    for (const addressType of types) {
      let ts = st.types.get(addressType);
      const sig = `${addressType}|${base}`;
      if (!ts) st.types.set(addressType, (ts = { sig, index: new Map(), byPod: new Map(), portSets: new Map() }));
      else if (ts.sig !== sig) ts.sig = sig;
      const plan = ++this.plans;
      const slices = existing.filter((s) => s.addressType === addressType);
      const { desired, unaffected } = incremental
        ? this.changedPass(ts, changes, svc, publish, addressType, slices, plan)
        : this.fullPass(ts, pods, svc, publish, addressType, plan);
      const p = planSlices({
        svc,
        addressType,
        desired,
        existing: slices,
        controllerName: this.deps.controllerName,
        maxEndpointsPerSlice: this.deps.maxEndpointsPerSlice,
        triggerTime,
        describe: this.describe,
        unaffected,
      });
      out.create.push(...p.create);
      out.update.push(...p.update);
      out.delete.push(...p.delete);
    }
    return out;
  }

  private fullPass(ts: TypeState, pods: KubeObject[], svc: KubeObject, publish: boolean, addressType: AddressType, plan: number) {
    const { index, byPod, portSets } = ts;
    byPod.clear();
    portSets.clear();
    const fresh = new Map<string, PodEndpoint[]>();
    let wanted = 0;
    for (const pod of pods) {
      const e = this.endpointOf(pod, svc, ts.sig, addressType, publish);
      if (!e) continue;
      if (index.get(e.id) !== e) index.set(e.id, e);
      byPod.set(pod.metadata.name!, e);
      e.wantedIn = plan;
      e.newIn = plan;
      wanted++;
      const set = portSets.get(e.portKey);
      if (set) set.count++;
      else portSets.set(e.portKey, { ports: e.ports, count: 1 });
      const list = fresh.get(e.portKey);
      if (list) list.push(e);
      else fresh.set(e.portKey, [e]);
    }
    // Forget the endpoints no longer wanted.
    if (index.size > wanted) for (const [id, e] of index) if (e.wantedIn !== plan) index.delete(id);
    const desired = new Map<string, DesiredSet>();
    for (const [k, list] of fresh) desired.set(k, new WantedSet(list[0]!.ports, k, index, plan, list));
    return { desired, unaffected: undefined };
  }

  private changedPass(
    ts: TypeState,
    changes: [string, KubeObject | undefined][],
    svc: KubeObject,
    publish: boolean,
    addressType: AddressType,
    slices: KubeObject[],
    plan: number,
  ) {
    const { index, byPod, portSets } = ts;
    const touched = new Set<string>();
    const added: PodEndpoint[] = [];
    const count = (e: PodEndpoint, by: number) => {
      const set = portSets.get(e.portKey);
      if (set) {
        set.count += by;
        if (set.count === 0) portSets.delete(e.portKey);
      } else portSets.set(e.portKey, { ports: e.ports, count: by });
    };
    for (const [name, pod] of changes) {
      const before = byPod.get(name);
      const after = pod ? this.endpointOf(pod, svc, ts.sig, addressType, publish) : undefined;
      if (before === after) continue;
      if (before) {
        touched.add(before.id);
        if (index.get(before.id) === before) index.delete(before.id);
        byPod.delete(name);
        count(before, -1);
      }
      if (after) {
        touched.add(after.id);
        index.set(after.id, after);
        byPod.set(name, after);
        count(after, 1);
        added.push(after);
      }
    }
    // Only the slices holding a changed endpoint need looking at; the new endpoints no slice
    // holds are the ones to place.
    const unaffected = new Set<KubeObject>();
    const held = new Set<string>();
    for (const s of slices) {
      const ids = this.idsOf(s);
      let hit = false;
      for (const id of touched) {
        if (ids.has(id)) {
          hit = true;
          held.add(id);
        }
      }
      if (!hit) unaffected.add(s);
    }
    const fresh = new Map<string, PodEndpoint[]>();
    for (const e of added) {
      if (held.has(e.id) || index.get(e.id) !== e) continue;
      e.newIn = plan;
      const list = fresh.get(e.portKey);
      if (list) list.push(e);
      else fresh.set(e.portKey, [e]);
    }
    const desired = new Map<string, DesiredSet>();
    for (const [k, { ports }] of portSets) desired.set(k, new WantedSet(ports, k, index, plan, fresh.get(k) ?? []));
    return { desired, unaffected };
  }

  async sync(key: string): Promise<ReconcileResult> {
    const [ns, name] = key.split('/') as [string, string];
    const svc = this.deps.services.informer.get(ns, name);
    if (!svc || svcSpec(svc).type === 'ExternalName' || !selectorOf(svc)) {
      this.services.delete(key);
      // A deleted Service's slices go with it through their owner reference.
      if (!svc) {
        this.triggers.delete(key);
        this.deps.tracker.forget(key);
      }
      return;
    }
    if (this.deps.tracker.stale(key, ns)) return { requeueAfter: STALE_RETRY_MS };
    const plan = this.plan(svc, key);
    const st = this.services.get(key)!;
    const mark = st.unsettled;
    try {
      await this.execute(key, svc, plan);
      // The slices are now as planned, unless something else changed them meanwhile (or the
      // creates were skipped for a Service being deleted).
      if (st.unsettled === mark && this.services.get(key) === st && !(svc.metadata.deletionTimestamp && plan.create.length)) st.settled = true;
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
