// Query names of the cluster DNS zone: which zone a name falls in, and what the labels left of the
// zone ask for, read right to left as CoreDNS's kubernetes plugin reads them:
//
//   <zone>, svc.<zone>, pod.<zone>                 apex (exists, holds no address)
//   <ns>.svc.<zone> / <ns>.pod.<zone>              namespace only
//   <svc>.<ns>.svc.<zone>                          a Service
//   <endpoint>.<svc>.<ns>.svc.<zone>               one endpoint (hostname or dashed IP) of a Service
//   _<port>._<proto>.<svc>.<ns>.svc.<zone>         named port (a leading `_` is stripped from each)
//   <a-b-c-d>.<ns>.pod.<zone>                      a pod address (up to two more labels are ignored)
//   dns-version.<zone>                             the schema version TXT record
//   ns.dns.<zone>                                  the name server's own name
//   d.c.b.a.in-addr.arpa / nibbles.ip6.arpa        reverse names
//
// A last label other than `svc`/`pod` is invalid, and three or more labels left of the Service
// are too long; both are name errors. Names are compared case-insensitively (ASCII only); the
// zone keeps the case the query used, because answers echo it.

export const REVERSE_ZONES = ['in-addr.arpa', 'ip6.arpa'] as const;

/** The DNS schema version CoreDNS reports at dns-version.<zone>. */
export const DNS_SCHEMA_VERSION = '1.1.0';

export interface ZoneMatch {
  /** The matched zone as the query spelled it, without a trailing dot. */
  zone: string;
  /** The same zone lowercased (as configured). */
  zoneLower: string;
  reverse: boolean;
  /** Labels left of the zone, lowercased, in query order (leftmost first). */
  base: string[];
}

/** What a name inside one of the served zones asks for. */
export type ZoneName =
  | { kind: 'apex' }
  | { kind: 'dnsVersion' }
  | { kind: 'nsName' }
  | { kind: 'invalid'; reason: 'not-svc-or-pod' | 'too-long' }
  | { kind: 'namespace'; podOrSvc: 'svc' | 'pod'; namespace: string }
  | { kind: 'service'; namespace: string; service: string }
  | { kind: 'endpoint'; namespace: string; service: string; endpoint: string }
  | { kind: 'port'; namespace: string; service: string; port: string; protocol: string }
  | { kind: 'pod'; namespace: string; pod: string }
  /** A name in a reverse zone other than its apex; `ip` when it spells a whole address. */
  | { kind: 'reverse'; ip?: string };

export type QueryName = { kind: 'outside' } | (ZoneName & { zone: ZoneMatch });

/** Splits a presentation-form name into labels (`\.` and `\\` escape a dot or a backslash). */
export function splitName(name: string): string[] {
  if (name === '' || name === '.') return [];
  if (name.indexOf('\\') < 0) {
    const labels = name.split('.');
    if (labels[labels.length - 1] === '') labels.pop();
    return labels;
  }
  const labels: string[] = [];
  let cur = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === '\\' && i + 1 < name.length) {
      cur += name[++i];
    } else if (c === '.') {
      labels.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur !== '') labels.push(cur);
  return labels;
}

/** Joins labels into presentation form, escaping dots and backslashes inside labels. */
export function joinLabels(labels: readonly string[]): string {
  let out = '';
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (i > 0) out += '.';
    out += /[.\\]/.test(l) ? l.replace(/[.\\]/g, (c) => `\\${c}`) : l;
  }
  return out;
}

