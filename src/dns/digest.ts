// The DNS-relevant digest of Services and EndpointSlices: what cluster DNS answers from, and what
// the dashboard shows as the names a Service answers. Pure, free of Node's modules (the dashboard
// runs it in the browser).
import type { KubeObject } from '../api/meta/types.ts';
import { endpointLabel } from './names.ts';

export interface DnsPort {
  /** Lowercased port name ('' when unnamed). */
  name: string;
  /** -1 marks a slice without ports (addresses only, no SRV). */
  port: number;
  /** Lowercased protocol ('tcp', 'udp', 'sctp'). */
  protocol: string;
}

export interface DnsService {
  namespace: string;
  name: string;
  type: string;
  headless: boolean;
  /** Allocated cluster IPs (both families for dual stack); empty for headless and ExternalName. */
  clusterIPs: readonly string[];
  /** The target of an ExternalName Service. */
  externalName?: string;
  ports: readonly DnsPort[];
}

export interface DnsEndpointAddress {
  ip: string;
  /** The endpoint's DNS label: its hostname, else the dashed address. */
  label: string;
}

export interface DnsEndpointSlice {
  namespace: string;
  /** The slice's own name. */
  name: string;
  /** The Service it belongs to (label kubernetes.io/service-name). */
  service: string;
  /** The slice's ports, or one port -1 when it has none. */
  ports: readonly DnsPort[];
  /** Addresses of ready endpoints, in slice order. */
  addresses: readonly DnsEndpointAddress[];
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

const lower = (s: unknown) => (typeof s === 'string' ? s.toLowerCase() : '');

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  externalName?: string;
  ports?: { name?: string; port?: number; protocol?: string }[];
}

/** The DNS-relevant digest of a Service object. */
export function digestService(obj: KubeObject): DnsService {
  const spec = (obj.spec ?? {}) as ServiceSpec;
  const type = spec.type ?? 'ClusterIP';
  const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  const headless = type !== 'ExternalName' && ips[0] === 'None';
  const svc: DnsService = {
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name ?? '',
    type,
    headless,
    clusterIPs: type === 'ExternalName' || headless ? [] : ips.filter((ip) => ip && ip !== 'None'),
    ports: (spec.ports ?? []).map((p) => ({ name: lower(p.name), port: p.port ?? 0, protocol: lower(p.protocol ?? 'TCP') })),
  };
  if (type === 'ExternalName') svc.externalName = spec.externalName ?? '';
  return svc;
}

interface SliceObject extends KubeObject {
  addressType?: string;
  endpoints?: { addresses?: string[]; conditions?: { ready?: boolean | null }; hostname?: string }[] | null;
  ports?: { name?: string | null; port?: number | null; protocol?: string | null }[] | null;
}

/** The DNS-relevant digest of an EndpointSlice (undefined when it names no Service). */
export function digestEndpointSlice(obj: KubeObject): DnsEndpointSlice | undefined {
  const slice = obj as SliceObject;
  const service = slice.metadata.labels?.[SERVICE_NAME_LABEL];
  if (!service || slice.addressType === 'FQDN') return undefined;
  const ports: DnsPort[] = slice.ports?.length
    ? slice.ports.map((p) => ({ name: lower(p.name ?? ''), port: p.port ?? -1, protocol: lower(p.protocol ?? '') }))
    : [{ name: '', port: -1, protocol: '' }];
  const addresses: DnsEndpointAddress[] = [];
  for (const ep of slice.endpoints ?? []) {
    const ready = ep.conditions?.ready;
    if (ready === false) continue;
    for (const ip of ep.addresses ?? []) addresses.push({ ip, label: endpointLabel(ip, ep.hostname) });
  }
  return { namespace: slice.metadata.namespace ?? '', name: slice.metadata.name ?? '', service, ports, addresses };
}

