// Shared informers for the storage controllers (PV binder, protection, local-path provisioner):
// one watch per kind however many controllers read it, as client-go's shared informer factory.
import type { Client } from '../../client/client.ts';
import { Informer } from '../../client/informer.ts';
import type { Clock } from '../../util/clock.ts';

export interface StorageInformers {
  volumes: Informer;
  claims: Informer;
  classes: Informer;
  pods: Informer;
  nodes: Informer;
  /** Runs every informer until the signal aborts. */
  run(signal: AbortSignal): Promise<void>;
  waitForSync(): Promise<void>;
}

export function createStorageInformers(client: Client, clock: Clock, log?: (m: string) => void): StorageInformers {
  const inf = (apiVersion: string, resource: string, namespaced: boolean) => new Informer(client.resource({ apiVersion, resource, namespaced }), { clock, log });
  const volumes = inf('v1', 'persistentvolumes', false);
  const claims = inf('v1', 'persistentvolumeclaims', true);
  const classes = inf('storage.k8s.io/v1', 'storageclasses', false);
  const pods = inf('v1', 'pods', true);
  const nodes = inf('v1', 'nodes', false);
  const all = [volumes, claims, classes, pods, nodes];
  return {
    volumes,
    claims,
    classes,
    pods,
    nodes,
    run: async (signal) => {
      await Promise.all(all.map((i) => i.run(signal)));
    },
    waitForSync: async () => {
      await Promise.all(all.map((i) => i.waitForSync()));
    },
  };
}
