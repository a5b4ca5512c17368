// IP address checks shared by Service, Endpoints and EndpointSlice validation and the service
// IP allocator (k8s.io/utils/net: dotted IPv4 without leading zeros, as Go's net.ParseIP).

export const IP_ERROR = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

export function isIPv4Address(ip: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  return !!m && m.slice(1).every((o) => Number(o) <= 255 && String(Number(o)) === o);
}

/** An IPv4 address as above, or something shaped like an IPv6 one. */
export function isValidIPAddress(ip: string): boolean {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(ip)) return isIPv4Address(ip);
  return ip.includes(':') && /^[0-9a-fA-F:.]+$/.test(ip);
}
