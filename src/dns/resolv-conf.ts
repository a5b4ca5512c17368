// A pod's /etc/resolv.conf as the kubelet forms it (pkg/kubelet/network/dns):
//
//   ClusterFirst (default)   nameserver = cluster DNS; search <ns>.svc.<domain> svc.<domain> <domain>
//                            + the node's search domains (duplicates dropped); options ndots:5
//   ClusterFirstWithHostNet  the same, for hostNetwork pods
//   ClusterFirst+hostNetwork behaves as Default
//   Default                  the node's resolv.conf
//   None                     nothing but dnsConfig
//
// dnsConfig (nameservers, searches, options) is merged on top of any policy, duplicates dropped
// and options overriding by name. Then the limits: 3 name servers, 32 search domains of at most
// 253 characters and 2048 characters in all; what is cut is reported with the kubelet's
// DNSConfigForming event text. Written as containerd writes it: search, nameserver, options.

export interface ResolvConfFile {
  nameservers: string[];
  searches: string[];
  options: string[];
}

export interface PodDnsConfig {
  nameservers?: string[];
  searches?: string[];
  options?: { name: string; value?: string | null }[];
}

export interface PodDnsSpec {
  dnsPolicy?: string;
  hostNetwork?: boolean;
  dnsConfig?: PodDnsConfig | null;
}

export interface ResolvConfInput {
  /** The pod's spec (only dnsPolicy, hostNetwork and dnsConfig are read). */
  spec: PodDnsSpec;
  namespace: string;
  /** Cluster domain (kubelet --cluster-domain), e.g. cluster.local; '' for none. */
  clusterDomain: string;
  /** Cluster DNS address(es) (kubelet --cluster-dns); empty falls back to Default. */
  clusterDNS: string | readonly string[];
  /** The node's resolv.conf text; undefined is kubelet's `--resolv-conf=""`. */
  hostResolvConf?: string;
}

export interface DnsConfigWarning {
  reason: 'DNSConfigForming' | 'MissingClusterDNS';
  message: string;
}

export interface PodResolvConf extends ResolvConfFile {
  /** The file's text. */
  text: string;
  /** Warning events the kubelet records for the pod. */
  warnings: DnsConfigWarning[];
}

export const MAX_NAMESERVERS = 3;
export const MAX_SEARCH_PATHS = 32;
export const MAX_SEARCH_LIST_CHARS = 2048;
const MAX_SEARCH_PATH_CHARS = 253;
const DEFAULT_OPTIONS = ['ndots:5'];

/**
 * Parses resolv.conf as the kubelet does: `nameserver` lines accumulate, the last `search` and
 * the last `options` line win, a search domain's trailing dot is dropped, `#` starts a comment line.
 */
export function parseResolvConf(text: string): ResolvConfFile {
  const out: ResolvConfFile = { nameservers: [], searches: [], options: [] };
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#')) continue;
    const fields = trimmed.split(/\s+/).filter(Boolean);
    if (!fields.length) continue;
    if (fields[0] === 'nameserver' && fields.length >= 2) out.nameservers.push(fields[1]!);
    if (fields[0] === 'search') out.searches = fields.slice(1).map((s) => s.replace(/\.$/, ''));
    if (fields[0] === 'options') out.options = fields.slice(1);
  }
  return out;
}

/** resolv.conf text: search, then one nameserver line each, then options (empty parts left out). */
export function formatResolvConf(c: ResolvConfFile): string {
  let text = '';
  if (c.searches.length) text += `search ${c.searches.join(' ')}\n`;
  for (const ns of c.nameservers) text += `nameserver ${ns}\n`;
  if (c.options.length) text += `options ${c.options.join(' ')}\n`;
  return text;
}

const dedupe = (xs: readonly string[]) => [...new Set(xs)];

