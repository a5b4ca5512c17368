import type { Answer } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { reverseName } from './names.ts';
import { buildResponse, type DnsResult, type RecordOptions } from './records.ts';
import { clusterIP, endpointSlice, externalName, headless, indexOf, namespace, rrText } from './test-fixtures.ts';
import type { DnsView } from './view.ts';

// Section C fixture, in k8ts's ranges: Services in 10.96.0.0/16, pods in 10.244.N.0/24 (node-a is
// 10.244.0.0/24, node-b 10.244.1.0/24), cluster DNS at 10.96.0.10.
const NOW = Date.UTC(2026, 0, 1, 0, 0, 0);
const SERIAL = NOW / 1000;
const OPTS: RecordOptions = { zone: 'cluster.local', ttl: 5, dnsIP: '10.96.0.10' };
const SOA = `cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. ${SERIAL} 7200 1800 86400 5`;

const db3 = (ready: [boolean, boolean, boolean] = [true, true, true]) =>
  endpointSlice(
    'demo',
    'db-x7k2p',
    'db',
    [
      { ip: '10.244.0.11', hostname: 'db-0', ready: ready[0] },
      { ip: '10.244.0.12', hostname: 'db-1', ready: ready[1] },
      { ip: '10.244.1.13', hostname: 'db-2', ready: ready[2] },
    ],
    [{ name: 'pg', port: 5432 }],
  );

const fixture = () => [
  namespace('demo'),
  namespace('kube-system'),
  clusterIP('kube-system', 'kube-dns', '10.96.0.10', [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53 }]),
  // Case 1: ClusterIP with no endpoints at all.
  clusterIP('demo', 'web', '10.96.12.7', [{ name: 'http', port: 80 }]),
  // Case 5: headless Service of a StatefulSet with three ready pods.
  headless('demo', 'db', [{ name: 'pg', port: 5432 }]),
  db3(),
  // Case 9: ExternalName, and a selector-less headless Service with a mirrored slice.
  externalName('demo', 'ext', 'example.com'),
  headless('demo', 'legacy', [{ port: 5432 }]),
  endpointSlice('demo', 'legacy-abcde', 'legacy', [{ ip: '192.168.1.10', ready: true }], [{ name: '', port: 5432 }]),
];

function ask(view: DnsView, name: string, type: string, opts: RecordOptions = OPTS): DnsResult {
  return buildResponse(view, { name, type, class: 'IN' }, opts);
}

/** The result as text: rcode, AA, and each section's records (answers sorted, as order is free). */
function show(r: DnsResult) {
  return {
    rcode: r.rcode,
    aa: r.authoritative,
    answer: r.answers.map(rrText).sort(),
    authority: r.authority.map(rrText),
    additional: r.additionals.map(rrText).sort(),
    ...(r.forward ? { forward: true } : {}),
    ...(r.chase ? { chase: r.chase } : {}),
  };
}

const weightOf = (a: Answer) => ((a as { data: { weight: number } }).data).weight;

const nodata = { rcode: 'NOERROR', aa: true, answer: [], authority: [SOA], additional: [] };
const nxdomain = { rcode: 'NXDOMAIN', aa: true, answer: [], authority: [SOA], additional: [] };
const forwarded = { rcode: 'REFUSED', aa: false, answer: [], authority: [], additional: [], forward: true };

