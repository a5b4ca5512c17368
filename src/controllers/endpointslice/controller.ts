// The EndpointSlice controller (pkg/controller/endpointslice/endpointslice_controller.go): keeps
// the discovery.k8s.io/v1 EndpointSlices of every Service with a selector. Service, pod, node
// and slice events map to the Service's `namespace/name` on one work queue, without pacing: the
// queue's de-duplication batches a burst of pod changes into one sync. A node's arrival, removal
// or zone change syncs the Services of the pods on it. Slice events that are only the echo of
// this controller's own writes are ignored; any other change to its slices syncs the Service.
import type { KubeObject } from '../../api/meta/types.ts';
import type { Client } from '../../client/client.ts';
import { objectKeyOf, type Informer } from '../../client/informer.ts';
import type { Clock } from '../../util/clock.ts';
import { servicesForPodUpdate, type PodIndex, type ServiceIndex, type SliceIndex } from '../endpoints/indexes.ts';
import { routeManagedSliceEvents } from '../endpoints/slice-events.ts';
import { WriteTracker } from '../endpoints/write-tracker.ts';
import { EventRecorder } from '../runtime/event-recorder.ts';
import { WorkQueue } from '../runtime/work-queue.ts';
import { ENDPOINTSLICE_CONTROLLER, MAX_ENDPOINTS_PER_SLICE, ZONE_LABEL } from './endpoint.ts';
import { EndpointSliceReconciler } from './reconcile.ts';

export interface EndpointSliceControllerOptions {
  clock: Clock;
  services: ServiceIndex;
  pods: PodIndex;
  nodes: Informer;
  slices: SliceIndex;
  /** Services synced at once (upstream --concurrent-service-endpoint-syncs, default 5). */
  workers?: number;
  maxEndpointsPerSlice?: number;
  log?: (m: string) => void;
}

export class EndpointSliceController {
  readonly reconciler: EndpointSliceReconciler;
  private readonly queue: WorkQueue;
  private readonly tracker: WriteTracker;
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    client: Client,
    private readonly opts: EndpointSliceControllerOptions,
  ) {
    const log = opts.log ?? (() => {});
    this.tracker = new WriteTracker(opts.slices.informer, opts.clock);
    this.reconciler = new EndpointSliceReconciler({
      api: client.resource({ apiVersion: 'discovery.k8s.io/v1', resource: 'endpointslices', namespaced: true }),
      services: opts.services,
      pods: opts.pods,
      nodes: opts.nodes,
      slices: opts.slices,
      tracker: this.tracker,
      recorder: new EventRecorder(client, { component: 'endpoint-slice-controller' }, opts.clock, log),
      controllerName: ENDPOINTSLICE_CONTROLLER,
      maxEndpointsPerSlice: opts.maxEndpointsPerSlice ?? MAX_ENDPOINTS_PER_SLICE,
    });
    this.queue = new WorkQueue(
      async (key) => {
        await this.waitForSync();
        const done = this.reconciler.sync(key);
        const settled = done.then(
          () => undefined,
          () => undefined,
        );
        this.inFlight.set(key, settled);
        try {
          return await done;
        } finally {
          if (this.inFlight.get(key) === settled) this.inFlight.delete(key);
        }
      },
      { clock: opts.clock, workers: opts.workers ?? 5, log: (m) => log(`endpointslice: ${m}`) },
    );
    this.wire();
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.queue.run(signal);
  }

  /** Resolves when no sync of the Service is running (at once if none is). */
  idle(key: string): Promise<void> {
    return this.inFlight.get(key) ?? Promise.resolve();
  }

  waitForSync(): Promise<void> {
    const { services, pods, nodes, slices } = this.opts;
    return Promise.all([services.informer.waitForSync(), pods.informer.waitForSync(), nodes.waitForSync(), slices.informer.waitForSync()]).then(() => undefined);
  }

  private wire(): void {
    const { services, pods, nodes, slices } = this.opts;
    const add = (k: string) => this.queue.add(k);
    const r = this.reconciler;
    // A Service changed in place may select other pods: the next sync looks at all of them.
    const serviceChanged = (svc: KubeObject) => {
      r.unsettle(objectKeyOf(svc));
      add(objectKeyOf(svc));
    };
    services.informer.addHandlers({ add: serviceChanged, update: (_o, s) => serviceChanged(s), delete: serviceChanged });
    const podChanged = (p: KubeObject, keys: string[]) => {
      for (const k of keys) {
        r.podChanged(k, p.metadata.name!);
        add(k);
      }
    };
    pods.informer.addHandlers({
      add: (p) => podChanged(p, services.selecting(p)),
      update: (old, p) => podChanged(p, servicesForPodUpdate(services, old, p)),
      delete: (p) => podChanged(p, services.selecting(p)),
    });
    // A node's arrival, removal or zone change touches the endpoints of every pod on it.
    const onNode = (n: KubeObject) => {
      for (const p of pods.onNode(n.metadata.name!)) {
        for (const k of services.selecting(p)) {
          r.unsettle(k);
          add(k);
        }
      }
    };
    nodes.addHandlers({
      add: onNode,
      update: (old, n) => {
        if ((old.metadata.labels?.[ZONE_LABEL] ?? '') !== (n.metadata.labels?.[ZONE_LABEL] ?? '')) onNode(n);
      },
      delete: onNode,
    });
    // Another writer changed a slice: the next sync looks at everything.
    routeManagedSliceEvents(slices.informer, ENDPOINTSLICE_CONTROLLER, this.tracker, (key, foreign) => {
      if (foreign) r.unsettle(key);
      add(key);
    });
  }
}