/** Options merged by name, later entries overriding earlier ones; order of first appearance. */
function mergeOptions(existing: readonly string[], extra: PodDnsConfig['options']): string[] {
  const m = new Map<string, string>();
  for (const op of existing) {
    const i = op.indexOf(':');
    if (i >= 0) m.set(op.slice(0, i), op.slice(i + 1));
    else m.set(op, '');
  }
  for (const op of extra ?? []) m.set(op.name, op.value ?? '');
  return [...m].map(([k, v]) => (v ? `${k}:${v}` : k));
}

export function computeResolvConf(input: ResolvConfInput): PodResolvConf {
  const warnings: DnsConfigWarning[] = [];
  const host: ResolvConfFile =
    input.hostResolvConf === undefined ? { nameservers: [], searches: [], options: [] } : parseResolvConf(input.hostResolvConf);
  const clusterDNS = typeof input.clusterDNS === 'string' ? (input.clusterDNS ? [input.clusterDNS] : []) : [...input.clusterDNS];
  const policy = input.spec.dnsPolicy ?? 'ClusterFirst';
  let kind: 'cluster' | 'host' | 'none';
  if (policy === 'None') kind = 'none';
  else if (policy === 'Default' || (policy === 'ClusterFirst' && input.spec.hostNetwork)) kind = 'host';
  else kind = 'cluster'; // ClusterFirst, ClusterFirstWithHostNet (and, as the kubelet falls back, anything else)

  let conf: ResolvConfFile = { nameservers: [...host.nameservers], searches: [...host.searches], options: [...host.options] };
  if (kind === 'none') conf = { nameservers: [], searches: [], options: [] };
  if (kind === 'cluster' && !clusterDNS.length) {
    warnings.push({
      reason: 'MissingClusterDNS',
      message: `kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.`,
    });
    kind = 'host';
  }
  if (kind === 'cluster') {
    const d = input.clusterDomain.replace(/\.$/, '');
    conf = {
      nameservers: [...clusterDNS],
      searches: d ? dedupe([`${input.namespace}.svc.${d}`, `svc.${d}`, d, ...host.searches]) : host.searches,
      options: [...DEFAULT_OPTIONS],
    };
  } else if (kind === 'host' && input.hostResolvConf === undefined) {
    // kubelet --resolv-conf="": the node's own resolver, no search.
    conf = { nameservers: ['127.0.0.1'], searches: ['.'], options: [] };
  }

  const dc = input.spec.dnsConfig;
  if (dc) {
    conf = {
      nameservers: dedupe([...conf.nameservers, ...(dc.nameservers ?? [])]),
      searches: dedupe([...conf.searches, ...(dc.searches ?? [])]),
      options: mergeOptions(conf.options, dc.options),
    };
  }

  if (conf.nameservers.length > MAX_NAMESERVERS) {
    conf.nameservers = conf.nameservers.slice(0, MAX_NAMESERVERS);
    warnings.push({
      reason: 'DNSConfigForming',
      message: `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${conf.nameservers.join(' ')}`,
    });
  }
  conf.searches = fitSearch(conf.searches, warnings);
  return { ...conf, text: formatResolvConf(conf), warnings };
}

function fitSearch(searches: string[], warnings: DnsConfigWarning[]): string[] {
  let exceeded = false;
  let s = searches;
  if (s.length > MAX_SEARCH_PATHS) {
    s = s.slice(0, MAX_SEARCH_PATHS);
    exceeded = true;
  }
  const short = s.filter((d) => d.length <= MAX_SEARCH_PATH_CHARS);
  if (short.length !== s.length) exceeded = true;
  s = short;
  const total = s.join(' ').length;
  if (total > MAX_SEARCH_LIST_CHARS) {
    // Drop domains from the end until the line fits.
    let cut = 0;
    let cutLen = 0;
    for (let i = s.length - 1; i >= 0; i--) {
      cutLen += s[i]!.length + 1;
      cut++;
      if (total - cutLen <= MAX_SEARCH_LIST_CHARS) break;
    }
    s = s.slice(0, s.length - cut);
    exceeded = true;
  }
  if (exceeded) {
    warnings.push({
      reason: 'DNSConfigForming',
      message: `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${s.join(' ')}`,
    });
  }
  return s;
}