describe('section C cases 1-10 (DNS side)', () => {
  const view = indexOf(fixture(), { now: () => NOW });

  it('1: a ClusterIP Service has its A record with no endpoints', () => {
    expect(show(ask(view, 'web.demo.svc.cluster.local.', 'A'))).toEqual({ rcode: 'NOERROR', aa: true, answer: ['web.demo.svc.cluster.local. 5 IN A 10.96.12.7'], authority: [], additional: [] });
  });

  it('2: SRV for a named port, and NXDOMAIN for an unknown one', () => {
    expect(show(ask(view, '_http._tcp.web.demo.svc.cluster.local.', 'SRV'))).toEqual({
      rcode: 'NOERROR',
      aa: true,
      answer: ['_http._tcp.web.demo.svc.cluster.local. 5 IN SRV 0 100 80 web.demo.svc.cluster.local.'],
      authority: [],
      additional: ['web.demo.svc.cluster.local. 5 IN A 10.96.12.7'],
    });
    expect(show(ask(view, '_grpc._tcp.web.demo.svc.cluster.local.', 'SRV'))).toEqual(nxdomain);
  });

  it('3: NODATA for a missing type, NXDOMAIN for a missing Service or namespace, SOA in both', () => {
    expect(show(ask(view, 'web.demo.svc.cluster.local.', 'AAAA'))).toEqual(nodata);
    expect(show(ask(view, 'nope.demo.svc.cluster.local.', 'A'))).toEqual(nxdomain);
    expect(show(ask(view, 'x.nons.svc.cluster.local.', 'A'))).toEqual(nxdomain);
  });

  it('4: PTR of a cluster IP names the Service', () => {
    expect(show(ask(view, '7.12.96.10.in-addr.arpa.', 'PTR')).answer).toEqual(['7.12.96.10.in-addr.arpa. 5 IN PTR web.demo.svc.cluster.local.']);
  });

  it('5: a headless Service answers every ready endpoint; a hostname answers its own', () => {
    expect(show(ask(view, 'db.demo.svc.cluster.local.', 'A')).answer).toEqual([
      'db.demo.svc.cluster.local. 5 IN A 10.244.0.11',
      'db.demo.svc.cluster.local. 5 IN A 10.244.0.12',
      'db.demo.svc.cluster.local. 5 IN A 10.244.1.13',
    ]);
    expect(show(ask(view, 'db-1.db.demo.svc.cluster.local.', 'A')).answer).toEqual(['db-1.db.demo.svc.cluster.local. 5 IN A 10.244.0.12']);
  });

  it('6: headless SRV: one per endpoint with weight 33, targets by hostname, their A records additional', () => {
    expect(show(ask(view, '_pg._tcp.db.demo.svc.cluster.local.', 'SRV'))).toEqual({
      rcode: 'NOERROR',
      aa: true,
      answer: [0, 1, 2].map((i) => `_pg._tcp.db.demo.svc.cluster.local. 5 IN SRV 0 33 5432 db-${i}.db.demo.svc.cluster.local.`),
      authority: [],
      additional: ['db-0.db.demo.svc.cluster.local. 5 IN A 10.244.0.11', 'db-1.db.demo.svc.cluster.local. 5 IN A 10.244.0.12', 'db-2.db.demo.svc.cluster.local. 5 IN A 10.244.1.13'],
    });
  });

  it('7: an endpoint that is not ready leaves DNS; ready again (publishNotReadyAddresses) it returns', () => {
    const v = indexOf(fixture(), { now: () => NOW });
    v.upsertEndpointSlice(db3([true, true, false]));
    expect(show(ask(v, 'db-2.db.demo.svc.cluster.local.', 'A'))).toEqual(nxdomain);
    expect(show(ask(v, 'db.demo.svc.cluster.local.', 'A')).answer).toHaveLength(2);
    // publishNotReadyAddresses: the controller writes ready: true (serving stays false).
    v.upsertEndpointSlice(db3([true, true, true]));
    expect(show(ask(v, 'db-2.db.demo.svc.cluster.local.', 'A')).answer).toEqual(['db-2.db.demo.svc.cluster.local. 5 IN A 10.244.1.13']);
    expect(show(ask(v, 'db.demo.svc.cluster.local.', 'A')).answer).toHaveLength(3);
  });

  it('8: a headless Service with no ready endpoint is NXDOMAIN', () => {
    const v = indexOf([...fixture().filter((o) => o.metadata.name !== 'db-x7k2p'), db3([false, false, false])], { now: () => NOW });
    expect(show(ask(v, 'db.demo.svc.cluster.local.', 'A'))).toEqual(nxdomain);
  });

  it('9: ExternalName is a CNAME, chased upstream for addresses; a selector-less headless Service answers its slice', () => {
    expect(show(ask(view, 'ext.demo.svc.cluster.local.', 'CNAME'))).toEqual({ rcode: 'NOERROR', aa: true, answer: ['ext.demo.svc.cluster.local. 5 IN CNAME example.com.'], authority: [], additional: [] });
    expect(show(ask(view, 'ext.demo.svc.cluster.local.', 'A'))).toEqual({
      rcode: 'NOERROR',
      aa: true,
      answer: ['ext.demo.svc.cluster.local. 5 IN CNAME example.com.'],
      authority: [],
      additional: [],
      chase: { name: 'example.com', type: 'A' },
    });
    expect(ask(view, 'ext.demo.svc.cluster.local.', 'AAAA').chase).toEqual({ name: 'example.com', type: 'AAAA' });
    expect(show(ask(view, 'legacy.demo.svc.cluster.local.', 'A')).answer).toEqual(['legacy.demo.svc.cluster.local. 5 IN A 192.168.1.10']);
  });

  it('10: pod names (pods insecure), a missing namespace, and dns-version', () => {
    expect(show(ask(view, '10-244-0-11.demo.pod.cluster.local.', 'A')).answer).toEqual(['10-244-0-11.demo.pod.cluster.local. 5 IN A 10.244.0.11']);
    expect(show(ask(view, '10-244-0-11.nons.pod.cluster.local.', 'A'))).toEqual(nxdomain);
    expect(show(ask(view, 'dns-version.cluster.local.', 'TXT'))).toEqual({ rcode: 'NOERROR', aa: true, answer: ['dns-version.cluster.local. 28800 IN TXT "1.1.0"'], authority: [], additional: [] });
  });
});

