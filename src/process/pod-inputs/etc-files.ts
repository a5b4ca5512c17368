// The files every container gets besides its volumes: /etc/hosts (the kubelet's managed hosts
// file, makeHostsMount), /etc/hostname and /etc/resolv.conf (written by the CRI runtime for the
// sandbox), and the termination message file. They live in the pod's directory.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDNS1123Label } from '../../api/validation/names.ts';
import type { Container, Pod } from './types.ts';
import type { ContainerMount } from './volumes.ts';

export interface HostAlias {
  ip: string;
  hostnames?: string[];
}

export interface EtcOptions {
  hostname: string;
  subdomain?: string;
  namespace: string;
  clusterDomain: string;
  podIPs: string[];
  hostAliases?: HostAlias[];
  /** The pod's resolv.conf text (src/dns/resolv-conf.ts forms it). */
  resolvConf: string;
  hostNetwork?: boolean;
  /** The node's hosts file, for hostNetwork pods (default: read /etc/hosts). */
  nodeHostsFile?: string;
}

function aliasLines(aliases: HostAlias[] | undefined): string {
  if (!aliases?.length) return '';
  return `\n# Entries added by HostAliases.\n${aliases.map((a) => `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`).join('')}`;
}

/** managedHostsFileContent / nodeHostsFileContent. `domain` is `<subdomain>.<ns>.svc.<cluster>` or "". */
export function hostsFileContent(o: { podIPs: string[]; hostname: string; domain: string; hostAliases?: HostAlias[]; hostNetwork?: boolean; nodeHostsFile?: string }): string {
  if (o.hostNetwork) return `# Kubernetes-managed hosts file (host network).\n${o.nodeHostsFile ?? ''}${aliasLines(o.hostAliases)}`;
  let s =
    '# Kubernetes-managed hosts file.\n' +
    '127.0.0.1\tlocalhost\n' +
    '::1\tlocalhost ip6-localhost ip6-loopback\n' +
    'fe00::0\tip6-localnet\n' +
    'fe00::0\tip6-mcastprefix\n' +
    'fe00::1\tip6-allnodes\n' +
    'fe00::2\tip6-allrouters\n';
  for (const ip of o.podIPs) s += o.domain ? `${ip}\t${o.hostname}.${o.domain}\t${o.hostname}\n` : `${ip}\t${o.hostname}\n`;
  return s + aliasLines(o.hostAliases);
}

/**
 * The pod's hostname and domain (GeneratePodHostNameAndDomain): spec.hostname or the pod name,
 * cut to 63 characters without a trailing `-` or `.`; the domain only with a subdomain.
 */
export function podHostnameAndDomain(pod: Pod, clusterDomain: string): { hostname: string; domain: string } {
  const spec = pod.spec ?? {};
  let hostname = pod.metadata.name ?? '';
  if (spec.hostname) {
    const msgs = isDNS1123Label(spec.hostname);
    if (msgs.length) throw new Error(`pod Hostname "${spec.hostname}" is not a valid DNS label: ${msgs.join(';')}`);
    hostname = spec.hostname;
  }
  if (hostname.length > 63) {
    hostname = hostname.slice(0, 63).replace(/[-.]+$/, '');
    if (!hostname) throw new Error(`hostname for pod "${pod.metadata.name ?? ''}" was invalid: "${spec.hostname ?? pod.metadata.name ?? ''}"`);
  }
  let domain = '';
  if (spec.subdomain) {
    const msgs = isDNS1123Label(spec.subdomain);
    if (msgs.length) throw new Error(`pod Subdomain "${spec.subdomain}" is not a valid DNS label: ${msgs.join(';')}`);
    domain = `${spec.subdomain}.${pod.metadata.namespace ?? 'default'}.svc.${clusterDomain}`;
  }
  return { hostname, domain };
}

function writeFile0644(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o644 });
  chmodSync(path, 0o644);
}

/**
 * Writes <podDir>/etc-hosts, hostname and resolv.conf and returns their mounts. /etc/hosts is
 * left out while a pod-network pod has no IP yet, as the kubelet does.
 */
export function etcFiles(podDir: string, o: EtcOptions): ContainerMount[] {
  mkdirSync(podDir, { recursive: true });
  const mounts: ContainerMount[] = [];
  if (o.podIPs.length > 0 || o.hostNetwork) {
    const domain = o.subdomain ? `${o.subdomain}.${o.namespace}.svc.${o.clusterDomain}` : '';
    const nodeHostsFile = o.hostNetwork ? (o.nodeHostsFile ?? readFileSync('/etc/hosts', 'utf8')) : undefined;
    const path = join(podDir, 'etc-hosts');
    writeFile0644(path, hostsFileContent({ podIPs: o.podIPs, hostname: o.hostname, domain, hostAliases: o.hostAliases, hostNetwork: o.hostNetwork, nodeHostsFile }));
    mounts.push({ source: path, destination: '/etc/hosts', readOnly: false });
  }
  const hostname = join(podDir, 'hostname');
  writeFile0644(hostname, `${o.hostname}\n`);
  mounts.push({ source: hostname, destination: '/etc/hostname', readOnly: false });
  const resolv = join(podDir, 'resolv.conf');
  writeFile0644(resolv, o.resolvConf);
  mounts.push({ source: resolv, destination: '/etc/resolv.conf', readOnly: false });
  return mounts;
}

/**
 * The termination message file of one container instance: <podDir>/containers/<name>/<id>,
 * mode 0666 so any user in the container can write it, mounted at terminationMessagePath.
 */
export function terminationLogMount(podDir: string, container: Pick<Container, 'name' | 'terminationMessagePath'>, instanceId: string): ContainerMount {
  const dir = join(podDir, 'containers', container.name);
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  const path = join(dir, instanceId);
  writeFileSync(path, '', { mode: 0o666 });
  chmodSync(path, 0o666);
  return { source: path, destination: container.terminationMessagePath || '/dev/termination-log', readOnly: false };
}
