// The record builder: one question and the cluster's DNS view in, the response sections out,
// following CoreDNS's kubernetes plugin (`pods insecure`, `fallthrough in-addr.arpa ip6.arpa`).
// Pure: no I/O. Names outside the zones, and name errors in the reverse zones, come back marked
// `forward`; an ExternalName whose target lies outside the zone comes back with its CNAME and a
// `chase` for the server to resolve upstream and append.
//
// Shape of the logic (as in CoreDNS): a lookup yields "entries" (address or target name, port,
// the entry's own domain) or a name error; each query type turns entries into records; a name
// error is NXDOMAIN (SERVFAIL until the view has synced), no records is NODATA, and both carry
// the zone's SOA in the authority section.
import type { Answer } from 'dns-packet';
import { DNS_SCHEMA_VERSION, formatIP, isSubdomain, lowerAscii, normalizeZone, parseIP, parseQueryLabels, podLabelToIP, REVERSE_ZONES, splitName, type QueryName } from './names.ts';
import { T, typeNumber, type Rcode } from './rrtypes.ts';
import type { DnsView } from './view.ts';

export interface DnsQuestion {
  /** Presentation form, as the query spelled it (case kept). */
  name: string;
  type: string | number;
  class?: string | number;
}

export interface RecordOptions {
  /** The cluster zone (default `cluster.local`). */
  zone?: string;
  /** TTL of the plugin's records (default 5, 0..3600). */
  ttl?: number;
  /** The DNS Service's cluster IP(s): NS glue and `ns.dns.<zone>`. */
  dnsIP?: string | readonly string[];
}

export interface DnsResult {
  rcode: Rcode;
  authoritative: boolean;
  answers: Answer[];
  authority: Answer[];
  additionals: Answer[];
  /** Not answered here: relay the query upstream (REFUSED when there is none). */
  forward?: boolean;
  /** Resolve this name upstream and append its answers after `answers` (ExternalName). */
  chase?: { name: string; type: 'A' | 'AAAA' };
  /** The matched zone as the query spelled it. */
  zone?: string;
}

export const DEFAULT_ZONE = 'cluster.local';
export const DEFAULT_TTL = 5;
/** TTL of the dns-version TXT record. */
export const DNS_VERSION_TTL = 28800;
const MAX_CNAME_CHAIN = 10;

const NAME_ERROR = Symbol('name error');
type NameError = typeof NAME_ERROR;

/** One thing a name resolves to: an address (or, for ExternalName, a target name). */
interface Entry {
  host: string;
  /** -1 for endpoints of a slice without ports (no SRV). */
  port: number;
  /** The entry's own domain: SRV target, NS name. */
  target: string;
  ttl: number;
  text?: string;
}

interface Ctx {
  view: DnsView;
  zones: string[];
  primary: string;
  ttl: number;
  dnsIPs: string[];
}

const rr = <A extends Answer>(a: A): A => ({ ...a, class: 'IN' });

