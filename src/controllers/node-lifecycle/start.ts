// One call that starts the node-facing controllers of the controller manager on shared
// informers: node lifecycle (with taint eviction), pod GC and disruption. The CLI wires it into
// the control plane; options come from its flags or the environment (nodeLifecycleEnv).
import type { Client } from '../../client/client.ts';
import type { Clock } from '../../util/clock.ts';
import { DisruptionController } from '../disruption/controller.ts';
import { PodGcController, type PodGcControllerOptions } from '../pod-gc/controller.ts';
import { NodeLifecycleController, type NodeLifecycleOptions } from './controller.ts';
import { createCoreInformers, type CoreInformers } from './informers.ts';
import { NodeIpamController } from '../node-ipam/controller.ts';

export interface NodeControllersOptions {
  clock: Clock;
  log?: (m: string) => void;
  /** Informers shared with other components; created (and run) here when absent. */
  informers?: CoreInformers;
  nodeLifecycle?: Omit<NodeLifecycleOptions, 'clock' | 'informers' | 'log'>;
  podGc?: Omit<PodGcControllerOptions, 'clock' | 'informers' | 'log'>;
}

export interface NodeControllers {
  informers: CoreInformers;
  nodeLifecycle: NodeLifecycleController;
  podGc: PodGcController;
  disruption: DisruptionController;
  /** Runs everything (and the informers, when created here) until the signal aborts. */
  run(signal: AbortSignal): Promise<void>;
  waitForSync(): Promise<void>;
}

export function createNodeControllers(client: Client, opts: NodeControllersOptions): NodeControllers {
  const own = !opts.informers;
  const informers = opts.informers ?? createCoreInformers(client, opts.clock, opts.log);
  const base = { clock: opts.clock, log: opts.log };
  const nodeLifecycle = new NodeLifecycleController(client, { ...base, ...opts.nodeLifecycle, informers });
  const podGc = new PodGcController(client, { ...base, ...opts.podGc, informers });
  const disruption = new DisruptionController(client, { ...base, pods: informers.pods });
  const nodeIpam = new NodeIpamController(client, informers.nodes, base);
  return {
    informers,
    nodeLifecycle,
    podGc,
    disruption,
    async run(signal) {
      await Promise.all([own ? informers.run(signal) : undefined, nodeLifecycle.run(signal), podGc.run(signal), disruption.run(signal), nodeIpam.run(signal)]);
    },
    waitForSync: () => Promise.all([informers.waitForSync(), disruption.waitForSync()]).then(() => undefined),
  };
}
