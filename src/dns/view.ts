// What cluster DNS answers from: namespaces, Services and EndpointSlices, digested to the fields
// DNS reads and indexed so every lookup costs the size of its answer. The DnsIndex is fed object
// by object (tests feed it directly); InformerDnsView feeds it from three informers.
//
// EndpointSlices are attributed to their Service by the `kubernetes.io/service-name` label, and an
// endpoint contributes its addresses iff `conditions.ready` is true or absent (CoreDNS reads
// slices only; `serving`/`terminating` do not matter to DNS).
import type { KubeObject } from '../api/meta/types.ts';
import type { Client } from '../client/client.ts';
import { Informer } from '../client/informer.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import { digestEndpointSlice, digestService, type DnsEndpointSlice, type DnsService } from './digest.ts';
import { canonicalIP } from './names.ts';

export { digestEndpointSlice, digestService, SERVICE_NAME_LABEL, type DnsEndpointAddress, type DnsEndpointSlice, type DnsPort, type DnsService } from './digest.ts';

/** An endpoint address found by IP, for PTR answers. */
export interface DnsEndpointRef {
  namespace: string;
  service: string;
  label: string;
}

/** The data cluster DNS answers from. Names are lowercase; IPs are compared in canonical form. */
export interface DnsView {
  /** False until the first full list of every source is in. */
  readonly hasSynced: boolean;
  /** Bumps on every change that can alter an answer (cached responses are dropped then). */
  readonly generation: number;
  /** SOA serial: Unix time (seconds) of the last change. */
  readonly serial: number;
  namespaceExists(name: string): boolean;
  service(namespace: string, name: string): DnsService | undefined;
  endpointSlices(namespace: string, service: string): readonly DnsEndpointSlice[];
  /** Services having `ip` (canonical) among their cluster IPs. */
  servicesWithClusterIP(ip: string): readonly DnsService[];
  /** Ready endpoint addresses equal to `ip` (canonical), with their Service. */
  endpointsWithIP(ip: string): readonly DnsEndpointRef[];
}

const keyOf = (ns: string, name: string) => `${ns}/${name}`;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The indexed DNS data, fed object by object. */
export class DnsIndex implements DnsView {
  private readonly namespaces = new Set<string>();
  private readonly services = new Map<string, DnsService>();
  /** `ns/service` → slices by slice name. */
  private readonly slicesByService = new Map<string, Map<string, DnsEndpointSlice>>();
  private readonly sliceLists = new Map<string, DnsEndpointSlice[]>();
  /** `ns/slice` → the digest kept (to undo its index entries on update/delete). */
  private readonly slices = new Map<string, DnsEndpointSlice>();
  private readonly byClusterIP = new Map<string, Map<string, DnsService>>();
  /** canonical IP → `ns/slice` → refs. */
  private readonly byEndpointIP = new Map<string, Map<string, DnsEndpointRef[]>>();
  private syncedFlag = false;
  private gen = 0;
  private lastChange: number;

  constructor(private readonly now: () => number = () => Date.now()) {
    this.lastChange = Math.floor(now() / 1000);
  }

  get hasSynced(): boolean {
    return this.syncedFlag;
  }

  get generation(): number {
    return this.gen;
  }

  get serial(): number {
    return this.lastChange >>> 0;
  }

  namespaceExists(name: string): boolean {
    return this.namespaces.has(name);
  }

  service(namespace: string, name: string): DnsService | undefined {
    return this.services.get(keyOf(namespace, name));
  }