export function buildResponse(view: DnsView, q: DnsQuestion, opts: RecordOptions = {}): DnsResult {
  const primary = normalizeZone(opts.zone ?? DEFAULT_ZONE);
  const ttl = Math.max(0, Math.min(3600, Math.floor(opts.ttl ?? DEFAULT_TTL)));
  const dnsIPs = (typeof opts.dnsIP === 'string' ? [opts.dnsIP] : (opts.dnsIP ?? [])).filter((ip) => parseIP(ip));
  const c: Ctx = { view, zones: [primary, ...REVERSE_ZONES], primary, ttl, dnsIPs };
  const qtype = typeNumber(q.type);
  const name = q.name.replace(/\.$/, '');
  const qn = parseQueryLabels(splitName(name), c.zones);
  if (qn.kind === 'outside') return forward();
  const zone = qn.zone.zone;

  if (qtype === T.AXFR || qtype === T.IXFR) return { rcode: 'REFUSED', authoritative: false, answers: [], authority: [], additionals: [], zone };

  let answers: Answer[] = [];
  let extra: Answer[] = [];
  let chase: DnsResult['chase'];
  let nameError = false;
  const atZone = qn.zone.base.length === 0;

  switch (qtype) {
    case T.A:
    case T.AAAA: {
      const r = address(c, name, qn, qtype, []);
      if (r === NAME_ERROR) nameError = true;
      else ({ records: answers, chase } = r);
      break;
    }
    case T.TXT: {
      const s = services(c, name, qn, qtype);
      if (s === NAME_ERROR) nameError = true;
      else answers = s.filter((e) => e.text !== undefined).map((e) => rr({ name, type: 'TXT', ttl: e.ttl, data: e.text! }));
      break;
    }
    case T.CNAME: {
      const s = services(c, name, qn, qtype);
      if (s === NAME_ERROR) nameError = true;
      else if (s.length && !parseIP(s[0]!.host)) answers = [rr({ name, type: 'CNAME', ttl: s[0]!.ttl, data: stripDot(s[0]!.host) })];
      break;
    }
    case T.PTR: {
      const r = ptr(c, name, qn);
      if (r === NAME_ERROR) nameError = true;
      else answers = r;
      break;
    }
    case T.MX: {
      // The plugin never has mail entries: the name exists (NODATA) or not.
      if (services(c, name, qn, qtype) === NAME_ERROR) nameError = true;
      break;
    }
    case T.SRV: {
      const r = srv(c, name, qn);
      if (r === NAME_ERROR) nameError = true;
      else ({ records: answers, extra } = r);
      break;
    }
    case T.SOA:
      // Only the zone itself has a SOA; below it a SOA query is NODATA whether or not the name exists.
      if (atZone) answers = [soa(c, zone)];
      break;
    default:
      if (qtype === T.NS && atZone) {
        ({ records: answers, extra } = ns(c, name, qn));
        break;
      }
      // Any other type (and NS below the apex): an A lookup tells NODATA from NXDOMAIN.
      if (address(c, name, qn, T.A, []) === NAME_ERROR) nameError = true;
  }

  if (nameError) {
    if (qn.zone.reverse) return forward();
    return negative(c, view.hasSynced ? 'NXDOMAIN' : 'SERVFAIL', zone);
  }
  if (!answers.length) return negative(c, 'NOERROR', zone);
  return { rcode: 'NOERROR', authoritative: true, answers, authority: [], additionals: extra, ...(chase ? { chase } : {}), zone };
}

function forward(): DnsResult {
  return { rcode: 'REFUSED', authoritative: false, answers: [], authority: [], additionals: [], forward: true };
}

function negative(c: Ctx, rcode: Rcode, zone: string): DnsResult {
  return { rcode, authoritative: true, answers: [], authority: [soa(c, zone)], additionals: [], zone };
}

/** The zone's SOA: owner and names in the query's spelling of the zone, serial from the view. */
function soa(c: Ctx, zone: string): Answer {
  return rr({
    name: zone,
    type: 'SOA',
    ttl: Math.min(c.ttl, 300),
    data: { mname: `ns.dns.${zone}`, rname: `hostmaster.${zone}`, serial: c.view.serial, refresh: 7200, retry: 1800, expire: 86400, minimum: c.ttl },
  });
}

const stripDot = (s: string) => s.replace(/\.$/, '');

// ---- lookups ------------------------------------------------------------------------------------

/** Entries for a name as asked with one type (CoreDNS Services). */
function services(c: Ctx, name: string, qn: Exclude<QueryName, { kind: 'outside' }>, qtype: number): Entry[] | NameError {
  if (qtype === T.TXT) {
    if (qn.kind === 'dnsVersion') return [{ host: '', port: 0, target: name, ttl: DNS_VERSION_TTL, text: DNS_SCHEMA_VERSION }];
    // Another name answers TXT with NODATA only if it has records of some other type.
    const r = records(c, qn);
    return r !== NAME_ERROR && r.length > 0 ? [] : NAME_ERROR;
  }
  if (qtype === T.NS) return c.dnsIPs.map((ip) => ({ host: ip, port: 0, target: `ns.dns.${qn.zone.zone}`, ttl: c.ttl }));
  if (qn.kind === 'nsName') {
    const fam = qtype === T.A ? 4 : qtype === T.AAAA ? 6 : 0;
    return c.dnsIPs.filter((ip) => parseIP(ip)!.family === fam).map((ip) => ({ host: ip, port: 0, target: name, ttl: c.ttl }));
  }
  const r = records(c, qn);
  // SRV has no answer for ExternalName targets.
  if (qtype === T.SRV && r !== NAME_ERROR) return r.filter((e) => parseIP(e.host));
  return r;
}

