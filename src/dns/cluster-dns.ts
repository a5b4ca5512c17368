// Cluster DNS in one call: informers on namespaces, Services and EndpointSlices, the view over
// them, and the server. Like CoreDNS (startup_timeout 5s) it waits a while for the first lists
// before it listens; past that it serves anyway, answering SERVFAIL for names it cannot yet deny.
import type { Client } from '../client/client.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import { startDnsServer, type DnsServer, type DnsServerOptions } from './server.ts';
import { InformerDnsView, type DnsInformers } from './view.ts';

export interface ClusterDnsOptions extends Omit<DnsServerOptions, 'view'> {
  clock?: Clock;
  /** How long to wait for the informers before listening (default 5000 ms). */
  syncTimeoutMs?: number;
  /** Services and EndpointSlices informers another component already runs, to read instead of watching again. */
  shared?: Partial<Pick<DnsInformers, 'services' | 'endpointSlices'>>;
}

export interface ClusterDns extends DnsServer {
  readonly view: InformerDnsView;
}

export async function startClusterDns(client: Client, opts: ClusterDnsOptions = {}): Promise<ClusterDns> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? (() => {});
  const { view, run } = InformerDnsView.fromClient(client, { clock, log: (m) => log(`dns: ${m}`), shared: opts.shared });
  const abort = new AbortController();
  const running = run(abort.signal);
  let cancelTimer = () => {};
  const synced = await Promise.race([
    view.synced.then(() => true),
    new Promise<boolean>((resolve) => (cancelTimer = clock.setTimer(() => resolve(false), opts.syncTimeoutMs ?? 5000))),
  ]);
  cancelTimer();
  if (!synced) log('dns: starting with unsynced Kubernetes API');
  let server: DnsServer;
  try {
    server = await startDnsServer({ ...opts, view, log });
  } catch (e) {
    abort.abort();
    await running;
    throw e;
  }
  return {
    view,
    get host() {
      return server.host;
    },
    get port() {
      return server.port;
    },
    get stats() {
      return server.stats;
    },
    get upstreams() {
      return server.upstreams;
    },
    async close() {
      abort.abort();
      await Promise.all([server.close(), running]);
    },
  };
}
