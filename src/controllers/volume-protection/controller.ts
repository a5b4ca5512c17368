// The PVC and PV protection controllers in one work queue (`claim/<ns>/<name>`, `volume/<name>`):
// finalizers are added to objects that lack them and removed from objects being deleted once
// nothing uses them. Before a claim's finalizer goes, the pods of its namespace are listed live,
// as upstream asks the API server when its informer finds no user, so a pod the cache has not
// seen yet cannot lose its volume.
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import { PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER, podClaimNames, type PersistentVolume, type PersistentVolumeClaim } from '../../api/storage/volume.ts';
import type { Client, ResourceClient } from '../../client/client.ts';
import type { Clock } from '../../util/clock.ts';
import type { StorageInformers } from '../persistentvolume/informers.ts';
import { WorkQueue } from '../runtime/work-queue.ts';
import { planClaimProtection, planVolumeProtection, type FinalizerAction } from './plan.ts';

export interface VolumeProtectionOptions {
  clock: Clock;
  /** Shared informers; the caller runs them. */
  informers: StorageInformers;
  log?: (m: string) => void;
}

export class VolumeProtectionController {
  private readonly queue: WorkQueue;
  private readonly claimsApi: ResourceClient;
  private readonly volumesApi: ResourceClient;
  private readonly podsApi: ResourceClient;

  constructor(client: Client, private readonly opts: VolumeProtectionOptions) {
    const log = opts.log ?? (() => {});
    this.claimsApi = client.resource({ apiVersion: 'v1', resource: 'persistentvolumeclaims', namespaced: true });
    this.volumesApi = client.resource({ apiVersion: 'v1', resource: 'persistentvolumes', namespaced: false });
    this.podsApi = client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true });
    this.queue = new WorkQueue((key) => this.sync(key), { clock: opts.clock, workers: 1, log: (m) => log(`volume-protection: ${m}`) });
    const { claims, volumes, pods } = opts.informers;
    const claimKey = (c: KubeObject) => `claim/${c.metadata.namespace}/${c.metadata.name}`;
    const onClaim = (c: KubeObject) => {
      if (planClaimProtection(c as PersistentVolumeClaim, []) !== undefined) this.queue.add(claimKey(c));
    };
    claims.addHandlers({ add: onClaim, update: (_o, c) => onClaim(c) });
    const onVolume = (v: KubeObject) => {
      if (v.metadata.deletionTimestamp || !(v.metadata.finalizers ?? []).includes(PV_PROTECTION_FINALIZER)) this.queue.add(`volume/${v.metadata.name}`);
    };
    volumes.addHandlers({ add: onVolume, update: (_o, v) => onVolume(v) });
    // A pod going away (or finishing) may free its claims.
    const onPod = (p: KubeObject) => {
      for (const name of podClaimNames(p)) {
        const c = claims.get(p.metadata.namespace!, name);
        if (c?.metadata.deletionTimestamp) this.queue.add(claimKey(c));
      }
    };
    pods.addHandlers({ update: (_o, p) => onPod(p), delete: onPod });
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.queue.run(signal);
  }

  waitForSync(): Promise<void> {
    return this.opts.informers.waitForSync();
  }

  private async sync(key: string): Promise<void> {
    await this.waitForSync();
    const { claims, volumes, pods } = this.opts.informers;
    if (key.startsWith('claim/')) {
      const [, ns, name] = key.split('/') as [string, string, string];
      const pvc = claims.get(ns, name) as PersistentVolumeClaim | undefined;
      if (!pvc) return;
      let action = planClaimProtection(pvc, pods.list(ns));
      if (action === 'remove') action = planClaimProtection(pvc, (await this.podsApi.list(ns)).items);
      await this.write(this.claimsApi, ns, pvc, PVC_PROTECTION_FINALIZER, action);
      return;
    }
    const pv = volumes.get('', key.slice('volume/'.length)) as PersistentVolume | undefined;
    if (pv) await this.write(this.volumesApi, '', pv, PV_PROTECTION_FINALIZER, planVolumeProtection(pv));
  }

  /** Adds or removes the finalizer with an update guarded by the cached resourceVersion. */
  private async write(api: ResourceClient, ns: string, obj: KubeObject, finalizer: string, action: FinalizerAction): Promise<void> {
    if (!action) return;
    const next = structuredClone(obj);
    const rest = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    next.metadata.finalizers = action === 'add' ? [...rest, finalizer] : rest;
    try {
      await api.update(ns, next);
    } catch (e) {
      // Gone already: nothing to protect. A conflict is retried against the newer copy.
      if (e instanceof ApiError && e.code === 404) return;
      throw e;
    }
  }
}
