// The EndpointSlice mirroring controller (pkg/controller/endpointslicemirroring): Endpoints
// written by users for Services without a selector are mirrored into EndpointSlices managed by
// `endpointslicemirroring-controller.k8s.io`, so slice readers (cluster DNS) see them. Keys are
// the Endpoints' `namespace/name`; Endpoints, Service and mirrored-slice events queue them. The
// mirrored slices go when the Endpoints or the Service go, when the Service gains a selector,
// or when the Endpoints opt out with `endpointslice.kubernetes.io/skip-mirror: "true"`.
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { Client, ResourceClient } from '../../client/client.ts';
import { objectKeyOf, type Informer } from '../../client/informer.ts';
import type { Clock } from '../../util/clock.ts';
import { type ServiceIndex, type SliceIndex } from '../endpoints/indexes.ts';
import { MANAGED_BY_LABEL, selectorOf } from '../endpoints/pods.ts';
import { routeManagedSliceEvents } from '../endpoints/slice-events.ts';
import { WriteTracker } from '../endpoints/write-tracker.ts';
import { MIRRORING_CONTROLLER } from '../endpointslice/endpoint.ts';
import { EventRecorder } from '../runtime/event-recorder.ts';
import { WorkQueue, type ReconcileResult } from '../runtime/work-queue.ts';
import { MAX_ENDPOINTS_PER_SUBSET, planMirroring, shouldMirror } from './plan.ts';

export interface MirroringControllerOptions {
  clock: Clock;
  services: ServiceIndex;
  endpoints: Informer;
  slices: SliceIndex;
  /** Endpoints synced at once (upstream --mirroring-concurrent-service-endpoint-syncs, default 5). */
  workers?: number;
  log?: (m: string) => void;
}

const STALE_RETRY_MS = 1000;

export class EndpointSliceMirroringController {
  private readonly queue: WorkQueue;
  private readonly api: ResourceClient;
  private readonly tracker: WriteTracker;
  private readonly recorder: EventRecorder;

  constructor(
    client: Client,
    private readonly opts: MirroringControllerOptions,
  ) {
    const log = opts.log ?? (() => {});
    this.api = client.resource({ apiVersion: 'discovery.k8s.io/v1', resource: 'endpointslices', namespaced: true });
    this.tracker = new WriteTracker(opts.slices.informer, opts.clock);
    this.recorder = new EventRecorder(client, { component: 'endpoint-slice-mirroring-controller' }, opts.clock, log);
    this.queue = new WorkQueue((key) => this.sync(key), { clock: opts.clock, workers: opts.workers ?? 5, log: (m) => log(`endpointslice-mirroring: ${m}`) });
    this.wire();
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.queue.run(signal);
  }

  waitForSync(): Promise<void> {
    return Promise.all([this.opts.services.informer.waitForSync(), this.opts.endpoints.waitForSync(), this.opts.slices.informer.waitForSync()]).then(() => undefined);
  }

  private wire(): void {
    const { services, endpoints, slices } = this.opts;
    const add = (o: KubeObject) => this.queue.add(objectKeyOf(o));
    endpoints.addHandlers({ add, update: (_o, e) => add(e), delete: add });
    services.informer.addHandlers({
      add,
      // Only gaining or losing the selector changes whether the Endpoints are mirrored.
      update: (old, s) => {
        if ((selectorOf(old) === undefined) !== (selectorOf(s) === undefined)) add(s);
      },
      delete: add,
    });
    routeManagedSliceEvents(slices.informer, MIRRORING_CONTROLLER, this.tracker, (key) => this.queue.add(key));
  }

  private mirrored(key: string): KubeObject[] {
    return this.opts.slices.of(key).filter((s) => s.metadata.labels?.[MANAGED_BY_LABEL] === MIRRORING_CONTROLLER);
  }

  private async sync(key: string): Promise<ReconcileResult> {
    await this.waitForSync();
    const [ns, name] = key.split('/') as [string, string];
    const endpoints = this.opts.endpoints.get(ns, name);
    const svc = this.opts.services.informer.get(ns, name);
    if (!endpoints || !shouldMirror(endpoints) || !svc || selectorOf(svc)) return this.deleteMirrored(key, ns);
    if (this.tracker.stale(key, ns)) return { requeueAfter: STALE_RETRY_MS };
    const plan = planMirroring(endpoints, this.mirrored(key).filter((s) => !s.metadata.deletionTimestamp));
    if (plan.invalid > 0) this.recorder.event(endpoints, 'Warning', 'InvalidIPAddress', `Skipped ${plan.invalid} invalid IP addresses when mirroring to EndpointSlices`);
    if (plan.skipped > plan.invalid) {
      this.recorder.event(
        endpoints,
        'Warning',
        'TooManyAddressesToMirror',
        `A max of ${MAX_ENDPOINTS_PER_SUBSET} addresses can be mirrored to EndpointSlices per Endpoints subset. ${plan.skipped} addresses were skipped`,
      );
    }
    try {
      // No new slices for Endpoints being deleted.
      if (!endpoints.metadata.deletionTimestamp) for (const s of plan.create) this.tracker.wrote(key, await this.api.create(ns, s));
      for (const s of plan.update) this.tracker.wrote(key, await this.api.update(ns, s));
      for (const s of plan.delete) await this.remove(key, ns, s);
    } catch (e) {
      // A terminating namespace refuses new slices: nothing to retry.
      if (e instanceof ApiError && (e.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating')) return;
      throw e;
    }
  }

  private async deleteMirrored(key: string, ns: string): Promise<void> {
    const slices = this.mirrored(key);
    this.tracker.forget(key);
    for (const s of slices) if (!s.metadata.deletionTimestamp) await this.remove(key, ns, s);
  }

  private async remove(key: string, ns: string, s: KubeObject): Promise<void> {
    await this.api.delete(ns, s.metadata.name!);
    this.tracker.deleted(key, s);
  }
}
