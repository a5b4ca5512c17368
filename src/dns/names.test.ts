import { describe, expect, it } from 'vitest';
import { canonicalIP, endpointLabel, formatIP, isSubdomain, joinLabels, parseIP, parseQueryName, podLabelToIP, reverseName, reverseToIP, splitName, type QueryName } from './names.ts';

/** The parse without the zone details, plus the zone as spelled. */
function parsed(name: string, zone = 'cluster.local'): Record<string, unknown> {
  const q: QueryName = parseQueryName(name, zone);
  if (q.kind === 'outside') return { kind: 'outside' };
  const { zone: z, ...rest } = q;
  return { ...rest, zone: z.zone };
}

describe('parseQueryName: the A.2 grammar', () => {
  it.each<[string, Record<string, unknown>]>([
    ['cluster.local', { kind: 'apex', zone: 'cluster.local' }],
    ['cluster.local.', { kind: 'apex', zone: 'cluster.local' }],
    ['svc.cluster.local', { kind: 'apex', zone: 'cluster.local' }],
    ['pod.cluster.local', { kind: 'apex', zone: 'cluster.local' }],
    ['demo.svc.cluster.local', { kind: 'namespace', podOrSvc: 'svc', namespace: 'demo', zone: 'cluster.local' }],
    ['demo.pod.cluster.local', { kind: 'namespace', podOrSvc: 'pod', namespace: 'demo', zone: 'cluster.local' }],
    ['web.demo.svc.cluster.local', { kind: 'service', namespace: 'demo', service: 'web', zone: 'cluster.local' }],
    ['db-1.db.demo.svc.cluster.local', { kind: 'endpoint', namespace: 'demo', service: 'db', endpoint: 'db-1', zone: 'cluster.local' }],
    ['10-244-0-5.web.demo.svc.cluster.local', { kind: 'endpoint', namespace: 'demo', service: 'web', endpoint: '10-244-0-5', zone: 'cluster.local' }],
    ['_http._tcp.web.demo.svc.cluster.local', { kind: 'port', namespace: 'demo', service: 'web', port: 'http', protocol: 'tcp', zone: 'cluster.local' }],
    // Any two labels are port and protocol; the underscores are optional.
    ['http.tcp.web.demo.svc.cluster.local', { kind: 'port', namespace: 'demo', service: 'web', port: 'http', protocol: 'tcp', zone: 'cluster.local' }],
    ['x.y.z.web.demo.svc.cluster.local', { kind: 'invalid', reason: 'too-long', zone: 'cluster.local' }],
    ['foo.cluster.local', { kind: 'invalid', reason: 'not-svc-or-pod', zone: 'cluster.local' }],
    ['web.demo.cluster.local', { kind: 'invalid', reason: 'not-svc-or-pod', zone: 'cluster.local' }],
    ['10-244-0-11.demo.pod.cluster.local', { kind: 'pod', namespace: 'demo', pod: '10-244-0-11', zone: 'cluster.local' }],
    // Labels left of a pod address are read and ignored (up to two of them).
    ['x.10-244-0-11.demo.pod.cluster.local', { kind: 'pod', namespace: 'demo', pod: '10-244-0-11', zone: 'cluster.local' }],
    ['a.b.c.10-244-0-11.demo.pod.cluster.local', { kind: 'invalid', reason: 'too-long', zone: 'cluster.local' }],
    ['dns-version.cluster.local', { kind: 'dnsVersion', zone: 'cluster.local' }],
    ['ns.dns.cluster.local', { kind: 'nsName', zone: 'cluster.local' }],
    ['example.com', { kind: 'outside' }],
    ['local', { kind: 'outside' }],
    ['', { kind: 'outside' }],
    ['7.12.96.10.in-addr.arpa', { kind: 'reverse', ip: '10.96.12.7', zone: 'in-addr.arpa' }],
    ['12.96.10.in-addr.arpa', { kind: 'reverse', ip: undefined, zone: 'in-addr.arpa' }],
    ['in-addr.arpa', { kind: 'apex', zone: 'in-addr.arpa' }],
    ['256.12.96.10.in-addr.arpa', { kind: 'reverse', ip: undefined, zone: 'in-addr.arpa' }],
    [`1.${'0.'.repeat(29)}d.f.ip6.arpa`, { kind: 'reverse', ip: 'fd00::1', zone: 'ip6.arpa' }],
    [`${'0.'.repeat(29)}d.f.ip6.arpa`, { kind: 'reverse', ip: undefined, zone: 'ip6.arpa' }],
  ])('%s', (name, want) => {
    expect(parsed(name)).toEqual(want);
  });

  it('matches the zone case-insensitively, lowercases the labels and keeps the zone as spelled', () => {
    expect(parsed('WEB.Demo.SVC.Cluster.Local.')).toEqual({ kind: 'service', namespace: 'demo', service: 'web', zone: 'Cluster.Local' });
    expect(parsed('_HTTP._Tcp.web.demo.svc.cluster.local')).toMatchObject({ kind: 'port', port: 'http', protocol: 'tcp' });
  });

  it('serves another configured zone and leaves cluster.local outside it', () => {
    expect(parsed('web.demo.svc.k8ts.test', 'k8ts.test.')).toMatchObject({ kind: 'service', zone: 'k8ts.test' });
    expect(parsed('web.demo.svc.cluster.local', 'k8ts.test')).toEqual({ kind: 'outside' });
  });

  it('does not take a label containing a dot for two labels', () => {
    // `web.demo` as one label, then `svc`: a one-label namespace `web.demo`.
    expect(parsed('web\\.demo.svc.cluster.local')).toEqual({ kind: 'namespace', podOrSvc: 'svc', namespace: 'web.demo', zone: 'cluster.local' });
  });
});

