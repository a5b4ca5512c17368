// Record type and class numbers, and their names in dns-packet's spelling.

export const T = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  HINFO: 13,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
} as const;

const TYPES: Record<string, number> = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, NULL: 10, PTR: 12, HINFO: 13, MX: 15, TXT: 16, RP: 17, AFSDB: 18,
  SIG: 24, KEY: 25, AAAA: 28, LOC: 29, SRV: 33, NAPTR: 35, KX: 36, CERT: 37, DNAME: 39, OPT: 41,
  APL: 42, DS: 43, SSHFP: 44, IPSECKEY: 45, RRSIG: 46, NSEC: 47, DNSKEY: 48, DHCID: 49, NSEC3: 50,
  NSEC3PARAM: 51, TLSA: 52, HIP: 55, CDS: 59, CDNSKEY: 60, SVCB: 64, HTTPS: 65, SPF: 99, TKEY: 249,
  TSIG: 250, IXFR: 251, AXFR: 252, ANY: 255, URI: 256, CAA: 257, TA: 32768, DLV: 32769,
};
const TYPE_NAMES = new Map(Object.entries(TYPES).map(([k, v]) => [v, k]));

const CLASSES: Record<string, number> = { IN: 1, CS: 2, CH: 3, HS: 4, ANY: 255 };
const CLASS_NAMES = new Map(Object.entries(CLASSES).map(([k, v]) => [v, k]));

/** A type number from a name (`A`, `srv`, `UNKNOWN_65280`, `TYPE65280`) or a number. */
export function typeNumber(t: string | number): number {
  if (typeof t === 'number') return t;
  const u = t.toUpperCase();
  const n = TYPES[u];
  if (n !== undefined) return n;
  const m = /^(?:UNKNOWN_|TYPE)(\d+)$/.exec(u);
  return m ? Number(m[1]) & 0xffff : 0;
}

/** dns-packet's name for a type number (`UNKNOWN_<n>` when it has none). */
export function typeName(n: number): string {
  return TYPE_NAMES.get(n) ?? `UNKNOWN_${n}`;
}

export function classNumber(c: string | number | undefined): number {
  if (c === undefined) return 1;
  if (typeof c === 'number') return c;
  const u = c.toUpperCase();
  const n = CLASSES[u];
  if (n !== undefined) return n;
  const m = /^(?:UNKNOWN_|CLASS)(\d+)$/.exec(u);
  return m ? Number(m[1]) & 0xffff : 1;
}

export function className(n: number): string {
  return CLASS_NAMES.get(n) ?? `UNKNOWN_${n}`;
}

export const RCODES = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export type Rcode = keyof typeof RCODES;
