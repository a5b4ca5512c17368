// One call that starts the Service endpoint controllers of the controller manager: Endpoints,
// EndpointSlice and EndpointSlice mirroring, on shared informers and indexes. The Services and
// EndpointSlices informers are exposed for other readers (the cluster DNS server).
import { Client } from '../../client/client.ts';
import { Informer } from '../../client/informer.ts';
import type { Clock } from '../../util/clock.ts';
import { EndpointSliceMirroringController } from '../endpointslice-mirroring/controller.ts';
import { EndpointSliceController } from '../endpointslice/controller.ts';
import { EndpointsController } from './controller.ts';
import { PodIndex, ServiceIndex, SliceIndex } from './indexes.ts';

export interface ServiceEndpointControllersOptions {
  clock: Clock;
  log?: (m: string) => void;
  /** Shared informers the caller runs; those absent are created and run here. */
  pods?: Informer;
  nodes?: Informer;
  services?: Informer;
  /** Workers per controller (upstream's default 5). */
  workers?: number;
  /** Endpoints per EndpointSlice at most (default 100). */
  maxEndpointsPerSlice?: number;
}

export interface ServiceEndpointInformers {
  services: Informer;
  endpoints: Informer;
  endpointSlices: Informer;
  pods: Informer;
  nodes: Informer;
}

export interface ServiceEndpointControllers {
  informers: ServiceEndpointInformers;
  endpoints: EndpointsController;
  endpointSlices: EndpointSliceController;
  mirroring: EndpointSliceMirroringController;
  /** Runs the controllers (and the informers created here) until the signal aborts. */
  run(signal: AbortSignal): Promise<void>;
  waitForSync(): Promise<void>;
}

/** A client for one controller: the controller manager's user agent with the controller's name. */
function controllerClient(client: Client, name: string): Client {
  return new Client(client.transport, { userAgent: `${client.userAgent}/${name}` });
}

export function createServiceEndpointControllers(client: Client, opts: ServiceEndpointControllersOptions): ServiceEndpointControllers {
  const { clock, log } = opts;
  const informer = (apiVersion: string, resource: string, namespaced = true) => new Informer(client.resource({ apiVersion, resource, namespaced }), { clock, log });
  const informers: ServiceEndpointInformers = {
    services: opts.services ?? informer('v1', 'services'),
    endpoints: informer('v1', 'endpoints'),
    endpointSlices: informer('discovery.k8s.io/v1', 'endpointslices'),
    pods: opts.pods ?? informer('v1', 'pods'),
    nodes: opts.nodes ?? informer('v1', 'nodes', false),
  };
  const owned = [informers.endpoints, informers.endpointSlices, ...(opts.services ? [] : [informers.services]), ...(opts.pods ? [] : [informers.pods]), ...(opts.nodes ? [] : [informers.nodes])];
  const pods = new PodIndex(informers.pods);
  const services = new ServiceIndex(informers.services, pods);
  const slices = new SliceIndex(informers.endpointSlices);
  const base = { clock, log, workers: opts.workers };
  const endpointSlices = new EndpointSliceController(controllerClient(client, 'endpointslice-controller'), {
    ...base,
    services,
    pods,
    nodes: informers.nodes,
    slices,
    maxEndpointsPerSlice: opts.maxEndpointsPerSlice,
  });
  // Created after the slice controller so that its handlers run first on a pod event, and each
  // sync waits for the slice controller's sync of the same Service: the slices (which cluster DNS
  // reads) are written before the Endpoints.
  const endpoints = new EndpointsController(controllerClient(client, 'endpoint-controller'), {
    ...base,
    services,
    pods,
    endpoints: informers.endpoints,
    before: (key) => endpointSlices.idle(key),
  });
  const mirroring = new EndpointSliceMirroringController(controllerClient(client, 'endpointslicemirroring-controller'), {
    ...base,
    services,
    endpoints: informers.endpoints,
    slices,
  });
  return {
    informers,
    endpoints,
    endpointSlices,
    mirroring,
    async run(signal) {
      await Promise.all([...owned.map((i) => i.run(signal)), endpoints.run(signal), endpointSlices.run(signal), mirroring.run(signal)]);
    },
    waitForSync: () => Promise.all([endpoints.waitForSync(), endpointSlices.waitForSync(), mirroring.waitForSync()]).then(() => undefined),
  };
}