  endpointSlices(namespace: string, service: string): readonly DnsEndpointSlice[] {
    const key = keyOf(namespace, service);
    let list = this.sliceLists.get(key);
    if (!list) {
      const bySlice = this.slicesByService.get(key);
      if (!bySlice) return [];
      list = [...bySlice.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      this.sliceLists.set(key, list);
    }
    return list;
  }

  servicesWithClusterIP(ip: string): readonly DnsService[] {
    const m = this.byClusterIP.get(ip);
    return m ? [...m.values()] : [];
  }

  endpointsWithIP(ip: string): readonly DnsEndpointRef[] {
    const m = this.byEndpointIP.get(ip);
    if (!m) return [];
    const out: DnsEndpointRef[] = [];
    for (const refs of m.values()) out.push(...refs);
    return out;
  }

  /** Marks the first full lists as loaded (name errors stop being SERVFAIL). */
  markSynced(): void {
    if (this.syncedFlag) return;
    this.syncedFlag = true;
    this.changed();
  }

  upsertNamespace(obj: KubeObject): void {
    const name = obj.metadata.name ?? '';
    if (this.namespaces.has(name)) return;
    this.namespaces.add(name);
    this.changed();
  }

  deleteNamespace(obj: KubeObject): void {
    if (this.namespaces.delete(obj.metadata.name ?? '')) this.changed();
  }

  upsertService(obj: KubeObject): void {
    const svc = digestService(obj);
    const key = keyOf(svc.namespace, svc.name);
    const old = this.services.get(key);
    if (old && same(old, svc)) return;
    if (old) this.unindexService(key, old);
    this.services.set(key, svc);
    for (const ip of svc.clusterIPs) {
      const c = canonicalIP(ip);
      if (!c) continue;
      let m = this.byClusterIP.get(c);
      if (!m) this.byClusterIP.set(c, (m = new Map()));
      m.set(key, svc);
    }
    this.changed();
  }

  deleteService(obj: KubeObject): void {
    const key = keyOf(obj.metadata.namespace ?? '', obj.metadata.name ?? '');
    const old = this.services.get(key);
    if (!old) return;
    this.unindexService(key, old);
    this.services.delete(key);
    this.changed();
  }

  upsertEndpointSlice(obj: KubeObject): void {
    const key = keyOf(obj.metadata.namespace ?? '', obj.metadata.name ?? '');
    const digest = digestEndpointSlice(obj);
    const old = this.slices.get(key);
    if (!digest) {
      // The label may have been removed: the slice no longer counts.
      if (old) this.deleteEndpointSlice(obj);
      return;
    }
    if (old && same(old, digest)) return;
    if (old) this.unindexSlice(key, old);
    this.slices.set(key, digest);
    const svcKey = keyOf(digest.namespace, digest.service);
    let bySlice = this.slicesByService.get(svcKey);
    if (!bySlice) this.slicesByService.set(svcKey, (bySlice = new Map()));
    bySlice.set(digest.name, digest);
    this.sliceLists.delete(svcKey);
    for (const a of digest.addresses) {
      const c = canonicalIP(a.ip);
      if (!c) continue;
      let m = this.byEndpointIP.get(c);
      if (!m) this.byEndpointIP.set(c, (m = new Map()));
      let refs = m.get(key);
      if (!refs) m.set(key, (refs = []));
      refs.push({ namespace: digest.namespace, service: digest.service, label: a.label });
    }
    this.changed();
  }

  deleteEndpointSlice(obj: KubeObject): void {
    const key = keyOf(obj.metadata.namespace ?? '', obj.metadata.name ?? '');
    const old = this.slices.get(key);
    if (!old) return;
    this.unindexSlice(key, old);
    this.slices.delete(key);
    this.changed();
  }

  private unindexService(key: string, svc: DnsService): void {
    for (const ip of svc.clusterIPs) {
      const c = canonicalIP(ip);
      const m = c ? this.byClusterIP.get(c) : undefined;
      if (!m) continue;
      m.delete(key);
      if (!m.size) this.byClusterIP.delete(c!);
    }
  }

  private unindexSlice(key: string, slice: DnsEndpointSlice): void {
    const svcKey = keyOf(slice.namespace, slice.service);
    const bySlice = this.slicesByService.get(svcKey);
    if (bySlice) {
      bySlice.delete(slice.name);
      if (!bySlice.size) this.slicesByService.delete(svcKey);
    }
    this.sliceLists.delete(svcKey);
    for (const a of slice.addresses) {
      const c = canonicalIP(a.ip);
      const m = c ? this.byEndpointIP.get(c) : undefined;
      if (!m) continue;
      m.delete(key);
      if (!m.size) this.byEndpointIP.delete(c!);
    }
  }

  private changed(): void {
    this.gen++;
    this.lastChange = Math.floor(this.now() / 1000);
  }
}

export interface DnsInformers {
  namespaces: Informer;
  services: Informer;
  endpointSlices: Informer;
}

/** A DnsIndex kept current by shared informers (the caller runs them, or uses `fromClient`). */
export class InformerDnsView extends DnsIndex {
  /** Resolves once every informer has its first list in. */
  readonly synced: Promise<void>;

  constructor(informers: DnsInformers, opts: { clock?: Clock } = {}) {
    const clock = opts.clock ?? systemClock;
    super(() => clock.now());
    const { namespaces, services, endpointSlices } = informers;
    namespaces.addHandlers({ add: (o) => this.upsertNamespace(o), update: (_o, n) => this.upsertNamespace(n), delete: (o) => this.deleteNamespace(o) });
    services.addHandlers({ add: (o) => this.upsertService(o), update: (_o, n) => this.upsertService(n), delete: (o) => this.deleteService(o) });
    endpointSlices.addHandlers({ add: (o) => this.upsertEndpointSlice(o), update: (_o, n) => this.upsertEndpointSlice(n), delete: (o) => this.deleteEndpointSlice(o) });
    this.synced = Promise.all([namespaces.waitForSync(), services.waitForSync(), endpointSlices.waitForSync()]).then(() => this.markSynced());
  }

  /**
   * The view over the three informers, built on `client` except those `shared` gives (already
   * run by their owner, such as the endpoint controllers); `run` runs the ones built here.
   */
  static fromClient(
    client: Client,
    opts: { clock?: Clock; log?: (m: string) => void; shared?: Partial<Pick<DnsInformers, 'services' | 'endpointSlices'>> } = {},
  ): { view: InformerDnsView; informers: DnsInformers; run(signal: AbortSignal): Promise<void> } {
    const clock = opts.clock ?? systemClock;
    const own: Informer[] = [];
    const inf = (apiVersion: string, resource: string, namespaced: boolean) => {
      const i = new Informer(client.resource({ apiVersion, resource, namespaced }), { clock, log: opts.log });
      own.push(i);
      return i;
    };
    const informers: DnsInformers = {
      namespaces: inf('v1', 'namespaces', false),
      services: opts.shared?.services ?? inf('v1', 'services', true),
      endpointSlices: opts.shared?.endpointSlices ?? inf('discovery.k8s.io/v1', 'endpointslices', true),
    };
    const view = new InformerDnsView(informers, { clock });
    return {
      view,
      informers,
      run: async (signal) => {
        await Promise.all(own.map((i) => i.run(signal)));
      },
    };
  }
}