describe('A.7: NXDOMAIN, NODATA and the rest', () => {
  const view = indexOf(fixture(), { now: () => NOW });
  const glue = 'ns.dns.cluster.local. 5 IN A 10.96.0.10';

  it.each<[string, string, unknown]>([
    ['web.demo.svc.cluster.local', 'A', { rcode: 'NOERROR', aa: true, answer: ['web.demo.svc.cluster.local. 5 IN A 10.96.12.7'], authority: [], additional: [] }],
    ['web.demo.svc.cluster.local', 'AAAA', nodata],
    ['web.demo.svc.cluster.local', 'TXT', nodata],
    ['web.demo.svc.cluster.local', 'MX', nodata],
    ['web.demo.svc.cluster.local', 'HINFO', nodata],
    ['web.demo.svc.cluster.local', 'ANY', nodata],
    ['nope.demo.svc.cluster.local', 'A', nxdomain],
    ['nope.demo.svc.cluster.local', 'TXT', nxdomain],
    ['nope.demo.svc.cluster.local', 'MX', nxdomain],
    ['web.nons.svc.cluster.local', 'A', nxdomain],
    ['cluster.local', 'A', nodata],
    ['svc.cluster.local', 'A', nodata],
    ['pod.cluster.local', 'A', nodata],
    ['demo.svc.cluster.local', 'A', nodata],
    ['demo.pod.cluster.local', 'A', nodata],
    ['nons.svc.cluster.local', 'A', nxdomain],
    ['cluster.local', 'SOA', { rcode: 'NOERROR', aa: true, answer: [SOA], authority: [], additional: [] }],
    ['cluster.local', 'NS', { rcode: 'NOERROR', aa: true, answer: ['cluster.local. 5 IN NS ns.dns.cluster.local.'], authority: [], additional: [glue] }],
    ['ns.dns.cluster.local', 'A', { rcode: 'NOERROR', aa: true, answer: ['ns.dns.cluster.local. 5 IN A 10.96.0.10'], authority: [], additional: [] }],
    ['ns.dns.cluster.local', 'AAAA', nodata],
    ['foo.cluster.local', 'A', nxdomain],
    ['x.y.z.web.demo.svc.cluster.local', 'A', nxdomain],
    ['bogus.db.demo.svc.cluster.local', 'A', nxdomain],
    ['_nope._tcp.web.demo.svc.cluster.local', 'SRV', nxdomain],
    ['_pg._udp.db.demo.svc.cluster.local', 'SRV', nxdomain],
    ['dns-version.cluster.local', 'A', nxdomain],
    ['1.2.3.4.in-addr.arpa', 'PTR', forwarded],
    ['12.96.10.in-addr.arpa', 'PTR', forwarded],
    ['7.12.96.10.in-addr.arpa', 'A', forwarded],
    ['example.com', 'A', forwarded],
    ['cluster.local', 'AXFR', { rcode: 'REFUSED', aa: false, answer: [], authority: [], additional: [] }],
    ['cluster.local', 'IXFR', { rcode: 'REFUSED', aa: false, answer: [], authority: [], additional: [] }],
    // CoreDNS quirks reproduced: a SOA query below the apex is NODATA whether or not the name
    // exists, and TXT at the apex or a namespace is NXDOMAIN (no record of another type there).
    ['nope.demo.svc.cluster.local', 'SOA', nodata],
    ['cluster.local', 'TXT', nxdomain],
    ['demo.svc.cluster.local', 'TXT', nxdomain],
  ])('%s %s', (name, type, want) => {
    expect(show(ask(view, name, type))).toEqual(want);
  });

  it('answers SERVFAIL instead of NXDOMAIN until the view has synced, and still answers what exists', () => {
    const v = indexOf(fixture(), { synced: false, now: () => NOW });
    expect(show(ask(v, 'nope.demo.svc.cluster.local', 'A'))).toEqual({ ...nxdomain, rcode: 'SERVFAIL' });
    expect(show(ask(v, 'web.demo.svc.cluster.local', 'A')).answer).toEqual(['web.demo.svc.cluster.local. 5 IN A 10.96.12.7']);
    expect(show(ask(v, 'web.demo.svc.cluster.local', 'AAAA'))).toEqual(nodata);
    expect(show(ask(v, '1.2.3.4.in-addr.arpa', 'PTR'))).toEqual(forwarded);
  });

  it('takes its serial from the view and its TTL from the options', () => {
    const v = indexOf(fixture(), { now: () => NOW + 42_000 });
    const r = ask(v, 'nope.demo.svc.cluster.local', 'A', { ...OPTS, ttl: 30 });
    expect(r.authority.map(rrText)).toEqual([`cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. ${SERIAL + 42} 7200 1800 86400 30`]);
    expect(ask(v, 'web.demo.svc.cluster.local', 'A', { ...OPTS, ttl: 30 }).answers.map(rrText)).toEqual(['web.demo.svc.cluster.local. 30 IN A 10.96.12.7']);
    // The SOA record's own TTL is capped at 300.
    expect(ask(v, 'nope.demo.svc.cluster.local', 'A', { ...OPTS, ttl: 3600 }).authority.map(rrText)[0]).toMatch(/^cluster\.local\. 300 IN SOA .* 3600$/);
  });
});

