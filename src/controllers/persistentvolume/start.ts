// One call that starts the storage controllers of the controller manager on shared informers:
// the PV controller (binder), PVC/PV protection, generic ephemeral volumes and the built-in
// local-path provisioner. The CLI wires it into the control plane.
import type { Client } from '../../client/client.ts';
import type { Clock } from '../../util/clock.ts';
import { EphemeralVolumeController } from '../ephemeral/controller.ts';
import { LocalPathProvisioner } from '../local-path/controller.ts';
import { VolumeProtectionController } from '../volume-protection/controller.ts';
import { PersistentVolumeController } from './controller.ts';
import { createStorageInformers, type StorageInformers } from './informers.ts';

export interface StorageControllersOptions {
  clock: Clock;
  /** Directory under which the local-path provisioner creates volume directories. */
  storageDir: string;
  log?: (m: string) => void;
  /** Re-sync period of the PV controller (default 15 s). */
  resyncMs?: number;
}

export interface StorageControllers {
  informers: StorageInformers;
  binder: PersistentVolumeController;
  protection: VolumeProtectionController;
  provisioner: LocalPathProvisioner;
  run(signal: AbortSignal): Promise<void>;
  waitForSync(): Promise<void>;
}

export function createStorageControllers(client: Client, opts: StorageControllersOptions): StorageControllers {
  const informers = createStorageInformers(client, opts.clock, opts.log);
  const base = { clock: opts.clock, log: opts.log, informers };
  const binder = new PersistentVolumeController(client, { ...base, resyncMs: opts.resyncMs });
  const protection = new VolumeProtectionController(client, base);
  const provisioner = new LocalPathProvisioner(client, { ...base, baseDir: opts.storageDir });
  const ephemeral = new EphemeralVolumeController(client, { clock: opts.clock, log: opts.log, pods: informers.pods, claims: informers.claims });
  return {
    informers,
    binder,
    protection,
    provisioner,
    async run(signal) {
      await Promise.all([informers.run(signal), binder.run(signal), protection.run(signal), provisioner.run(signal), ephemeral.run(signal)]);
    },
    waitForSync: () => informers.waitForSync(),
  };
}
