// The PersistentVolume controller (pkg/controller/volume/persistentvolume/pv_controller_base.go):
// binds claims to volumes, asks external provisioners for new ones, releases and reclaims
// volumes whose claims are gone. Informers on volumes, claims and classes map every change to
// a key in one work queue (`claim/<ns>/<name>` or `volume/<name>`); every key is also re-synced
// periodically (upstream's 15 s), so a missed event costs latency, never correctness.
import { CandidateIndex } from './candidate-index.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { PersistentVolume, PersistentVolumeClaim } from '../../api/storage/volume.ts';
import type { Client } from '../../client/client.ts';
import type { Informer } from '../../client/informer.ts';
import type { Clock } from '../../util/clock.ts';
import { EventRecorder } from '../runtime/event-recorder.ts';
import { WorkQueue } from '../runtime/work-queue.ts';
import type { StorageInformers } from './informers.ts';
import { LatestCache } from './latest-cache.ts';
import { PodsByClaim } from './pods-by-claim.ts';
import { Reconciler } from './reconcile.ts';

export interface PersistentVolumeControllerOptions {
  clock: Clock;
  /** Shared informers; the caller runs them. */
  informers: StorageInformers;
  log?: (m: string) => void;
  /** Period of the full re-sync (default 15 s, as kube-controller-manager's pvclaimbinder-sync-period). */
  resyncMs?: number;
}

export class PersistentVolumeController {
  readonly volumes: Informer;
  readonly claims: Informer;
  readonly classes: Informer;
  private readonly queue: WorkQueue;
  private readonly reconciler: Reconciler;
  private readonly log: (m: string) => void;

  constructor(client: Client, private readonly opts: PersistentVolumeControllerOptions) {
    const { clock } = opts;
    this.log = opts.log ?? (() => {});
    const volumesApi = client.resource({ apiVersion: 'v1', resource: 'persistentvolumes', namespaced: false });
    const claimsApi = client.resource({ apiVersion: 'v1', resource: 'persistentvolumeclaims', namespaced: true });
    this.volumes = opts.informers.volumes;
    this.claims = opts.informers.claims;
    this.classes = opts.informers.classes;
    const recorder = new EventRecorder(client, { component: 'persistentvolume-controller' }, clock, this.log);
    this.queue = new WorkQueue((key) => this.sync(key), { clock, workers: 2, log: (m) => this.log(`persistentvolume: ${m}`) });
    this.reconciler = new Reconciler({
      volumesApi,
      claimsApi,
      volumes: new LatestCache<PersistentVolume>(this.volumes),
      claims: new LatestCache<PersistentVolumeClaim>(this.claims),
      classes: this.classes,
      pods: new PodsByClaim(opts.informers.pods),
      candidates: new CandidateIndex(this.volumes),
      event: (obj, type, reason, message) => recorder.event(obj, type, reason, message),
      enqueue: (key) => this.queue.add(key),
    });
    const claimKey = (c: KubeObject) => `claim/${c.metadata.namespace}/${c.metadata.name}`;
    const volumeKey = (v: KubeObject) => `volume/${v.metadata.name}`;
    this.volumes.addHandlers({
      add: (v) => this.queue.add(volumeKey(v)),
      update: (_o, v) => this.queue.add(volumeKey(v)),
      // The claim of a deleted volume turns Lost without waiting for the re-sync.
      delete: (v) => {
        const ref = (v as PersistentVolume).spec?.claimRef;
        if (ref?.name) this.queue.add(`claim/${ref.namespace}/${ref.name}`);
      },
    });
    this.claims.addHandlers({
      add: (c) => this.queue.add(claimKey(c)),
      update: (_o, c) => this.queue.add(claimKey(c)),
      // Release the volume of a deleted claim at once.
      delete: (c) => {
        const name = (c as PersistentVolumeClaim).spec?.volumeName;
        if (name) this.queue.add(`volume/${name}`);
      },
    });
    // A new (default) class can help every claim still waiting.
    const classChanged = () => {
      for (const c of this.claims.list()) if ((c as PersistentVolumeClaim).status?.phase !== 'Bound') this.queue.add(claimKey(c));
    };
    this.classes.addHandlers({ add: classChanged, update: classChanged });
  }

  /** Runs the queue and the periodic re-sync until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const queue = this.queue.run(signal);
    const resyncMs = this.opts.resyncMs ?? 15_000;
    let cancel = () => {};
    const tick = () => {
      if (signal.aborted) return;
      for (const v of this.volumes.list()) this.queue.add(`volume/${v.metadata.name}`);
      for (const c of this.claims.list()) this.queue.add(`claim/${c.metadata.namespace}/${c.metadata.name}`);
      cancel = this.opts.clock.setTimer(tick, resyncMs);
    };
    void this.waitForSync().then(() => (cancel = this.opts.clock.setTimer(tick, resyncMs)));
    signal.addEventListener('abort', () => cancel(), { once: true });
    await queue;
  }

  waitForSync(): Promise<void> {
    return this.opts.informers.waitForSync();
  }

  private async sync(key: string): Promise<void> {
    // Volumes and claims are judged against complete caches only.
    await this.waitForSync();
    if (key.startsWith('claim/')) {
      const [, namespace, name] = key.split('/') as [string, string, string];
      await this.reconciler.syncClaim(namespace, name);
    } else await this.reconciler.syncVolume(key.slice('volume/'.length));
  }
}
