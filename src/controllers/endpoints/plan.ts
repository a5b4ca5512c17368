// The Endpoints controller's decisions (pkg/controller/endpoint/endpoints_controller.go
// syncService, addEndpointSubset, truncateEndpoints; pkg/api/v1/endpoints RepackSubsets): what each
// pod contributes, how the subsets are packed, when the object is too big, and whether the stored
// Endpoints need a write. Pure.
import type { KubeObject } from '../../api/meta/types.ts';
import {
  findPort,
  HEADLESS_LABEL,
  isHeadlessIP,
  isPodReady,
  isServiceIPSet,
  OVER_CAPACITY_ANNOTATION,
  podIPs,
  podSpec,
  primaryFamily,
  familyOf,
  publishNotReady,
  rfc3339Nano,
  sameMap,
  shouldPodBeInEndpoints,
  shouldSetHostname,
  svcSpec,
  TRIGGER_TIME_ANNOTATION,
} from './pods.ts';

export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol?: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

/** Addresses an Endpoints object holds at most (maxCapacity). */
export const MAX_ENDPOINTS_CAPACITY = 1000;

/**
 * What one pod adds to the Service's Endpoints: its address (of the Service's primary family), in
 * addresses when ready (or the Service publishes not-ready addresses), else in
 * notReadyAddresses, with one port per Service port the pod resolves. A headless Service without
 * ports takes the address without ports; any other Service without ports takes nothing.
 * Undefined when the pod contributes nothing.
 */
export function podSubset(svc: KubeObject, pod: KubeObject): EndpointSubset | undefined {
  const publish = publishNotReady(svc);
  if (!shouldPodBeInEndpoints(pod, publish)) return undefined;
  const family = primaryFamily(svc);
  const ip = podIPs(pod).find((i) => familyOf(i) === family);
  if (!ip) return undefined;
  const spec = podSpec(pod);
  const address: EndpointAddress = { ip };
  if (shouldSetHostname(pod, svc)) address.hostname = spec.hostname;
  if (spec.nodeName) address.nodeName = spec.nodeName;
  address.targetRef = { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
  const svcPorts = svcSpec(svc).ports ?? [];
  const ports: EndpointPort[] = [];
  if (svcPorts.length === 0) {
    if (!isHeadlessIP(svc)) return undefined;
  } else {
    for (const sp of svcPorts) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      ports.push(endpointPort(sp.name, port, sp.protocol ?? 'TCP', sp.appProtocol));
    }
    if (ports.length === 0) return undefined;
  }
  return publish || isPodReady(pod) ? { addresses: [address], ports } : { notReadyAddresses: [address], ports };
}

function endpointPort(name: string | undefined, port: number, protocol: string, appProtocol: string | undefined): EndpointPort {
  const p: EndpointPort = name ? { name, port, protocol } : { port, protocol };
  if (appProtocol) p.appProtocol = appProtocol;
  return p;
}

// Keys of ports and addresses, remembered per object: a controller repacks the same (cached)
// objects of thousands of pods on every sync.
const portKeys = new WeakMap<EndpointPort, string>();
const addressKeys = new WeakMap<EndpointAddress, string>();
function portKey(p: EndpointPort): string {
  let k = portKeys.get(p);
  if (k === undefined) portKeys.set(p, (k = `${p.name ?? ''}\u0000${p.port}\u0000${p.protocol ?? ''}\u0000${p.appProtocol ?? ''}`));
  return k;
}
function addressKey(a: EndpointAddress): string {
  let k = addressKeys.get(a);
  if (k === undefined) addressKeys.set(a, (k = `${a.ip}\u0000${a.targetRef?.uid ?? ''}`));
  return k;
}

/** LessEndpointAddress: by IP (as bytes), then by target uid (none first). */
export function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  const au = a.targetRef?.uid;
  const bu = b.targetRef?.uid;
  if (au === bu) return 0;
  if (bu === undefined) return 1;
  if (au === undefined) return -1;
  return au < bu ? -1 : 1;
}

