import { describe, expect, it } from 'vitest';
import { computeResolvConf, formatResolvConf, parseResolvConf, type ResolvConfInput } from './resolv-conf.ts';

const HOST = '# generated\nnameserver 192.0.2.1\nnameserver 192.0.2.2\nsearch corp.example. lab.example\noptions edns0 timeout:2\n';

const input = (spec: ResolvConfInput['spec'], extra: Partial<ResolvConfInput> = {}): ResolvConfInput => ({
  spec,
  namespace: 'demo',
  clusterDomain: 'cluster.local',
  clusterDNS: '10.96.0.10',
  hostResolvConf: HOST,
  ...extra,
});

describe('parseResolvConf', () => {
  it('accumulates name servers, keeps the last search and options lines, drops trailing dots and comments', () => {
    expect(parseResolvConf('nameserver 1.1.1.1\nsearch a.\n  # nameserver 9.9.9.9\nsearch b c.\nnameserver 8.8.8.8 extra\noptions ndots:1\noptions rotate\nnameserver\n')).toEqual({
      nameservers: ['1.1.1.1', '8.8.8.8'],
      searches: ['b', 'c'],
      options: ['rotate'],
    });
    expect(parseResolvConf('')).toEqual({ nameservers: [], searches: [], options: [] });
  });

  it('formats search, nameserver, options in containerd’s order', () => {
    expect(formatResolvConf({ nameservers: ['10.96.0.10', '10.96.0.11'], searches: ['a', 'b'], options: ['ndots:5'] })).toBe('search a b\nnameserver 10.96.0.10\nnameserver 10.96.0.11\noptions ndots:5\n');
    expect(formatResolvConf({ nameservers: ['1.1.1.1'], searches: [], options: [] })).toBe('nameserver 1.1.1.1\n');
  });
});

describe('computeResolvConf (kubelet rules)', () => {
  it('case 10: ClusterFirst by default', () => {
    const r = computeResolvConf(input({}, { hostResolvConf: 'nameserver 192.0.2.1\n' }));
    expect(r.text).toBe('search demo.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
    expect(r.warnings).toEqual([]);
  });

  it.each<[string, ResolvConfInput, { nameservers: string[]; searches: string[]; options: string[] }]>([
    [
      'ClusterFirst appends the node’s search domains, not its servers or options',
      input({ dnsPolicy: 'ClusterFirst' }),
      { nameservers: ['10.96.0.10'], searches: ['demo.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lab.example'], options: ['ndots:5'] },
    ],
    [
      'ClusterFirst on the host network behaves as Default',
      input({ dnsPolicy: 'ClusterFirst', hostNetwork: true }),
      { nameservers: ['192.0.2.1', '192.0.2.2'], searches: ['corp.example', 'lab.example'], options: ['edns0', 'timeout:2'] },
    ],
    [
      'ClusterFirstWithHostNet keeps cluster DNS on the host network',
      input({ dnsPolicy: 'ClusterFirstWithHostNet', hostNetwork: true }),
      { nameservers: ['10.96.0.10'], searches: ['demo.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lab.example'], options: ['ndots:5'] },
    ],
    ['Default copies the node', input({ dnsPolicy: 'Default' }), { nameservers: ['192.0.2.1', '192.0.2.2'], searches: ['corp.example', 'lab.example'], options: ['edns0', 'timeout:2'] }],
    [
      'None takes only dnsConfig',
      input({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['x.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }),
      { nameservers: ['1.1.1.1'], searches: ['x.example'], options: ['ndots:2', 'edns0'] },
    ],
    [
      'dnsConfig merges on top: duplicates dropped, options overridden by name',
      input({ dnsConfig: { nameservers: ['10.96.0.10', '1.1.1.1'], searches: ['cluster.local', 'extra.example'], options: [{ name: 'ndots', value: '2' }, { name: 'single-request-reopen' }] } }),
      {
        nameservers: ['10.96.0.10', '1.1.1.1'],
        searches: ['demo.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lab.example', 'extra.example'],
        options: ['ndots:2', 'single-request-reopen'],
      },
    ],
    [
      'ClusterFirst drops a node search domain equal to a cluster one',
      input({}, { hostResolvConf: 'nameserver 192.0.2.1\nsearch cluster.local corp.example\n' }),
      { nameservers: ['10.96.0.10'], searches: ['demo.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'], options: ['ndots:5'] },
    ],
    ['Default with kubelet --resolv-conf=""', input({ dnsPolicy: 'Default' }, { hostResolvConf: undefined }), { nameservers: ['127.0.0.1'], searches: ['.'], options: [] }],
  ])('%s', (_name, given, want) => {
    const r = computeResolvConf(given);
    expect({ nameservers: r.nameservers, searches: r.searches, options: r.options }).toEqual(want);
    expect(r.text).toBe(formatResolvConf(want));
  });

  it('falls back to Default without a cluster DNS address, with the MissingClusterDNS warning', () => {
    const r = computeResolvConf(input({}, { clusterDNS: [] }));
    expect(r.nameservers).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(r.warnings).toEqual([
      { reason: 'MissingClusterDNS', message: 'kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.' },
    ]);
  });

  it('keeps three name servers and says which', () => {
    const r = computeResolvConf(input({ dnsConfig: { nameservers: ['1.1.1.1', '8.8.8.8', '9.9.9.9'] } }));
    expect(r.nameservers).toEqual(['10.96.0.10', '1.1.1.1', '8.8.8.8']);
    expect(r.warnings).toEqual([
      { reason: 'DNSConfigForming', message: 'Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 10.96.0.10 1.1.1.1 8.8.8.8' },
    ]);
  });

  it('keeps 32 search domains, drops ones over 253 characters, and cuts the line to 2048 characters', () => {
    const many = Array.from({ length: 40 }, (_, i) => `d${i}.example`);
    const r = computeResolvConf(input({ dnsConfig: { searches: many } }));
    expect(r.searches).toHaveLength(32);
    expect(r.searches.slice(0, 4)).toEqual(['demo.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example']);
    expect(r.warnings).toEqual([{ reason: 'DNSConfigForming', message: `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${r.searches.join(' ')}` }]);

    const long = `${'a'.repeat(250)}.example`;
    const r2 = computeResolvConf(input({ dnsConfig: { searches: [long, 'ok.example'] } }));
    expect(r2.searches).not.toContain(long);
    expect(r2.searches).toContain('ok.example');
    expect(r2.warnings).toHaveLength(1);

    const wide = Array.from({ length: 20 }, (_, i) => `${String(i).padStart(2, '0')}.${'b'.repeat(120)}.example`);
    const r3 = computeResolvConf(input({ dnsConfig: { searches: wide } }));
    expect(r3.searches.join(' ').length).toBeLessThanOrEqual(2048);
    expect(r3.searches.join(' ').length + 1 + wide[r3.searches.length - 5]!.length).toBeGreaterThan(2048);
    expect(r3.warnings[0]!.message).toContain('Search Line limits were exceeded');
  });
});