describe('name helpers', () => {
  it('splits and joins with escapes', () => {
    expect(splitName('a.b.c.')).toEqual(['a', 'b', 'c']);
    expect(splitName('a\\.b.c')).toEqual(['a.b', 'c']);
    expect(splitName('.')).toEqual([]);
    expect(joinLabels(['a.b', 'c\\d'])).toBe('a\\.b.c\\\\d');
    expect(splitName(joinLabels(['a.b', 'c\\d']))).toEqual(['a.b', 'c\\d']);
  });

  it('tells subdomains', () => {
    expect(isSubdomain('a.b.Cluster.local', 'cluster.local.')).toBe(true);
    expect(isSubdomain('cluster.local', 'cluster.local')).toBe(true);
    expect(isSubdomain('xcluster.local', 'cluster.local')).toBe(false);
    expect(isSubdomain('local', 'cluster.local')).toBe(false);
  });
});

describe('addresses', () => {
  it.each<[string, string | undefined]>([
    ['10.244.0.11', '10.244.0.11'],
    ['010.244.0.11', undefined],
    ['10.244.0', undefined],
    ['10.244.0.256', undefined],
    ['fd00:0:0:0:0:0:0:1', 'fd00::1'],
    ['FD00::A', 'fd00::a'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::', '::'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['1::2::3', undefined],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['12345::1', undefined],
    ['example.com', undefined],
    ['', undefined],
  ])('canonicalIP(%s)', (ip, want) => {
    expect(canonicalIP(ip)).toBe(want);
  });

  it('formats IPv6 per RFC 5952 (longest zero run, not a single group)', () => {
    expect(formatIP(parseIP('1:0:2:0:0:0:3:4')!.bytes)).toBe('1:0:2::3:4');
    expect(formatIP(parseIP('1:0:2:3:4:5:6:7')!.bytes)).toBe('1:0:2:3:4:5:6:7');
  });

  it('reads reverse names', () => {
    expect(reverseToIP(['7', '12', '96', '10'], 'in-addr.arpa')).toBe('10.96.12.7');
    expect(reverseToIP(['7', '12', '96'], 'in-addr.arpa')).toBeUndefined();
    expect(reverseName('10.96.12.7')).toBe('7.12.96.10.in-addr.arpa');
    const v6 = reverseName('fd00::5')!;
    expect(v6.endsWith('.0.0.d.f.ip6.arpa')).toBe(true);
    expect(parseQueryName(v6, 'cluster.local')).toMatchObject({ kind: 'reverse', ip: 'fd00::5' });
  });

  it.each<[string, string | undefined]>([
    ['10-244-0-11', '10.244.0.11'],
    ['fd00--5', 'fd00::5'],
    ['fd00-0-0-0-0-0-0-5', 'fd00:0:0:0:0:0:0:5'],
    ['10-244-0', undefined],
    ['a-b-c-d', undefined],
    ['10-244--0-1', '10:244::0:1'], // a `--` makes it IPv6, and this one parses
    ['web', undefined],
  ])('podLabelToIP(%s)', (label, want) => {
    expect(podLabelToIP(label)).toBe(want);
  });

  it('names endpoints by hostname, else by dashed address', () => {
    expect(endpointLabel('10.244.0.11', 'db-0')).toBe('db-0');
    expect(endpointLabel('10.244.0.11')).toBe('10-244-0-11');
    expect(endpointLabel('fd00::5')).toBe('fd00--5');
  });
});