/**
 * RepackSubsets: addresses offering the same set of ports share one subset; an address ready in
 * any subset is ready; addresses are sorted by IP; subsets without ports keep their addresses
 * (a headless Service without ports). Ports keep the order they were first seen in; subsets are
 * ordered by their first address (upstream orders them by a hash, i.e. arbitrarily but stably).
 */
export function repackSubsets(subsets: readonly EndpointSubset[]): EndpointSubset[] {
  const all = new Map<string, EndpointAddress>();
  // Per port (null: the no-ports sentinel), the addresses offering it and whether they are ready.
  const byPort = new Map<string, { port: EndpointPort | null; addrs: Map<string, boolean> }>();
  for (const ss of subsets) {
    const ports: (EndpointPort | null)[] = ss.ports?.length ? ss.ports : [null];
    for (const port of ports) {
      const pk = port ? portKey(port) : '';
      let entry = byPort.get(pk);
      if (!entry) byPort.set(pk, (entry = { port, addrs: new Map() }));
      for (const a of ss.addresses ?? []) {
        const k = addressKey(a);
        if (!all.has(k)) all.set(k, a);
        entry.addrs.set(k, true);
      }
      for (const a of ss.notReadyAddresses ?? []) {
        const k = addressKey(a);
        if (!all.has(k)) all.set(k, a);
        if (!entry.addrs.has(k)) entry.addrs.set(k, false);
      }
    }
  }
  // Ports offered by exactly the same addresses (with the same readiness) form one subset.
  const groups = new Map<string, { addrs: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const { port, addrs } of byPort.values()) {
    if (addrs.size === 0) continue;
    const key = byPort.size === 1 ? '' : [...addrs].map(([k, r]) => `${k}\u0000${r ? 1 : 0}`).sort().join('\u0001');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { addrs, ports: [] }));
    if (port) g.ports.push(port);
  }
  const out: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [k, r] of g.addrs) (r ? ready : notReady).push(all.get(k)!);
    ready.sort(compareAddresses);
    notReady.sort(compareAddresses);
    const ss: EndpointSubset = {};
    if (ready.length) ss.addresses = ready;
    if (notReady.length) ss.notReadyAddresses = notReady;
    if (g.ports.length) ss.ports = g.ports;
    out.push(ss);
  }
  const first = (ss: EndpointSubset) => (ss.addresses ?? ss.notReadyAddresses ?? [])[0]!;
  return out.sort((a, b) => compareAddresses(first(a), first(b)) || (portsKey(a) < portsKey(b) ? -1 : portsKey(a) > portsKey(b) ? 1 : 0));
}

const portsKey = (ss: EndpointSubset) => (ss.ports ?? []).map(portKey).join('\u0001');

export function countAddresses(subsets: readonly EndpointSubset[]): { ready: number; notReady: number } {
  let ready = 0;
  let notReady = 0;
  for (const ss of subsets) {
    ready += ss.addresses?.length ?? 0;
    notReady += ss.notReadyAddresses?.length ?? 0;
  }
  return { ready, notReady };
}

/**
 * truncateEndpoints: more than `max` addresses keep `max`. Ready addresses come first: if they
 * alone exceed the limit every not-ready address goes and each subset keeps its share of ready
 * ones (rounded up, the last subsets getting what is left); otherwise all ready addresses stay
 * and the not-ready ones are cut the same way. Returns undefined when nothing needs cutting.
 */
export function truncateSubsets(subsets: readonly EndpointSubset[], max = MAX_ENDPOINTS_CAPACITY): EndpointSubset[] | undefined {
  const { ready, notReady } = countAddresses(subsets);
  if (ready + notReady <= max) return undefined;
  const truncateReady = ready > max;
  const maxToKeep = truncateReady ? max : max - ready;
  const total = truncateReady ? ready : notReady;
  let canBeAdded = maxToKeep;
  const out: EndpointSubset[] = [];
  for (const ss of subsets) {
    const list = (truncateReady ? ss.addresses : ss.notReadyAddresses) ?? [];
    const share = Math.min(Math.ceil((list.length / total) * maxToKeep), canBeAdded);
    const kept = list.slice(0, share);
    canBeAdded -= kept.length;
    const next: EndpointSubset = {};
    if (truncateReady) {
      if (kept.length) next.addresses = kept;
    } else {
      if (ss.addresses?.length) next.addresses = ss.addresses;
      if (kept.length) next.notReadyAddresses = kept;
    }
    if (!next.addresses && !next.notReadyAddresses) continue;
    if (ss.ports) next.ports = ss.ports;
    out.push(next);
  }
  return out;
}

