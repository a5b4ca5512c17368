// Object builders and record formatting shared by the DNS tests.
import type { Answer } from 'dns-packet';
import type { KubeObject } from '../api/meta/types.ts';
import { DnsIndex, SERVICE_NAME_LABEL } from './view.ts';

export const namespace = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

export interface PortSpec {
  name?: string;
  port: number;
  protocol?: string;
}

export function service(ns: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec: { type: 'ClusterIP', ...spec } };
}

export const clusterIP = (ns: string, name: string, ips: string | string[], ports: PortSpec[]) =>
  service(ns, name, { clusterIP: Array.isArray(ips) ? ips[0] : ips, clusterIPs: Array.isArray(ips) ? ips : [ips], ports: ports.map((p) => ({ protocol: 'TCP', ...p })) });

export const headless = (ns: string, name: string, ports: PortSpec[] = []) =>
  service(ns, name, { clusterIP: 'None', clusterIPs: ['None'], ports: ports.map((p) => ({ protocol: 'TCP', ...p })) });

export const externalName = (ns: string, name: string, target: string) => service(ns, name, { type: 'ExternalName', externalName: target });

export interface EndpointSpec {
  ip: string | string[];
  hostname?: string;
  /** undefined = condition absent (counts as ready). */
  ready?: boolean;
}

export function endpointSlice(ns: string, name: string, svc: string, endpoints: EndpointSpec[], ports: PortSpec[] = [], addressType = 'IPv4'): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: ns, name, labels: { [SERVICE_NAME_LABEL]: svc } },
    addressType,
    endpoints: endpoints.map((e) => ({
      addresses: Array.isArray(e.ip) ? e.ip : [e.ip],
      ...(e.ready === undefined ? {} : { conditions: { ready: e.ready, serving: e.ready, terminating: false } }),
      ...(e.hostname ? { hostname: e.hostname } : {}),
    })),
    ports: ports.map((p) => ({ protocol: 'TCP', ...p })),
  } as unknown as KubeObject;
}

/** A synced index holding the given objects. */
export function indexOf(objects: KubeObject[], opts: { synced?: boolean; now?: () => number } = {}): DnsIndex {
  const v = new DnsIndex(opts.now);
  for (const o of objects) {
    if (o.kind === 'Namespace') v.upsertNamespace(o);
    else if (o.kind === 'Service') v.upsertService(o);
    else v.upsertEndpointSlice(o);
  }
  if (opts.synced !== false) v.markSynced();
  return v;
}

/** A record in zone-file form: `name. ttl IN TYPE data`. */
export function rrText(a: Answer): string {
  const r = a as { name: string; type: string; ttl?: number; data?: unknown };
  const fq = (n: string) => `${n.replace(/\.$/, '')}.`;
  let data: string;
  switch (r.type) {
    case 'SRV': {
      const d = r.data as { priority: number; weight: number; port: number; target: string };
      data = `${d.priority} ${d.weight} ${d.port} ${fq(d.target)}`;
      break;
    }
    case 'SOA': {
      const d = r.data as { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };
      data = `${fq(d.mname)} ${fq(d.rname)} ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`;
      break;
    }
    case 'CNAME':
    case 'PTR':
    case 'NS':
      data = fq(String(r.data));
      break;
    case 'TXT': {
      const parts = Array.isArray(r.data) ? r.data : [r.data];
      data = parts.map((p) => JSON.stringify(Buffer.isBuffer(p) ? p.toString() : String(p))).join(' ');
      break;
    }
    default:
      data = String(r.data);
  }
  return `${fq(r.name)} ${r.ttl} IN ${r.type} ${data}`;
}
