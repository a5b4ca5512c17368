// Volume expansion: the in-tree expand controller (component `volume_expand`,
// pkg/controller/volume/expand/expand_controller.go) and the external resizer of our built-in
// driver (component `external-resizer k8ts.io/local-path`, kubernetes-csi/external-resizer
// pkg/controller/controller.go), sharing one claim and one volume informer. Each has its own
// queue with its upstream enqueue rules; decisions live in plan.ts.
import type { KubeObject } from '../../api/meta/types.ts';
import type { Client, ResourceClient } from '../../client/client.ts';
import { Informer, objectKeyOf } from '../../client/informer.ts';
import { compareQuantities } from '../../api/validation/quantity.ts';
import { rfc3339, type Clock } from '../../util/clock.ts';
import { EventRecorder } from '../runtime/event-recorder.ts';
import { WorkQueue, type ReconcileResult } from '../runtime/work-queue.ts';
import { LOCAL_PATH_DRIVER, capacityOf, isBound, planExternalExpanding, planResize, requestOf, type ResizeStep } from './plan.ts';

export interface VolumeExpandOptions {
  clock: Clock;
  log?: (m: string) => void;
  /** The driver our resizer serves (default `k8ts.io/local-path`). */
  driver?: string;
}

const grew = (next: string | undefined, prev: string | undefined) => compareQuantities(next ?? '0', prev ?? '0') > 0;

export class VolumeExpandController {
  readonly claims: Informer;
  readonly volumes: Informer;
  private readonly claimsApi: ResourceClient;
  private readonly volumesApi: ResourceClient;
  private readonly expandQueue: WorkQueue;
  private readonly resizeQueue: WorkQueue;
  private readonly expandEvents: EventRecorder;
  private readonly resizeEvents: EventRecorder;
  private readonly driver: string;
  private readonly log: (m: string) => void;
  /** The claim resourceVersion each resizer sync last wrote, so a stale cache is never acted on. */
  private readonly written = new Map<string, number>();

  constructor(
    client: Client,
    private readonly opts: VolumeExpandOptions,
  ) {
    this.log = opts.log ?? (() => {});
    this.driver = opts.driver ?? LOCAL_PATH_DRIVER;
    this.claimsApi = client.resource({ apiVersion: 'v1', resource: 'persistentvolumeclaims', namespaced: true });
    this.volumesApi = client.resource({ apiVersion: 'v1', resource: 'persistentvolumes', namespaced: false });
    this.claims = new Informer(this.claimsApi, { clock: opts.clock, log: this.log });
    this.volumes = new Informer(this.volumesApi, { clock: opts.clock, log: this.log });
    this.expandEvents = new EventRecorder(client, { component: 'volume_expand' }, opts.clock, this.log);
    this.resizeEvents = new EventRecorder(client, { component: `external-resizer ${this.driver}` }, opts.clock, this.log);
    this.expandQueue = new WorkQueue((key) => this.syncExpand(key), { clock: opts.clock, log: (m) => this.log(`volume_expand: ${m}`) });
    this.resizeQueue = new WorkQueue((key) => this.syncResize(key), { clock: opts.clock, log: (m) => this.log(`external-resizer: ${m}`) });
    this.claims.addHandlers({
      add: (pvc) => {
        if (isBound(pvc)) this.expandQueue.add(objectKeyOf(pvc));
        this.resizeQueue.add(objectKeyOf(pvc));
      },
      update: (old, pvc) => {
        const key = objectKeyOf(pvc);
        const requestGrew = grew(requestOf(pvc), requestOf(old));
        const capacityGrew = grew(capacityOf(pvc), capacityOf(old));
        // expand_controller: a larger request, or a larger status.capacity.
        if (isBound(pvc) && (requestGrew || capacityGrew)) this.expandQueue.add(key);
        // external-resizer updatePVC: a larger request, a resync, or a larger capacity.
        if (requestGrew || capacityGrew || old.metadata.resourceVersion === pvc.metadata.resourceVersion) this.resizeQueue.add(key);
      },
      delete: (pvc) => this.written.delete(objectKeyOf(pvc)),
    });
  }

  /** Runs both informers and both queues until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.claims.run(signal), this.volumes.run(signal), this.expandQueue.run(signal), this.resizeQueue.run(signal)]);
  }

  waitForSync(): Promise<void> {
    return Promise.all([this.claims.waitForSync(), this.volumes.waitForSync()]).then(() => undefined);
  }

  private volumeOf(pvc: KubeObject): KubeObject | undefined {
    const name = (pvc.spec as { volumeName?: string } | undefined)?.volumeName;
    return name ? this.volumes.get('', name) : undefined;
  }

  /** The in-tree controller: nothing expands in-tree here, so it only points at the external resizer. */
  private async syncExpand(key: string): Promise<ReconcileResult> {
    const [ns, name] = key.split('/') as [string, string];
    const pvc = this.claims.get(ns, name);
    if (!pvc) return;
    if (!this.volumes.hasSynced) return { requeueAfter: 100 };
    const decision = planExternalExpanding(pvc, this.volumeOf(pvc));
    if (decision.error) throw new Error(decision.error);
    if (decision.event) this.expandEvents.event(pvc, decision.event.type, decision.event.reason, decision.event.message);
  }

  /** The resizer: runs the planned steps in order; any failed write is retried with back-off. */
  private async syncResize(key: string): Promise<ReconcileResult> {
    const [ns, name] = key.split('/') as [string, string];
    let pvc = this.claims.get(ns, name);
    if (!pvc) return;
    if (!this.volumes.hasSynced || Number(pvc.metadata.resourceVersion) < (this.written.get(key) ?? 0)) return { requeueAfter: 50 };
    const pv = this.volumeOf(pvc);
    if (!pv) {
      // Not yet in the cache, or not a claim with a volume: nothing a retry would not see.
      if ((pvc.spec as { volumeName?: string } | undefined)?.volumeName && isBound(pvc)) throw new Error(`volume ${(pvc.spec as { volumeName: string }).volumeName} not found`);
      return;
    }
    const steps = planResize({ pvc, pv, driver: this.driver, now: rfc3339(this.opts.clock.now()) });
    for (const step of steps) pvc = await this.execute(step, pvc, pv);
    if (steps.length) this.written.set(key, Number(pvc.metadata.resourceVersion));
  }

  private async execute(step: ResizeStep, pvc: KubeObject, pv: KubeObject): Promise<KubeObject> {
    switch (step.kind) {
      case 'event':
        this.resizeEvents.event(pvc, step.event.type, step.event.reason, step.event.message);
        return pvc;
      case 'claimStatus':
        return this.claimsApi.updateStatus(pvc.metadata.namespace!, { ...pvc, status: step.status }, { fieldManager: 'csi-resizer' });
      case 'volumeCapacity':
        try {
          await this.volumesApi.patch('', pv.metadata.name!, 'merge', { spec: { capacity: { storage: step.storage } } }, { fieldManager: 'csi-resizer' });
        } catch (e) {
          const message = `error updating pv "${pv.metadata.name}" by resizer: ${(e as Error).message}`;
          this.resizeEvents.event(pvc, 'Warning', 'VolumeResizeFailed', message);
          throw new Error(message);
        }
        return pvc;
    }
  }
}