describe('CoreDNS details', () => {
  const base = fixture();
  const view = (...extra: Parameters<typeof indexOf>[0]) => indexOf([...base, ...extra], { now: () => NOW });

  it('weights SRV records floor(100/N): 2 → 50, 6 → 16', () => {
    const two = view(headless('demo', 'h2', [{ name: 'p', port: 1 }]), endpointSlice('demo', 'h2-a', 'h2', [{ ip: '10.244.0.1' }, { ip: '10.244.0.2' }], [{ name: 'p', port: 1 }]));
    expect(ask(two, 'h2.demo.svc.cluster.local', 'SRV').answers.map(weightOf)).toEqual([50, 50]);
    const six = view(
      headless('demo', 'h6', [{ name: 'p', port: 1 }]),
      endpointSlice('demo', 'h6-a', 'h6', [1, 2, 3, 4, 5, 6].map((i) => ({ ip: `10.244.0.${i}` })), [{ name: 'p', port: 1 }]),
    );
    expect(ask(six, '_p._tcp.h6.demo.svc.cluster.local', 'SRV').answers.map(weightOf)).toEqual([16, 16, 16, 16, 16, 16]);
  });

  it('gives a dual-stack ClusterIP one SRV of weight 50 with both addresses additional', () => {
    const v = view(clusterIP('demo', 'ds', ['10.96.0.50', 'fd00:10:96::50'], [{ name: 'http', port: 80 }]));
    expect(show(ask(v, '_http._tcp.ds.demo.svc.cluster.local', 'SRV'))).toMatchObject({
      answer: ['_http._tcp.ds.demo.svc.cluster.local. 5 IN SRV 0 50 80 ds.demo.svc.cluster.local.'],
      additional: ['ds.demo.svc.cluster.local. 5 IN A 10.96.0.50', 'ds.demo.svc.cluster.local. 5 IN AAAA fd00:10:96::50'],
    });
    expect(show(ask(v, 'ds.demo.svc.cluster.local', 'AAAA')).answer).toEqual(['ds.demo.svc.cluster.local. 5 IN AAAA fd00:10:96::50']);
    const rev = reverseName('fd00:10:96::50')!;
    expect(rev).toBe('0.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa');
    expect(show(ask(v, rev, 'PTR')).answer).toEqual([`${rev}. 5 IN PTR ds.demo.svc.cluster.local.`]);
  });

  it('answers SRV without a port prefix for every port, unnamed ones included; unnamed ports never match a prefix', () => {
    const v = view(clusterIP('demo', 'multi', '10.96.0.60', [{ name: 'http', port: 80 }, { port: 9000 }]));
    expect(show(ask(v, 'multi.demo.svc.cluster.local', 'SRV')).answer).toEqual([
      'multi.demo.svc.cluster.local. 5 IN SRV 0 50 80 multi.demo.svc.cluster.local.',
      'multi.demo.svc.cluster.local. 5 IN SRV 0 50 9000 multi.demo.svc.cluster.local.',
    ]);
    expect(show(ask(view(), '_._tcp.legacy.demo.svc.cluster.local', 'SRV')).answer).toHaveLength(1); // `_` is an empty (wildcard) port
    expect(show(ask(view(), '_x._tcp.legacy.demo.svc.cluster.local', 'SRV')).rcode).toBe('NXDOMAIN');
  });

  it('uses the EndpointSlice port for headless SRV and the Service port for ClusterIP SRV', () => {
    const v = view(endpointSlice('demo', 'web-abc', 'web', [{ ip: '10.244.0.30' }], [{ name: 'http', port: 8080 }]));
    expect(show(ask(v, '_http._tcp.web.demo.svc.cluster.local', 'SRV')).answer).toEqual(['_http._tcp.web.demo.svc.cluster.local. 5 IN SRV 0 100 80 web.demo.svc.cluster.local.']);
    expect(show(ask(view(), '_pg._tcp.db.demo.svc.cluster.local', 'SRV')).answer[0]).toContain(' 5432 db-0.');
  });

  it('names endpoints without a hostname by dashed address, also behind a ClusterIP Service', () => {
    const v = view(endpointSlice('demo', 'web-abc', 'web', [{ ip: '10.244.0.30' }, { ip: '10.244.0.31', ready: false }], [{ name: 'http', port: 8080 }]));
    expect(show(ask(v, '10-244-0-30.web.demo.svc.cluster.local', 'A')).answer).toEqual(['10-244-0-30.web.demo.svc.cluster.local. 5 IN A 10.244.0.30']);
    expect(show(ask(v, '10-244-0-31.web.demo.svc.cluster.local', 'A')).rcode).toBe('NXDOMAIN');
    // The Service name itself still answers the cluster IP only.
    expect(show(ask(v, 'web.demo.svc.cluster.local', 'A')).answer).toEqual(['web.demo.svc.cluster.local. 5 IN A 10.96.12.7']);
  });

  it('handles a headless Service without ports: addresses yes, SRV NODATA, a port prefix NXDOMAIN', () => {
    const v = view(headless('demo', 'np'), endpointSlice('demo', 'np-a', 'np', [{ ip: '10.244.0.40', hostname: 'np-0' }]));
    expect(show(ask(v, 'np.demo.svc.cluster.local', 'A')).answer).toEqual(['np.demo.svc.cluster.local. 5 IN A 10.244.0.40']);
    expect(show(ask(v, 'np-0.np.demo.svc.cluster.local', 'A')).answer).toEqual(['np-0.np.demo.svc.cluster.local. 5 IN A 10.244.0.40']);
    expect(show(ask(v, 'np.demo.svc.cluster.local', 'SRV'))).toEqual(nodata);
    expect(show(ask(v, '_a._tcp.np.demo.svc.cluster.local', 'SRV'))).toEqual(nxdomain);
  });

  it('deduplicates addresses across slices and gives several A records to one hostname with several IPs', () => {
    const v = view(
      headless('demo', 'dup', [{ name: 'p', port: 1 }]),
      endpointSlice('demo', 'dup-a', 'dup', [{ ip: ['10.244.0.50', '10.244.0.51'], hostname: 'two' }], [{ name: 'p', port: 1 }]),
      endpointSlice('demo', 'dup-b', 'dup', [{ ip: '10.244.0.50', hostname: 'two' }], [{ name: 'p', port: 1 }]),
    );
    expect(show(ask(v, 'dup.demo.svc.cluster.local', 'A')).answer).toEqual(['dup.demo.svc.cluster.local. 5 IN A 10.244.0.50', 'dup.demo.svc.cluster.local. 5 IN A 10.244.0.51']);
    expect(show(ask(v, 'two.dup.demo.svc.cluster.local', 'A')).answer).toHaveLength(2);
    // Three entries weigh 33 each; the duplicate (target, port) pair is one SRV.
    expect(show(ask(v, 'dup.demo.svc.cluster.local', 'SRV'))).toMatchObject({
      answer: ['dup.demo.svc.cluster.local. 5 IN SRV 0 33 1 two.dup.demo.svc.cluster.local.'],
      additional: ['two.dup.demo.svc.cluster.local. 5 IN A 10.244.0.50', 'two.dup.demo.svc.cluster.local. 5 IN A 10.244.0.51'],
    });
  });

  it('answers PTR for endpoint addresses, one per Service holding the address, and prefers a cluster IP', () => {
    const v = view(
      clusterIP('demo', 'front', '10.96.0.70', [{ name: 'http', port: 80 }]),
      endpointSlice('demo', 'front-a', 'front', [{ ip: '10.244.0.12' }], [{ name: 'http', port: 8080 }]),
    );
    expect(show(ask(v, '12.0.244.10.in-addr.arpa', 'PTR')).answer).toEqual([
      '12.0.244.10.in-addr.arpa. 5 IN PTR 10-244-0-12.front.demo.svc.cluster.local.',
      '12.0.244.10.in-addr.arpa. 5 IN PTR db-1.db.demo.svc.cluster.local.',
    ]);
    expect(show(ask(v, '10.0.96.10.in-addr.arpa', 'PTR')).answer).toEqual(['10.0.96.10.in-addr.arpa. 5 IN PTR kube-dns.kube-system.svc.cluster.local.']);
    // A not-ready endpoint has no PTR: the query goes upstream.
    const nr = indexOf([...base.filter((o) => o.metadata.name !== 'db-x7k2p'), db3([true, true, false])], { now: () => NOW });
    expect(show(ask(nr, '13.1.244.10.in-addr.arpa', 'PTR'))).toEqual(forwarded);
  });

  it('ExternalName: an address target is NXDOMAIN; no SRV, no endpoints, no port names', () => {
    const v = view(externalName('demo', 'byip', '192.0.2.1'));
    expect(show(ask(v, 'byip.demo.svc.cluster.local', 'A'))).toEqual(nxdomain);
    expect(show(ask(v, 'byip.demo.svc.cluster.local', 'CNAME'))).toEqual(nxdomain);
    expect(show(ask(v, 'ext.demo.svc.cluster.local', 'SRV'))).toEqual(nodata);
    expect(show(ask(v, 'ext.demo.svc.cluster.local', 'TXT'))).toEqual(nodata);
    expect(show(ask(v, '_http._tcp.ext.demo.svc.cluster.local', 'SRV'))).toEqual(nxdomain);
    expect(show(ask(v, 'x.ext.demo.svc.cluster.local', 'A'))).toEqual(nxdomain);
    expect(show(ask(v, 'web.demo.svc.cluster.local', 'CNAME'))).toEqual(nodata);
  });

  it('ExternalName pointing into the zone is followed here, without going upstream', () => {
    const v = view(externalName('demo', 'alias', 'web.demo.svc.cluster.local.'), externalName('demo', 'loop', 'loop.demo.svc.cluster.local'));
    expect(show(ask(v, 'alias.demo.svc.cluster.local', 'A'))).toEqual({
      rcode: 'NOERROR',
      aa: true,
      answer: ['alias.demo.svc.cluster.local. 5 IN CNAME web.demo.svc.cluster.local.', 'web.demo.svc.cluster.local. 5 IN A 10.96.12.7'],
      authority: [],
      additional: [],
    });
    // The in-zone target has no AAAA: nothing to show, so not even the CNAME (NODATA).
    expect(show(ask(v, 'alias.demo.svc.cluster.local', 'AAAA'))).toEqual(nodata);
    // A CNAME to itself is dropped.
    expect(show(ask(v, 'loop.demo.svc.cluster.local', 'A'))).toEqual(nodata);
  });

  it('answers pod names as IPv6 AAAA, ignores extra labels, and refuses unparsable addresses', () => {
    const v = view();
    expect(show(ask(v, 'fd00-10-244--5.demo.pod.cluster.local', 'AAAA')).answer).toEqual(['fd00-10-244--5.demo.pod.cluster.local. 5 IN AAAA fd00:10:244::5']);
    expect(show(ask(v, 'fd00-10-244--5.demo.pod.cluster.local', 'A'))).toEqual(nodata);
    expect(show(ask(v, 'x.10-244-0-11.demo.pod.cluster.local', 'A')).answer).toEqual(['x.10-244-0-11.demo.pod.cluster.local. 5 IN A 10.244.0.11']);
    expect(show(ask(v, 'web.demo.pod.cluster.local', 'A'))).toEqual(nxdomain);
  });

  it('echoes the query spelling in owners, and the zone spelling in the SOA and SRV targets', () => {
    const v = view();
    expect(show(ask(v, 'WEB.Demo.SVC.Cluster.Local.', 'A')).answer).toEqual(['WEB.Demo.SVC.Cluster.Local. 5 IN A 10.96.12.7']);
    expect(show(ask(v, 'Nope.demo.svc.CLUSTER.local', 'A')).authority).toEqual([`CLUSTER.local. 5 IN SOA ns.dns.CLUSTER.local. hostmaster.CLUSTER.local. ${SERIAL} 7200 1800 86400 5`]);
    expect(show(ask(v, '_PG._TCP.DB.demo.svc.Cluster.Local', 'SRV')).answer[0]).toBe('_PG._TCP.DB.demo.svc.Cluster.Local. 5 IN SRV 0 33 5432 db-0.db.demo.svc.Cluster.Local.');
  });

  it('serves the reverse zones apex itself and forwards everything else there', () => {
    const v = view();
    expect(show(ask(v, 'in-addr.arpa', 'SOA')).answer[0]).toMatch(/^in-addr\.arpa\. 5 IN SOA ns\.dns\.in-addr\.arpa\. hostmaster\.in-addr\.arpa\. /);
    expect(show(ask(v, 'in-addr.arpa', 'A')).rcode).toBe('NOERROR');
    expect(show(ask(v, '1.in-addr.arpa', 'TXT'))).toEqual(forwarded);
  });

  it('ignores endpoint slices that name no Service', () => {
    const orphan = endpointSlice('demo', 'orphan', 'x', [{ ip: '10.244.0.99' }]);
    delete orphan.metadata.labels;
    const v = view(headless('demo', 'x'), orphan);
    expect(show(ask(v, 'x.demo.svc.cluster.local', 'A'))).toEqual(nxdomain);
  });
});
