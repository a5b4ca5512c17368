// Starting the process runtime with a cluster: check the host, create the cluster network and
// its proxy, the informer caches containers are started from, kube-proxy's sync loop, and the
// Unix-socket bridges by which pods reach the cluster DNS server and the API server.
import { rmSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { join } from 'node:path';
import type { Client } from '../client/client.ts';
import type { Informer } from '../client/informer.ts';
import { DiskImageStore } from '../images/store.ts';
import type { ImageStore } from '../images/types.ts';
import type { Clock } from '../util/clock.ts';
import { InformerLookups } from './lookups.ts';
import { ClusterNetwork, networkIdFor } from './network/cluster-network.ts';
import { splice } from './network/protocol.ts';
import { checkHost, ProcessRuntime } from './process-runtime.ts';
import { sweepMounts } from './sandbox.ts';
import { nodePortTargets, proxiedPorts, type NodePortTarget } from './service-proxy.ts';

export interface ProcessClusterOptions {
  client: Client;
  dataDir: string;
  serviceCidr: string;
  clusterDomain: string;
  clock: Clock;
  log: (m: string) => void;
  /** The endpoint controllers' informers, shared rather than watched twice. */
  services: Informer;
  endpointSlices: Informer;
  images?: ImageStore;
}

export interface ProcessCluster {
  runtime: ProcessRuntime;
  network: ClusterNetwork;
  images: ImageStore;
  /** Where the cluster DNS server and the API server listen (on the host's loopback). */
  setBackends(b: { dnsPort?: number; apiPort?: number }): void;
  run(signal: AbortSignal): Promise<void>;
  waitForSync(): Promise<unknown>;
  stop(): Promise<void>;
}

export class HostNotReadyError extends Error {}

export async function startProcessCluster(o: ProcessClusterOptions): Promise<ProcessCluster> {
  const missing = await checkHost();
  if (missing.length) {
    throw new HostNotReadyError(`the process runtime cannot start on this machine: it needs ${missing.join(', ')}. \`--runtime simulated\` (the default) works everywhere`);
  }
  const runDir = join(o.dataDir, 'run');
  const swept = (await sweepMounts(join(o.dataDir, 'pods'))) + (await sweepMounts(join('/run/k8ts', `k8ts-${networkIdFor(o.dataDir)}`)));
  if (swept) o.log(`process runtime: unmounted ${swept} container root filesystems left by a previous run`);
  const network = await ClusterNetwork.start({ id: networkIdFor(o.dataDir), serviceCidr: o.serviceCidr, runDir, log: o.log });
  const images = o.images ?? new DiskImageStore(join(o.dataDir, 'images'));
  const lookups = new InformerLookups(o.client, o.clusterDomain, { clock: o.clock, log: o.log, services: o.services });
  const runtime = new ProcessRuntime({ dir: o.dataDir, images, network, lookups, clock: o.clock, log: o.log });
  const backends: { dnsPort?: number; apiPort?: number } = {};
  const bridge = (name: string, port: () => number | undefined): Server => {
    const path = join(runDir, `${name}.sock`);
    rmSync(path, { force: true });
    const server = createServer((sock) => {
      const p = port();
      if (!p) return void sock.destroy();
      splice(sock, connect(p, '127.0.0.1'));
    });
    server.listen(path);
    return server;
  };
  const dnsBridge = bridge('dns', () => backends.dnsPort);
  const apiBridge = bridge('api', () => backends.apiPort);
  const nodePorts = new NodePortListeners(network, o.log);
  const local = { 'kube-system/kube-dns': join(runDir, 'dns.sock'), 'default/kubernetes': join(runDir, 'api.sock') };
  // kube-proxy's sync: coalesced, one table push at a time.
  let pending = false;
  let pushing: Promise<void> | undefined;
  const sync = () => {
    if (pending) return;
    pending = true;
    queueMicrotask(() => {
      pushing = (pushing ?? Promise.resolve()).then(async () => {
        pending = false;
        const ports = proxiedPorts(o.services.list() as never, o.endpointSlices.list() as never, local);
        await network.setServices(ports).catch((e: Error) => o.log(`service proxy: ${e.message}`));
        nodePorts.apply(nodePortTargets(o.services.list() as never));
      });
    });
  };
  for (const inf of [o.services, o.endpointSlices]) inf.addHandlers({ add: sync, update: sync, delete: sync });
  return {
    runtime,
    network,
    images,
    setBackends(b) {
      Object.assign(backends, b);
    },
    run: (signal) => lookups.run(signal),
    waitForSync: () => lookups.waitForSync(),
    async stop() {
      await runtime.close();
      dnsBridge.close();
      apiBridge.close();
      nodePorts.close();
      await network.stop();
      // Pods whose removal was still under way when the stop came leave no mounts behind.
      await sweepMounts(join(o.dataDir, 'pods'));
      await sweepMounts(join('/run/k8ts', network.netns));
      rmSync(join('/run/k8ts', network.netns), { recursive: true, force: true });
    },
  };
}

/** Listeners on 127.0.0.1:<nodePort>, each connection carried through the proxy to the Service. */
class NodePortListeners {
  private readonly open = new Map<number, { server: Server; target: NodePortTarget }>();

  constructor(
    private readonly network: ClusterNetwork,
    private readonly log: (m: string) => void,
  ) {}

  apply(targets: NodePortTarget[]): void {
    const wanted = new Map(targets.map((t) => [t.nodePort, t]));
    for (const [port, l] of this.open) {
      if (!wanted.has(port)) {
        l.server.close();
        this.open.delete(port);
      }
    }
    for (const [port, target] of wanted) {
      const l = this.open.get(port);
      if (l) {
        l.target = target;
        continue;
      }
      const entry = { target, server: createServer() };
      entry.server.on('connection', (sock) => {
        sock.pause();
        this.network.connect(entry.target.ip, entry.target.port).then(
          (up) => splice(sock, up),
          () => sock.destroy(),
        );
      });
      entry.server.on('error', (e) => this.log(`node port ${port}: ${e.message}`));
      entry.server.listen(port, '127.0.0.1');
      this.open.set(port, entry);
    }
  }

  close(): void {
    for (const l of this.open.values()) l.server.close();
    this.open.clear();
  }
}