/** Entries by the A.2 grammar (CoreDNS Records). */
function records(c: Ctx, qn: Exclude<QueryName, { kind: 'outside' }>): Entry[] | NameError {
  switch (qn.kind) {
    case 'apex':
      return [];
    case 'namespace':
      return c.view.namespaceExists(qn.namespace) ? [] : NAME_ERROR;
    case 'pod': {
      if (!c.view.namespaceExists(qn.namespace)) return NAME_ERROR;
      const ip = podLabelToIP(qn.pod);
      if (!ip) return NAME_ERROR;
      return [{ host: ip, port: 0, target: `${qn.pod}.${qn.namespace}.pod.${qn.zone.zone}`, ttl: c.ttl }];
    }
    case 'service':
    case 'endpoint':
    case 'port':
      return findServices(c, qn);
    default:
      // invalid, too long, dns-version and ns.dns for other types, reverse names
      return NAME_ERROR;
  }
}

const portMatches = (wantPort: string, port: string, wantProto: string, proto: string) => (wantPort === '' || wantPort === port) && (wantProto === '' || wantProto === proto);

function findServices(c: Ctx, qn: Extract<QueryName, { kind: 'service' | 'endpoint' | 'port' }>): Entry[] | NameError {
  if (!c.view.namespaceExists(qn.namespace)) return NAME_ERROR;
  const svc = c.view.service(qn.namespace, qn.service);
  if (!svc) return NAME_ERROR;
  const endpoint = qn.kind === 'endpoint' ? qn.endpoint : '';
  const port = qn.kind === 'port' ? qn.port : '';
  const protocol = qn.kind === 'port' ? qn.protocol : '';
  const domain = `${svc.name}.${svc.namespace}.svc.${qn.zone.zone}`;
  const out: Entry[] = [];

  if (svc.type === 'ExternalName') {
    // No endpoints and no port names; an address as externalName gives no record at all.
    const host = svc.externalName ?? '';
    if (endpoint || port || protocol || !host || parseIP(stripDot(host))) return NAME_ERROR;
    return [{ host: stripDot(host), port: 0, target: domain, ttl: c.ttl }];
  }

  if (svc.headless || endpoint) {
    let found = false;
    for (const slice of c.view.endpointSlices(svc.namespace, svc.name)) {
      for (const a of slice.addresses) {
        if (endpoint && lowerAscii(a.label) !== endpoint) continue;
        for (const p of slice.ports) {
          if (!portMatches(port, p.name, protocol, p.protocol)) continue;
          found = true;
          out.push({ host: a.ip, port: p.port, target: `${a.label}.${domain}`, ttl: c.ttl });
        }
      }
    }
    return found ? out : NAME_ERROR;
  }

  let found = false;
  for (const p of svc.ports) {
    if (!portMatches(port, p.name, protocol, p.protocol)) continue;
    found = true;
    for (const ip of svc.clusterIPs) out.push({ host: ip, port: p.port, target: domain, ttl: c.ttl });
  }
  return found ? out : NAME_ERROR;
}

// ---- per type -----------------------------------------------------------------------------------

function parse(c: Ctx, name: string): QueryName {
  return parseQueryLabels(splitName(name), c.zones);
}

