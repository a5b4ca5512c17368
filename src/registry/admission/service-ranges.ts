// The service network's address and port ranges, and the choice of a free value in them
// (pkg/registry/core/service/ipallocator and portallocator). Pure: the caller says what is taken.
//
// Both ranges are split in two bands (KEP-3070 for IPs, KEP-3668 for node ports): dynamic
// allocation draws from the upper band first, so the lower band stays free for values users and
// add-ons pick themselves (kube-dns's tenth address, say) and those rarely collide.
import { isIPv4Address } from '../../api/validation/ip.ts';

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/16';
export const NODE_PORT_RANGE = { first: 30000, last: 32767 } as const;

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export interface ServiceCidr {
  /** As given, for messages: `10.96.0.0/16`. */
  cidr: string;
  /** The network address as a number. */
  base: number;
  /** Addresses in the block, network and broadcast included. */
  size: number;
}

/** Parses an IPv4 CIDR for the service network, or throws a message a person can act on. */
export function parseServiceCidr(cidr: string): ServiceCidr {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr.trim());
  const bits = m ? Number(m[2]) : NaN;
  if (!m || !isIPv4Address(m[1]!) || bits < 8 || bits > 30) {
    throw new Error(`invalid service CIDR ${JSON.stringify(cidr)}: want an IPv4 block from /8 to /30, such as 10.96.0.0/16`);
  }
  const size = 2 ** (32 - bits);
  const base = ipToInt(m[1]!) - (ipToInt(m[1]!) % size);
  return { cidr: `${intToIp(base)}/${bits}`, base, size };
}

/** The n-th address of the block (1: the `kubernetes` Service's, 10: kube-dns's). */
export function nthAddress(r: ServiceCidr, n: number): string {
  return intToIp(r.base + n);
}

/** Whether ip may be handed out: inside the block, neither its network nor its broadcast address. */
export function inServiceRange(r: ServiceCidr, ip: string): boolean {
  if (!isIPv4Address(ip)) return false;
  const n = ipToInt(ip);
  return n > r.base && n < r.base + r.size - 1;
}

/**
 * Picks a free value from [first, last], upper band first, starting at a random point (`rand` in
 * [0, 1)) so that concurrent clusters and restarts do not march through the range in step.
 */
export function pickFree(first: number, last: number, lowerBand: number, taken: (n: number) => boolean, rand: number): number | undefined {
  const split = Math.min(first + lowerBand, last + 1);
  const bands: [number, number][] = [
    [split, last],
    [first, split - 1],
  ];
  for (const [lo, hi] of bands) {
    const count = hi - lo + 1;
    if (count <= 0) continue;
    const start = Math.floor(rand * count);
    for (let i = 0; i < count; i++) {
      const n = lo + ((start + i) % count);
      if (!taken(n)) return n;
    }
  }
  return undefined;
}

/** Size of the IP range's static band: min(max(16, size/16), 256). */
export function ipLowerBand(r: ServiceCidr): number {
  return Math.min(Math.max(16, Math.floor((r.size - 2) / 16)), 256);
}

/** Size of the node port range's static band: min(max(16, size/32), 128). */
export function portLowerBand(first: number, last: number): number {
  return Math.min(Math.max(16, Math.floor((last - first + 1) / 32)), 128);
}