const refDigest = (r: ObjectReference | undefined) => (r ? `${r.kind ?? ''}/${r.namespace ?? ''}/${r.name ?? ''}/${r.uid ?? ''}` : '');
const addrDigest = (a: EndpointAddress) => `${a.ip}|${a.hostname ?? ''}|${a.nodeName ?? ''}|${refDigest(a.targetRef)}`;

/**
 * A canonical string of subsets for comparing them: the fields the controller writes, in a fixed
 * order, a target's resourceVersion ignored (endpointSubsetsEqualIgnoreResourceVersion).
 */
export function subsetsDigest(subsets: readonly EndpointSubset[] | undefined): string {
  let s = '';
  for (const ss of subsets ?? []) {
    s += 'S';
    for (const a of ss.addresses ?? []) s += `A${addrDigest(a)};`;
    for (const a of ss.notReadyAddresses ?? []) s += `N${addrDigest(a)};`;
    for (const p of ss.ports ?? []) s += `P${p.name ?? ''}|${p.port}|${p.protocol ?? 'TCP'}|${p.appProtocol ?? ''};`;
  }
  return s;
}

/** The labels an Endpoints object carries: the Service's, plus the headless label when it has no cluster IP. */
export function endpointsLabels(svc: KubeObject): Record<string, string> {
  const labels: Record<string, string> = { ...svc.metadata.labels };
  if (!isServiceIPSet(svc)) labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  return labels;
}

export type EndpointsPlan = { kind: 'none' } | { kind: 'create' | 'update'; endpoints: KubeObject };

export interface PlanEndpointsInput {
  svc: KubeObject;
  /** Repacked subsets of the selected pods. */
  subsets: EndpointSubset[];
  /** The Endpoints as cached, if any. */
  current: KubeObject | undefined;
  /** The last change trigger time (ms), undefined for none. */
  triggerTime?: number;
  /** The current Endpoints' subsets digest, when the caller has it cached. */
  currentDigest?: string;
}

/**
 * Whether the Endpoints need writing, and the object to write: subsets (truncated past the
 * capacity, with the over-capacity annotation), the Service's labels plus the headless label,
 * the last-change trigger time. Other labels are replaced and other annotations kept, as upstream.
 */
export function planEndpoints(input: PlanEndpointsInput): EndpointsPlan {
  const { svc, current } = input;
  const truncated = truncateSubsets(input.subsets);
  const subsets = truncated ?? input.subsets;
  const labels = endpointsLabels(svc);
  if (current) {
    const digest = input.currentDigest ?? subsetsDigest(current.subsets as EndpointSubset[] | undefined);
    const overCapacityNoted = current.metadata.annotations?.[OVER_CAPACITY_ANNOTATION] !== undefined;
    if (digest === subsetsDigest(subsets) && sameMap(current.metadata.labels ?? {}, labels) && overCapacityNoted === !!truncated) return { kind: 'none' };
  }
  const annotations: Record<string, string> = { ...current?.metadata.annotations };
  if (input.triggerTime !== undefined) annotations[TRIGGER_TIME_ANNOTATION] = rfc3339Nano(input.triggerTime);
  else delete annotations[TRIGGER_TIME_ANNOTATION];
  if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
  else delete annotations[OVER_CAPACITY_ANNOTATION];
  const metadata: KubeObject['metadata'] = current
    ? { ...current.metadata, labels }
    : { name: svc.metadata.name, namespace: svc.metadata.namespace, labels };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  const endpoints: KubeObject = { apiVersion: 'v1', kind: 'Endpoints', metadata };
  if (subsets.length) endpoints.subsets = subsets;
  return { kind: current ? 'update' : 'create', endpoints };
}