/** A/AAAA records, following ExternalName CNAMEs inside the zone and marking the first outside. */
function address(c: Ctx, name: string, qn: Exclude<QueryName, { kind: 'outside' }>, qtype: number, chain: Answer[]): { records: Answer[]; chase?: DnsResult['chase'] } | NameError {
  const s = services(c, name, qn, qtype);
  if (s === NAME_ERROR) return NAME_ERROR;
  const records: Answer[] = [];
  const seen = new Set<string>();
  let chase: DnsResult['chase'];
  for (const e of s) {
    const ip = parseIP(e.host);
    if (!ip) {
      const target = e.host;
      // x CNAME x (or a name below x) is a loop.
      if (isSubdomain(target, name) || chain.length > MAX_CNAME_CHAIN) continue;
      if (chain.some((r) => r.type === 'CNAME' && r.data === target)) continue;
      const cname = rr({ name, type: 'CNAME', ttl: e.ttl, data: target });
      if (isSubdomain(target, qn.zone.zone)) {
        const tq = parse(c, target);
        if (tq.kind === 'outside') continue;
        const next = address(c, target, tq, qtype, [...chain, cname]);
        if (next !== NAME_ERROR && next.records.length) {
          records.push(cname, ...next.records);
          chase ??= next.chase;
        }
      } else {
        records.push(cname);
        chase ??= { name: target, type: qtype === T.AAAA ? 'AAAA' : 'A' };
      }
      continue;
    }
    const text = formatIP(ip.bytes);
    if (ip.family === 4 && qtype === T.A && !seen.has(text)) {
      seen.add(text);
      records.push(rr({ name, type: 'A', ttl: e.ttl, data: text }));
    } else if (ip.family === 6 && qtype === T.AAAA && !seen.has(text)) {
      seen.add(text);
      records.push(rr({ name, type: 'AAAA', ttl: e.ttl, data: text }));
    }
  }
  return { records, chase };
}

/**
 * SRV: priority 0, weight floor(100/N) (N = entries before de-duplication, minimum 1); targets
 * are the entries' own domains; the additional section holds their addresses.
 */
function srv(c: Ctx, name: string, qn: Exclude<QueryName, { kind: 'outside' }>): { records: Answer[]; extra: Answer[] } | NameError {
  const s = services(c, name, qn, T.SRV);
  if (s === NAME_ERROR) return NAME_ERROR;
  const records: Answer[] = [];
  const extra: Answer[] = [];
  // CoreDNS: 100 / (100 × N) × 100, in floating point, floored.
  const weight = s.length ? Math.max(1, Math.floor((100 / (100 * s.length)) * 100)) : 0;
  const seenPort = new Set<string>();
  const seenAddr = new Set<string>();
  for (const e of s) {
    if (e.port === -1) continue;
    const ip = parseIP(e.host);
    if (!ip) continue;
    const portKey = `${e.target}\u0000${e.port}`;
    if (!seenPort.has(portKey)) {
      seenPort.add(portKey);
      records.push(rr({ name, type: 'SRV', ttl: e.ttl, data: { priority: 0, weight, port: e.port, target: e.target } }));
    }
    const text = formatIP(ip.bytes);
    const addrKey = `${e.target}\u0000${text}`;
    if (!seenAddr.has(addrKey)) {
      seenAddr.add(addrKey);
      extra.push(rr({ name: e.target, type: ip.family === 4 ? 'A' : 'AAAA', ttl: e.ttl, data: text }));
    }
  }
  return { records, extra };
}

/** PTR: a Service owning the cluster IP, else every ready endpoint with that address. */
function ptr(c: Ctx, name: string, qn: Exclude<QueryName, { kind: 'outside' }>): Answer[] | NameError {
  if (qn.kind !== 'reverse') {
    const r = records(c, qn);
    return r === NAME_ERROR ? NAME_ERROR : [];
  }
  if (!qn.ip) return NAME_ERROR;
  const targets: string[] = [];
  const svc = c.view.servicesWithClusterIP(qn.ip)[0];
  if (svc) targets.push(`${svc.name}.${svc.namespace}.svc.${c.primary}`);
  else for (const ref of c.view.endpointsWithIP(qn.ip)) targets.push(`${ref.label}.${ref.service}.${ref.namespace}.svc.${c.primary}`);
  if (!targets.length) return NAME_ERROR;
  return [...new Set(targets)].map((t) => rr({ name, type: 'PTR', ttl: c.ttl, data: t }));
}

/** NS at a zone apex: `ns.dns.<zone>` with the DNS Service's address as glue. */
function ns(c: Ctx, name: string, qn: Exclude<QueryName, { kind: 'outside' }>): { records: Answer[]; extra: Answer[] } {
  const s = services(c, name, qn, T.NS) as Entry[];
  const records: Answer[] = [];
  const extra: Answer[] = [];
  for (const e of s) {
    const ip = parseIP(e.host)!;
    extra.push(rr({ name: e.target, type: ip.family === 4 ? 'A' : 'AAAA', ttl: e.ttl, data: formatIP(ip.bytes) }));
    if (!records.length) records.push(rr({ name, type: 'NS', ttl: e.ttl, data: e.target }));
  }
  return { records, extra };
}
