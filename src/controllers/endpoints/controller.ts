// The Endpoints controller (pkg/controller/endpoint/endpoints_controller.go): keeps one v1
// Endpoints per Service with a selector, named as the Service, listing the selected pods.
// Services, pods and Endpoints events map to the Service's `namespace/name` on one work queue;
// a sync reads the Service's namespace from the pod index, plans with plan.ts and writes only
// when the result differs. A deleted Service takes its Endpoints with it.
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { Client, ResourceClient } from '../../client/client.ts';
import { objectKeyOf, type Informer } from '../../client/informer.ts';
import type { Clock } from '../../util/clock.ts';
import { EventRecorder } from '../runtime/event-recorder.ts';
import { WorkQueue, type ReconcileResult } from '../runtime/work-queue.ts';
import { servicesForPodUpdate, type PodIndex, type ServiceIndex } from './indexes.ts';
import { planEndpoints, podSubset, repackSubsets, subsetsDigest, type EndpointSubset } from './plan.ts';
import { LEADER_ANNOTATION, managesEndpoints, primaryFamily, publishNotReady, selectorOf, svcSpec } from './pods.ts';
import { TriggerTimeTracker } from './trigger-time.ts';
import { WriteTracker } from './write-tracker.ts';

export interface EndpointsControllerOptions {
  clock: Clock;
  services: ServiceIndex;
  pods: PodIndex;
  /** Endpoints, all namespaces. */
  endpoints: Informer;
  /** Services synced at once (upstream --concurrent-endpoint-syncs, default 5). */
  workers?: number;
  /**
   * Waited for before a Service's sync: the EndpointSlice controller's sync of it, whose slices
   * cluster DNS serves, goes out first.
   */
  before?: (key: string) => Promise<void>;
  log?: (m: string) => void;
}

const STALE_RETRY_MS = 1000;
/** Pod events wait so that a Service's syncs take at most about a tenth of the time, ... */
const PACE_FACTOR = 10;
/** ... but never longer than this. */
const MAX_PACE_MS = 1000;

export class EndpointsController {
  private readonly queue: WorkQueue;
  private readonly api: ResourceClient;
  private readonly recorder: EventRecorder;
  private readonly tracker: WriteTracker;
  private readonly triggers = new TriggerTimeTracker();
  private readonly log: (m: string) => void;
  // What each pod contributed at its last sync, under the Service parameters it was computed for.
  private readonly contributions = new WeakMap<KubeObject, { sig: string; subset: EndpointSubset | undefined }>();
  private readonly digests = new WeakMap<KubeObject, string>();
  // Per Service: when its last sync ended and how long it took (ms).
  private readonly lastSync = new Map<string, { end: number; took: number }>();

  constructor(
    client: Client,
    private readonly opts: EndpointsControllerOptions,
  ) {
    this.log = opts.log ?? (() => {});
    this.api = client.resource({ apiVersion: 'v1', resource: 'endpoints', namespaced: true });
    this.recorder = new EventRecorder(client, { component: 'endpoint-controller' }, opts.clock, this.log);
    this.tracker = new WriteTracker(opts.endpoints, opts.clock);
    this.queue = new WorkQueue((key) => this.timedSync(key), {
      clock: opts.clock,
      workers: opts.workers ?? 5,
      dirtyDelay: (key) => this.paceMs(key),
      log: (m) => this.log(`endpoints: ${m}`),
    });
    this.wire();
  }

  async run(signal: AbortSignal): Promise<void> {
    const queue = this.queue.run(signal);
    await this.waitForSync();
    // checkLeftoverEndpoints: Endpoints whose Service went while the controller was away.
    for (const ep of this.opts.endpoints.list()) {
      if (ep.metadata.annotations?.[LEADER_ANNOTATION] !== undefined) continue;
      if (!this.opts.services.informer.get(ep.metadata.namespace!, ep.metadata.name!)) this.queue.add(objectKeyOf(ep));
    }
    await queue;
  }

  waitForSync(): Promise<void> {
    return Promise.all([this.opts.services.informer.waitForSync(), this.opts.pods.informer.waitForSync(), this.opts.endpoints.waitForSync()]).then(() => undefined);
  }

