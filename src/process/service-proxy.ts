// kube-proxy for the process runtime: turns Services and EndpointSlices into the table of cluster
// IP ports the proxy in the cluster network serves (netns-proxy.ts), each with its ready
// endpoints' addresses and target ports (an EndpointSlice port matches a Service port by name).
// Two Services are served by k8ts itself across Unix sockets: kube-dns by the cluster DNS server
// and `kubernetes` by the API server.
import type { KubeObject } from '../api/meta/types.ts';
import type { ProxiedPort } from './network/protocol.ts';

interface ServiceLite extends KubeObject {
  spec?: { clusterIP?: string; type?: string; ports?: { name?: string; port: number; protocol?: string; nodePort?: number }[] };
}

interface SliceLite extends KubeObject {
  addressType?: string;
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[];
  ports?: { name?: string; port?: number; protocol?: string }[];
}

/** Unix sockets serving Services by namespace/name (kube-system/kube-dns, default/kubernetes). */
export type LocalBackends = Record<string, string | undefined>;

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export function proxiedPorts(services: readonly ServiceLite[], slices: readonly SliceLite[], local: LocalBackends): ProxiedPort[] {
  const slicesOf = new Map<string, SliceLite[]>();
  for (const s of slices) {
    if (s.addressType && s.addressType !== 'IPv4') continue;
    const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svc) continue;
    const key = `${s.metadata.namespace}/${svc}`;
    const list = slicesOf.get(key) ?? [];
    list.push(s);
    slicesOf.set(key, list);
  }
  const out: ProxiedPort[] = [];
  for (const svc of services) {
    const ip = svc.spec?.clusterIP;
    if (!ip || ip === 'None' || svc.spec?.type === 'ExternalName') continue;
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    for (const p of svc.spec?.ports ?? []) {
      const protocol = (p.protocol ?? 'TCP') as 'TCP' | 'UDP';
      if (protocol !== 'TCP' && protocol !== 'UDP') continue;
      const unix = local[key];
      const endpoints: { ip: string; port: number }[] = [];
      if (!unix) {
        for (const s of slicesOf.get(key) ?? []) {
          const sp = (s.ports ?? []).find((x) => (x.name ?? '') === (p.name ?? '') && (x.protocol ?? 'TCP') === protocol);
          if (sp?.port === undefined) continue;
          for (const e of s.endpoints ?? []) {
            if (e.conditions?.ready === false) continue;
            for (const a of e.addresses) endpoints.push({ ip: a, port: sp.port });
          }
        }
      }
      out.push({ ip, port: p.port, protocol, endpoints, ...(unix ? { unix } : {}) });
    }
  }
  return out.sort((a, b) => (a.ip + a.port + a.protocol).localeCompare(b.ip + b.port + b.protocol));
}

/** A NodePort k8ts opens on the host's loopback, leading to its Service's cluster IP and port. */
export interface NodePortTarget {
  nodePort: number;
  ip: string;
  port: number;
}

/** TCP node ports of NodePort and LoadBalancer Services (UDP ones are not opened on the host). */
export function nodePortTargets(services: readonly ServiceLite[]): NodePortTarget[] {
  const out: NodePortTarget[] = [];
  for (const svc of services) {
    const ip = svc.spec?.clusterIP;
    if (!ip || ip === 'None' || (svc.spec?.type !== 'NodePort' && svc.spec?.type !== 'LoadBalancer')) continue;
    for (const p of svc.spec?.ports ?? []) {
      if ((p.protocol ?? 'TCP') === 'TCP' && p.nodePort) out.push({ nodePort: p.nodePort, ip, port: p.port });
    }
  }
  return out.sort((a, b) => a.nodePort - b.nodePort);
}