/** Lowercases A–Z only (DNS names are case-insensitive in ASCII alone). */
export function lowerAscii(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

/** Normalises a configured zone: lowercase, no leading or trailing dot. */
export function normalizeZone(zone: string): string {
  return lowerAscii(zone).replace(/^\.+|\.+$/g, '');
}

/** True when `name` equals `parent` or lies beneath it (both presentation form, any case). */
export function isSubdomain(name: string, parent: string): boolean {
  const n = splitName(lowerAscii(name));
  const p = splitName(lowerAscii(parent));
  if (p.length > n.length) return false;
  for (let i = 1; i <= p.length; i++) if (n[n.length - i] !== p[p.length - i]) return false;
  return true;
}

/** The longest of `zones` (lowercase, no trailing dot) that `labels` ends with. */
export function matchZone(labels: readonly string[], zones: readonly string[]): ZoneMatch | undefined {
  let best: { zl: string[]; zone: string } | undefined;
  for (const zone of zones) {
    const zl = splitName(zone);
    if (zl.length > labels.length || (best && best.zl.length >= zl.length)) continue;
    let ok = true;
    for (let i = 1; i <= zl.length; i++) {
      if (lowerAscii(labels[labels.length - i]!) !== zl[zl.length - i]) {
        ok = false;
        break;
      }
    }
    if (ok) best = { zl, zone };
  }
  if (!best) return undefined;
  const cut = labels.length - best.zl.length;
  return {
    zone: joinLabels(labels.slice(cut)),
    zoneLower: best.zone,
    reverse: (REVERSE_ZONES as readonly string[]).includes(best.zone),
    base: labels.slice(0, cut).map(lowerAscii),
  };
}

const stripUnderscore = (s: string) => (s.startsWith('_') ? s.slice(1) : s);

/** Reads the labels left of a zone (lowercased, leftmost first). */
export function parseZoneLabels(base: readonly string[], reverse: boolean, reverseZone = ''): ZoneName {
  const n = base.length;
  if (n === 0 || (n === 1 && (base[0] === 'svc' || base[0] === 'pod'))) return { kind: 'apex' };
  if (n === 1 && base[0] === 'dns-version') return { kind: 'dnsVersion' };
  if (n === 2 && base[0] === 'ns' && base[1] === 'dns') return { kind: 'nsName' };
  if (reverse) return { kind: 'reverse', ip: reverseToIP(base, reverseZone) };
  const podOrSvc = base[n - 1];
  if (podOrSvc !== 'svc' && podOrSvc !== 'pod') return { kind: 'invalid', reason: 'not-svc-or-pod' };
  const namespace = base[n - 2]!;
  if (n === 2) return { kind: 'namespace', podOrSvc, namespace };
  const service = base[n - 3]!;
  if (n > 5) return { kind: 'invalid', reason: 'too-long' };
  // For pods the label that would name a Service is the dashed address; anything left of it
  // (one or two labels) is read and then ignored, as CoreDNS does.
  if (podOrSvc === 'pod') return { kind: 'pod', namespace, pod: service };
  if (n === 3) return { kind: 'service', namespace, service };
  if (n === 4) return { kind: 'endpoint', namespace, service, endpoint: base[0]! };
  return { kind: 'port', namespace, service, port: stripUnderscore(base[0]!), protocol: stripUnderscore(base[1]!) };
}

/**
 * Parses a query name (presentation form, any case) against the cluster zone and the reverse
 * zones. Names in none of them are `outside` (forwarded upstream).
 */
export function parseQueryName(name: string, zone: string): QueryName {
  return parseQueryLabels(splitName(name), [normalizeZone(zone), ...REVERSE_ZONES]);
}

export function parseQueryLabels(labels: readonly string[], zones: readonly string[]): QueryName {
  const m = matchZone(labels, zones);
  if (!m) return { kind: 'outside' };
  return { ...parseZoneLabels(m.base, m.reverse, m.zoneLower), zone: m };
}

// ---- addresses ----------------------------------------------------------------------------------

/** Parses a dotted IPv4 address strictly (no leading zeros, as Go's net.ParseIP). */
export function parseIPv4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

/** Parses an IPv6 address (with `::` and an optional trailing dotted IPv4 part) to 16 bytes. */
export function parseIPv6(s: string): Uint8Array | undefined {
  if (s.length < 2 || s.length > 45 || s.indexOf(':') < 0) return undefined;
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return undefined;
  const head = dbl >= 0 ? s.slice(0, dbl) : s;
  const tail = dbl >= 0 ? s.slice(dbl + 2) : '';
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const g = items[i]!;
      if (i === items.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const h = groups(head);
  const t = groups(tail);
  if (!h || !t) return undefined;
  // A dotted part may only end the address.
  if (dbl >= 0 && head.includes('.')) return undefined;
  const total = h.length + t.length;
  if (dbl >= 0 ? total > 7 : total !== 8) return undefined;
  const all = [...h, ...new Array<number>(8 - total).fill(0), ...t];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

export interface ParsedIP {
  /** 4 for IPv4 and IPv4-mapped IPv6 (Go's To4), else 6. */
  family: 4 | 6;
  bytes: Uint8Array;
}

/** Parses an address the way Go's net.ParseIP + To4 classify it. */
export function parseIP(s: string): ParsedIP | undefined {
  const v4 = parseIPv4(s);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseIPv6(s);
  if (!v6) return undefined;
  const mapped = v6.subarray(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  return mapped ? { family: 4, bytes: v6.slice(12) } : { family: 6, bytes: v6 };
}

/** Formats an address: dotted IPv4, or RFC 5952 IPv6 (lowercase, longest zero run as `::`). */
export function formatIP(bytes: Uint8Array): string {
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

/** The canonical text of an address (index key for reverse lookups), or undefined. */
export function canonicalIP(s: string): string | undefined {
  const ip = parseIP(s);
  return ip ? formatIP(ip.bytes) : undefined;
}

/**
 * The address a reverse name spells: exactly four decimal labels under in-addr.arpa, or 32
 * nibble labels under ip6.arpa; anything else is undefined.
 */
export function reverseToIP(base: readonly string[], reverseZone: string): string | undefined {
  const labels = [...base].reverse();
  if (reverseZone === 'in-addr.arpa') {
    const ip = parseIP(labels.join('.'));
    return ip && ip.family === 4 ? formatIP(ip.bytes) : undefined;
  }
  if (reverseZone === 'ip6.arpa') {
    if (labels.length !== 32 || !labels.every((l) => /^[0-9a-f]$/.test(l))) return undefined;
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(labels.slice(i, i + 4).join(''));
    const ip = parseIP(groups.join(':'));
    return ip ? formatIP(ip.bytes) : undefined;
  }
  return undefined;
}

/** The reverse name of an address (`10.96.0.10` → `10.0.96.10.in-addr.arpa`). */
export function reverseName(ip: string): string | undefined {
  const p = parseIP(ip);
  if (!p) return undefined;
  if (p.family === 4) return `${[...p.bytes].reverse().join('.')}.in-addr.arpa`;
  const nibbles: string[] = [];
  for (const b of p.bytes) nibbles.push((b >> 4).toString(16), (b & 15).toString(16));
  return `${nibbles.reverse().join('.')}.ip6.arpa`;
}

/**
 * The address a pod label spells: exactly three dashes and no `--` is IPv4 (`10-244-1-5`),
 * anything else is read as IPv6 with dashes for colons (`fd00--5`). Undefined if not an address.
 */
export function podLabelToIP(label: string): string | undefined {
  const dashes = label.split('-').length - 1;
  const text = dashes === 3 && !label.includes('--') ? label.replace(/-/g, '.') : label.replace(/-/g, ':');
  return parseIP(text) ? text : undefined;
}

/** The DNS label of an endpoint: its hostname, else its address with `.`/`:` written as `-`. */
export function endpointLabel(ip: string, hostname?: string): string {
  if (hostname) return hostname;
  if (ip.includes('.')) return ip.replace(/\./g, '-');
  if (ip.includes(':')) return ip.replace(/:/g, '-');
  return '';
}