  private wire(): void {
    const { services, pods, endpoints } = this.opts;
    const add = (k: string) => this.queue.add(k);
    services.informer.addHandlers({ add: (s) => add(objectKeyOf(s)), update: (_o, s) => add(objectKeyOf(s)), delete: (s) => add(objectKeyOf(s)) });
    const paced = (k: string) => this.addPaced(k);
    pods.informer.addHandlers({
      add: (p) => services.selecting(p).forEach(paced),
      update: (old, p) => servicesForPodUpdate(services, old, p).forEach(paced),
      delete: (p) => services.selecting(p).forEach(paced),
    });
    const onEndpoints = (ep: KubeObject, deleted: boolean) => {
      const key = objectKeyOf(ep);
      if (this.tracker.takeWaiting(key)) return add(key);
      if (this.tracker.isEcho(ep, deleted)) return;
      // Someone else changed or removed the Endpoints of a Service this controller manages.
      const svc = services.informer.get(ep.metadata.namespace!, ep.metadata.name!);
      if (svc && managesEndpoints(svc)) add(key);
    };
    endpoints.addHandlers({ add: (e) => onEndpoints(e, false), update: (_o, e) => onEndpoints(e, false), delete: (e) => onEndpoints(e, true) });
  }

  /**
   * How long pod events of a Service wait after its last sync. A sync of a Service of thousands
   * of pods (and the write of its Endpoints, up to 1000 addresses) costs milliseconds on the
   * thread that also serves the API and writes the EndpointSlices: under a stream of pod changes
   * it batches them, as upstream's --endpoint-updates-batch-period does. Small Services do not
   * wait in practice; Service events never do.
   */
  private paceMs(key: string): number {
    const last = this.lastSync.get(key);
    return last ? Math.min(MAX_PACE_MS, PACE_FACTOR * last.took) : 0;
  }

  private addPaced(key: string): void {
    const last = this.lastSync.get(key);
    const wait = last ? this.paceMs(key) - (this.opts.clock.now() - last.end) : 0;
    if (wait >= 1) this.queue.addAfter(key, wait);
    else this.queue.add(key);
  }

  private async timedSync(key: string): Promise<ReconcileResult> {
    await this.waitForSync();
    await this.opts.before?.(key);
    const start = performance.now();
    try {
      return await this.sync(key);
    } finally {
      if (this.opts.services.informer.get(...(key.split('/') as [string, string]))) this.lastSync.set(key, { end: this.opts.clock.now(), took: performance.now() - start });
      else this.lastSync.delete(key);
    }
  }

  private async sync(key: string): Promise<ReconcileResult> {
    const [ns, name] = key.split('/') as [string, string];
    const svc = this.opts.services.informer.get(ns, name);
    if (!svc) {
      this.triggers.delete(key);
      this.tracker.forget(key);
      const cached = this.opts.endpoints.get(ns, name);
      const gone = await this.api.delete(ns, name);
      if (cached && !gone) this.tracker.deleted(key, cached);
      return;
    }
    const selector = selectorOf(svc);
    // ExternalName Services and Services without a selector get nothing from this controller.
    if (svcSpec(svc).type === 'ExternalName' || !selector) return;
    if (this.tracker.stale(key, ns)) return { requeueAfter: STALE_RETRY_MS };

    const pods = [...this.opts.services.selected(key)];
    const triggerTime = this.triggers.compute(key, svc, pods);
    const sig = `${svc.metadata.name}|${publishNotReady(svc)}|${primaryFamily(svc)}|${svcSpec(svc).clusterIP === 'None'}|${JSON.stringify(svcSpec(svc).ports ?? [])}`;
    const raw: EndpointSubset[] = [];
    for (const pod of pods) {
      let c = this.contributions.get(pod);
      if (!c || c.sig !== sig) this.contributions.set(pod, (c = { sig, subset: podSubset(svc, pod) }));
      if (c.subset) raw.push(c.subset);
    }
    const current = this.opts.endpoints.get(ns, name);
    let currentDigest: string | undefined;
    if (current) {
      currentDigest = this.digests.get(current);
      if (currentDigest === undefined) this.digests.set(current, (currentDigest = subsetsDigest(current.subsets as EndpointSubset[] | undefined)));
    }
    const plan = planEndpoints({ svc, subsets: repackSubsets(raw), current, triggerTime, currentDigest });
    if (plan.kind === 'none') return;
    try {
      const written = plan.kind === 'create' ? await this.api.create(ns, plan.endpoints) : await this.api.update(ns, plan.endpoints);
      this.tracker.wrote(key, written);
    } catch (e) {
      // A terminating namespace refuses new objects: nothing to retry.
      if (plan.kind === 'create' && e instanceof ApiError && e.code === 403) return;
      const reason = plan.kind === 'create' ? 'FailedToCreateEndpoint' : 'FailedToUpdateEndpoint';
      const verb = plan.kind === 'create' ? 'create' : 'update';
      this.recorder.event(plan.endpoints, 'Warning', reason, `Failed to ${verb} endpoint for service ${ns}/${name}: ${(e as Error).message}`);
      throw e;
    }
  }
}
