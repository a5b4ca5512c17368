// The Services view: each Service with the names cluster DNS answers for it and what they answer,
// from the same digests of Services and EndpointSlices the DNS server uses (src/dns/digest.ts):
// a ClusterIP Service's name gives its cluster IPs; a headless Service's name gives its ready
// endpoints' addresses, and each endpoint has a name of its own (its hostname, as a StatefulSet's
// pods with serviceName get, else its dashed address); an ExternalName Service's name is a CNAME.
import type { KubeObject } from '../../api/meta/types.ts';
import { digestEndpointSlice, digestService } from '../../dns/digest.ts';
import type { Objects } from './objects.ts';

export interface DnsName {
  name: string;
  /** A records' addresses, or the CNAME target. */
  answers: string[];
  cname?: boolean;
}

export interface ServiceGlance {
  namespace: string;
  name: string;
  type: string;
  headless: boolean;
  /** Cluster IP, 'None' for headless. */
  clusterIP: string;
  ports: string[];
  selector: string;
  /** Ready endpoints' addresses. */
  endpoints: number;
  /** Not-ready endpoints are published too: the EndpointSlice controller marks them ready, so DNS answers them. */
  publishNotReadyAddresses: boolean;
  names: DnsName[];
}

type Spec = { publishNotReadyAddresses?: boolean; type?: string; clusterIP?: string; selector?: Record<string, string>; ports?: { name?: string; port?: number; targetPort?: number | string; protocol?: string; nodePort?: number }[] };

export function servicesView(objects: Pick<Objects, 'services' | 'endpointslices'>, clusterDomain = 'cluster.local'): ServiceGlance[] {
  const slicesBy = new Map<string, ReturnType<typeof digestEndpointSlice>[]>();
  for (const s of objects.endpointslices) {
    const d = digestEndpointSlice(s);
    if (!d) continue;
    const key = `${d.namespace}/${d.service}`;
    slicesBy.set(key, [...(slicesBy.get(key) ?? []), d]);
  }
  return [...objects.services]
    .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`))
    .map((svc: KubeObject): ServiceGlance => {
      const d = digestService(svc);
      const spec = (svc.spec ?? {}) as Spec;
      const fqdn = `${d.name}.${d.namespace}.svc.${clusterDomain}`;
      const addresses = (slicesBy.get(`${d.namespace}/${d.name}`) ?? []).flatMap((s) => s!.addresses);
      const names: DnsName[] = [];
      if (d.type === 'ExternalName') names.push({ name: fqdn, answers: [d.externalName ?? ''], cname: true });
      else if (d.headless) {
        names.push({ name: fqdn, answers: [...new Set(addresses.map((a) => a.ip))] });
        const byLabel = new Map<string, string[]>();
        for (const a of addresses) byLabel.set(a.label, [...(byLabel.get(a.label) ?? []), a.ip]);
        for (const [label, ips] of [...byLabel].sort((a, b) => a[0].localeCompare(b[0], undefined, { numeric: true }))) names.push({ name: `${label}.${fqdn}`, answers: ips });
      } else names.push({ name: fqdn, answers: [...d.clusterIPs] });
      return {
        namespace: d.namespace,
        name: d.name,
        type: d.type,
        headless: d.headless,
        clusterIP: d.headless ? 'None' : (spec.clusterIP ?? ''),
        ports: (spec.ports ?? []).map((p) => `${p.name ? `${p.name}:` : ''}${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`),
        selector: Object.entries(spec.selector ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
        endpoints: addresses.length,
        publishNotReadyAddresses: spec.publishNotReadyAddresses === true,
        names,
      };
    });
}
