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
import { planSlices, type DesiredEndpoint, type DesiredGroup, type SlicePlan } from './plan.ts';

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
  zone: string | undefined;
  portKey: string;
  ports: SlicePort[];
}

const STALE_RETRY_MS = 1000;
const namespaceTerminating = (e: unknown) => e instanceof ApiError && (e.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');

export class EndpointSliceReconciler {
  private readonly triggers = new TriggerTimeTracker();
  // Per pod, its endpoint under each set of Service parameters it was computed for.
  private readonly podEndpoints = new WeakMap<KubeObject, Map<string, PodEndpoint>>();
  private readonly described = new WeakMap<Endpoint, { id: string; digest: string }>();

  constructor(private readonly deps: SliceReconcilerDeps) {}

  private describe = (ep: Endpoint): { id: string; digest: string } => {
    let d = this.described.get(ep);
    if (!d) this.described.set(ep, (d = { id: endpointId(ep), digest: endpointDigest(ep) }));
    return d;
  };

  private endpointOf(pod: KubeObject, svc: KubeObject, sig: string, addressType: AddressType, zone: string | undefined): PodEndpoint {
    let bySig = this.podEndpoints.get(pod);
    if (!bySig) this.podEndpoints.set(pod, (bySig = new Map()));
    let e = bySig.get(sig);
    if (!e || e.zone !== zone) {
      const ep = podToEndpoint(pod, svc, addressType, zone);
      const ports = endpointPorts(svc, pod);
      e = { ep, id: endpointId(ep), digest: endpointDigest(ep), zone, portKey: portMapKey(ports), ports };
      // The same object is what a written slice holds until the informer returns its copy.
      this.described.set(ep, { id: e.id, digest: e.digest });
      if (bySig.size > 4) bySig.clear();
      bySig.set(sig, e);
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
    const pods = this.deps.pods.selected(ns, selectorOf(svc)!);
    const triggerTime = this.triggers.compute(key, svc, pods);
    const publish = publishNotReady(svc);
    const spec = svcSpec(svc);
    const base = `${svc.metadata.name}|${publish}|${JSON.stringify(spec.ports ?? [])}`;
    const types = addressTypesForService(svc);
    const existing = this.managedSlices(key);
    const out: SlicePlan = { create: [], update: [], delete: existing.filter((s) => !types.includes(s.addressType as AddressType)) };
    for (const addressType of types) {
      const sig = `${addressType}|${base}`;
      const desired = new Map<string, DesiredGroup>();
      for (const pod of pods) {
        if (!shouldPodBeInEndpoints(pod, true)) continue;
        const nodeName = podSpec(pod).nodeName;
        const node = nodeName ? nodes.get('', nodeName) : undefined;
        // A pod on a node that does not exist (yet) waits for it, unless not-ready addresses are
        // published anyway; the node's arrival syncs the Service again.
        if (!node && !publish) continue;
        const e = this.endpointOf(pod, svc, sig, addressType, node?.metadata.labels?.[ZONE_LABEL] || undefined);
        if (e.ep.addresses.length === 0) continue;
        let g = desired.get(e.portKey);
        if (!g) desired.set(e.portKey, (g = { ports: e.ports, endpoints: new Map() }));
        g.endpoints.set(e.id, e);
      }
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
    if (!svc) {
      // The slices go with the Service through their owner reference.
      this.triggers.delete(key);
      this.deps.tracker.forget(key);
      return;
    }
    if (svcSpec(svc).type === 'ExternalName' || !selectorOf(svc)) return;
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
