// The built-in provisioner `k8ts.io/local-path` (rancher/local-path-provisioner run by
// sig-storage-lib-external-provisioner): creates a directory and a PersistentVolume pinned to its
// node for every claim the PV controller hands it, and removes both when a Delete-policy volume
// is released. One work queue with `claim/<ns>/<name>` and `volume/<name>` keys; decisions in
// plan.ts, disk work in dirs.ts.
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import { ANN_SELECTED_NODE, claimClass, type PersistentVolume, type PersistentVolumeClaim, type StorageClass } from '../../api/storage/volume.ts';
import type { Client, ResourceClient } from '../../client/client.ts';
import type { Clock } from '../../util/clock.ts';
import type { StorageInformers } from '../persistentvolume/informers.ts';
import { EventRecorder } from '../runtime/event-recorder.ts';
import { WorkQueue } from '../runtime/work-queue.ts';
import { createVolumeDir, deleteVolumeDir } from './dirs.ts';
import { LOCAL_PATH_PROVISIONER, pathAndNodeOf, pickNodeForImmediate, planProvision, shouldDelete, shouldProvision, volumeNameFor, type NodeLite } from './plan.ts';

export interface LocalPathProvisionerOptions {
  clock: Clock;
  /** Shared informers; the caller runs them. */
  informers: StorageInformers;
  /** Where volume directories are created. */
  baseDir: string;
  log?: (m: string) => void;
  rng?: () => number;
}

const code = (e: unknown) => (e instanceof ApiError ? e.code : undefined);

export class LocalPathProvisioner {
  private readonly queue: WorkQueue;
  private readonly volumesApi: ResourceClient;
  private readonly nodesApi: ResourceClient;
  private readonly recorder: EventRecorder;
  /** Claims (by uid) whose volume this process created: a stale cache must not provision twice. */
  private readonly provisioned = new Set<string>();

  constructor(client: Client, private readonly opts: LocalPathProvisionerOptions) {
    const log = opts.log ?? (() => {});
    this.volumesApi = client.resource({ apiVersion: 'v1', resource: 'persistentvolumes', namespaced: false });
    this.nodesApi = client.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false });
    this.recorder = new EventRecorder(client, { component: LOCAL_PATH_PROVISIONER }, opts.clock, log);
    // Failures back off from 1 s, as the library's rate limiter does for provisioning retries.
    this.queue = new WorkQueue((key) => this.sync(key), { clock: opts.clock, workers: 2, baseDelayMs: 1000, maxDelayMs: 300_000, log: (m) => log(`local-path: ${m}`) });
    const { claims, volumes } = opts.informers;
    const onClaim = (c: KubeObject) => this.queue.add(`claim/${c.metadata.namespace}/${c.metadata.name}`);
    claims.addHandlers({ add: onClaim, update: (_o, c) => onClaim(c) });
    const onVolume = (v: KubeObject) => this.queue.add(`volume/${v.metadata.name}`);
    volumes.addHandlers({ add: onVolume, update: (_o, v) => onVolume(v) });
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.queue.run(signal);
  }

  waitForSync(): Promise<void> {
    return this.opts.informers.waitForSync();
  }

  private async sync(key: string): Promise<void> {
    await this.waitForSync();
    if (key.startsWith('claim/')) {
      const [, ns, name] = key.split('/') as [string, string, string];
      const pvc = this.opts.informers.claims.get(ns, name) as PersistentVolumeClaim | undefined;
      if (pvc) await this.provision(pvc);
      return;
    }
    const pv = this.opts.informers.volumes.get('', key.slice('volume/'.length)) as PersistentVolume | undefined;
    if (pv && shouldDelete(pv)) await this.delete(pv);
  }

  /** Directory, then volume object; the PV controller binds the claim once it sees the volume. */
  private async provision(pvc: PersistentVolumeClaim): Promise<void> {
    const { informers } = this.opts;
    const sc = informers.classes.get('', claimClass(pvc)) as StorageClass | undefined;
    if (!shouldProvision(pvc, sc)) return;
    if (this.provisioned.has(pvc.metadata.uid!) || informers.volumes.get('', volumeNameFor(pvc))) return;
    const ref = `${pvc.metadata.namespace}/${pvc.metadata.name}`;
    this.recorder.event(pvc, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${ref}"`);
    const fail = (message: string) => {
      this.recorder.event(pvc, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc!.metadata.name}": ${message}`);
      return new Error(message);
    };
    let node: NodeLite | undefined;
    const selected = pvc.metadata.annotations?.[ANN_SELECTED_NODE];
    if (selected) {
      node = (informers.nodes.get('', selected) ?? (await this.nodesApi.find('', selected))) as NodeLite | undefined;
      if (!node) throw fail(`failed to get target node: nodes "${selected}" not found`);
    } else node = pickNodeForImmediate(informers.nodes.list() as NodeLite[], this.opts.rng);
    const plan = planProvision({ pvc, sc: sc!, node, baseDir: this.opts.baseDir });
    if ('error' in plan) throw fail(plan.error);
    try {
      await createVolumeDir(plan.dir);
    } catch (e) {
      throw fail(`failed to create volume directory ${plan.dir}: ${(e as Error).message}`);
    }
    try {
      await this.volumesApi.create('', plan.pv);
    } catch (e) {
      // A volume of this name exists: an earlier attempt got there (names are per claim uid).
      if (code(e) !== 409) throw fail((e as Error).message);
    }
    this.provisioned.add(pvc.metadata.uid!);
    this.recorder.event(pvc, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${plan.pv.metadata.name}`);
  }

  /** Removes the directory (unless its node is gone, as rancher skips that), then the volume. */
  private async delete(pv: PersistentVolume): Promise<void> {
    const where = pathAndNodeOf(pv);
    try {
      if ('error' in where) throw new Error(where.error);
      const nodeExists = this.opts.informers.nodes.get('', where.node) ?? (await this.nodesApi.find('', where.node));
      if (nodeExists) await deleteVolumeDir(where.path, this.opts.baseDir);
    } catch (e) {
      this.recorder.event(pv, 'Warning', 'VolumeFailedDelete', (e as Error).message);
      throw e;
    }
    try {
      await this.volumesApi.delete('', pv.metadata.name!, { preconditions: { uid: pv.metadata.uid } });
    } catch (e) {
      if (code(e) !== 404 && code(e) !== 409) throw e;
    }
  }
}
