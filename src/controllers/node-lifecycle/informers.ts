// Shared informers for the node-facing controllers (node lifecycle, taint eviction, pod GC,
// disruption): one watch of Pods and one of Nodes however many controllers read them, as
// client-go's shared informer factory provides.
import type { Client } from '../../client/client.ts';
import { Informer } from '../../client/informer.ts';
import { NODE_LEASE_NAMESPACE } from '../../node/contract.ts';
import type { Clock } from '../../util/clock.ts';

export interface CoreInformers {
  nodes: Informer;
  pods: Informer;
  /** Leases in kube-node-lease. */
  leases: Informer;
  /** Runs every informer until the signal aborts. */
  run(signal: AbortSignal): Promise<void>;
  waitForSync(): Promise<void>;
}

export function createCoreInformers(client: Client, clock: Clock, log?: (m: string) => void): CoreInformers {
  const nodes = new Informer(client.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false }), { clock, log });
  const pods = new Informer(client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true }), { clock, log });
  const leases = new Informer(client.resource({ apiVersion: 'coordination.k8s.io/v1', resource: 'leases', namespaced: true }), { clock, log, namespace: NODE_LEASE_NAMESPACE });
  const all = [nodes, pods, leases];
  return {
    nodes,
    pods,
    leases,
    run: async (signal) => {
      await Promise.all(all.map((i) => i.run(signal)));
    },
    waitForSync: async () => {
      await Promise.all(all.map((i) => i.waitForSync()));
    },
  };
}
