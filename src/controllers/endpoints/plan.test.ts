import { describe, expect, it } from 'vitest';
import { planEndpoints, podSubset, repackSubsets, truncateSubsets, type EndpointAddress, type EndpointSubset } from './plan.ts';
import { addressTypesForService, findPort, publishNotReady, rfc3339Nano, shouldPodBeInEndpoints, shouldSetHostname } from './pods.ts';
import { pod, service } from './testing.ts';
import { TriggerTimeTracker } from './trigger-time.ts';

describe('shouldPodBeInEndpoints', () => {
  it.each([
    ['running with an IP', pod('a', { ip: '10.42.0.5' }), false, true],
    ['no IP yet', pod('a'), true, false],
    ['Succeeded', pod('a', { ip: '10.42.0.5', phase: 'Succeeded' }), true, false],
    ['Failed', pod('a', { ip: '10.42.0.5', phase: 'Failed' }), true, false],
    ['Pending with an IP', pod('a', { ip: '10.42.0.5', phase: 'Pending' }), false, true],
    ['terminating, terminating excluded', pod('a', { ip: '10.42.0.5', terminating: true }), false, false],
    ['terminating, terminating included', pod('a', { ip: '10.42.0.5', terminating: true }), true, true],
  ])('%s', (_name, p, includeTerminating, want) => {
    expect(shouldPodBeInEndpoints(p, includeTerminating)).toBe(want);
  });
});

describe('shouldSetHostname', () => {
  it.each([
    ['hostname and subdomain = service', { hostname: 'web-0', subdomain: 'nginx' }, true],
    ['subdomain of another service', { hostname: 'web-0', subdomain: 'other' }, false],
    ['subdomain without hostname', { subdomain: 'nginx' }, false],
    ['hostname without subdomain', { hostname: 'web-0' }, false],
  ])('%s', (_name, o, want) => {
    expect(shouldSetHostname(pod('web-0', { ip: '10.42.0.11', ...o }), service('nginx'))).toBe(want);
  });

  it('needs the same namespace', () => {
    expect(shouldSetHostname(pod('web-0', { hostname: 'web-0', subdomain: 'nginx', namespace: 'other' }), service('nginx'))).toBe(false);
  });
});

describe('findPort', () => {
  const p = pod('a', { ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 5353, protocol: 'UDP' }] });
  it.each([
    ['a number as it is', { port: 80, targetPort: 9090 }, 9090],
    ['no targetPort: the port', { port: 80 }, 80],
    ['a name by container port name', { port: 80, targetPort: 'http' }, 8080],
    ['a name with the protocol', { port: 53, targetPort: 'dns', protocol: 'UDP' }, 5353],
    ['a name with another protocol', { port: 53, targetPort: 'dns', protocol: 'TCP' }, undefined],
    ['an unknown name', { port: 80, targetPort: 'metrics' }, undefined],
  ])('%s', (_name, sp, want) => {
    expect(findPort(p, sp)).toBe(want);
  });

  it('finds names on sidecars, not on plain init containers', () => {
    const withInit = (restartPolicy?: string) => ({
      ...p,
      spec: { ...(p.spec as object), initContainers: [{ name: 'side', ...(restartPolicy ? { restartPolicy } : {}), ports: [{ name: 'proxy', containerPort: 15001 }] }] },
    });
    expect(findPort(withInit('Always'), { port: 80, targetPort: 'proxy' })).toBe(15001);
    expect(findPort(withInit(), { port: 80, targetPort: 'proxy' })).toBeUndefined();
  });
});

describe('service helpers', () => {
  it.each([
    [{}, false],
    [{ publishNotReady: true }, true],
    [{ annotations: { 'service.alpha.kubernetes.io/tolerate-unready-endpoints': 'true' } }, true],
    [{ annotations: { 'service.alpha.kubernetes.io/tolerate-unready-endpoints': 'T' } }, true],
    [{ annotations: { 'service.alpha.kubernetes.io/tolerate-unready-endpoints': 'false' } }, false],
    [{ annotations: { 'service.alpha.kubernetes.io/tolerate-unready-endpoints': 'yes' } }, false],
  ])('publishNotReady %j', (o, want) => {
    expect(publishNotReady(service('s', o))).toBe(want);
  });

  it('address types come from ipFamilies, else the cluster IP; headless without families gets both', () => {
    expect(addressTypesForService(service('s', { ipFamilies: ['IPv6', 'IPv4'] }))).toEqual(['IPv6', 'IPv4']);
    expect(addressTypesForService(service('s', { ipFamilies: [], clusterIP: 'fd00::1' }))).toEqual(['IPv6']);
    expect(addressTypesForService(service('s', { ipFamilies: [], headless: true }))).toEqual(['IPv4', 'IPv6']);
  });

  it('formats times as Go RFC 3339 nano', () => {
    expect(rfc3339Nano(Date.UTC(2025, 0, 1, 0, 0, 10))).toBe('2025-01-01T00:00:10Z');
    expect(rfc3339Nano(Date.UTC(2025, 0, 1, 0, 0, 10, 250))).toBe('2025-01-01T00:00:10.25Z');
  });
});

const addr = (ip: string, name: string, extra: Partial<EndpointAddress> = {}): EndpointAddress => ({
  ip,
  ...extra,
  nodeName: extra.nodeName ?? 'node-a',
  targetRef: { kind: 'Pod', namespace: 'demo', name, uid: `uid-${name}` },
});

describe('podSubset', () => {
  const http = [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }];
  it.each([
    ['ready pod: addresses', service('web', { ports: http }), pod('a', { ip: '10.42.0.5' }), { addresses: [addr('10.42.0.5', 'a')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
    ['not ready: notReadyAddresses', service('web', { ports: http }), pod('a', { ip: '10.42.0.5', ready: false }), { notReadyAddresses: [addr('10.42.0.5', 'a')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
    [
      'not ready, publishNotReadyAddresses: addresses',
      service('web', { ports: http, publishNotReady: true }),
      pod('a', { ip: '10.42.0.5', ready: false }),
      { addresses: [addr('10.42.0.5', 'a')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
    ],
    [
      'tolerate-unready annotation: addresses',
      service('web', { ports: http, annotations: { 'service.alpha.kubernetes.io/tolerate-unready-endpoints': 'true' } }),
      pod('a', { ip: '10.42.0.5', ready: false }),
      { addresses: [addr('10.42.0.5', 'a')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
    ],
    ['terminating: left out', service('web', { ports: http }), pod('a', { ip: '10.42.0.5', terminating: true }), undefined],
    [
      'terminating, publishNotReadyAddresses: addresses',
      service('web', { ports: http, publishNotReady: true }),
      pod('a', { ip: '10.42.0.5', terminating: true }),
      { addresses: [addr('10.42.0.5', 'a')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
    ],
    ['no IP: left out', service('web', { ports: http }), pod('a'), undefined],
    [
      'hostname when the subdomain is the service',
      service('nginx', { headless: true, ports: [{ name: 'web', port: 80, targetPort: 80 }] }),
      pod('web-0', { ip: '10.42.0.11', hostname: 'web-0', subdomain: 'nginx' }),
      { addresses: [addr('10.42.0.11', 'web-0', { hostname: 'web-0' })], ports: [{ name: 'web', port: 80, protocol: 'TCP' }] },
    ],
    ['headless without ports: address without ports', service('db', { headless: true, ports: [] }), pod('a', { ip: '10.42.0.5' }), { addresses: [addr('10.42.0.5', 'a')], ports: [] }],
    ['cluster IP without ports: nothing', service('db', { ports: [] }), pod('a', { ip: '10.42.0.5' }), undefined],
    ['named targetPort the pod lacks: nothing', service('web', { ports: [{ name: 'http', port: 80, targetPort: 'http' }] }), pod('a', { ip: '10.42.0.5' }), undefined],
    [
      'named targetPort resolved per pod',
      service('web', { ports: [{ name: 'http', port: 80, targetPort: 'http', appProtocol: 'http' }] }),
      pod('a', { ip: '10.42.0.5', ports: [{ name: 'http', containerPort: 8081 }] }),
      { addresses: [addr('10.42.0.5', 'a')], ports: [{ name: 'http', port: 8081, protocol: 'TCP', appProtocol: 'http' }] },
    ],
    ['IPv6 service takes the IPv6 address', service('web', { ports: http, ipFamilies: ['IPv6'] }), pod('a', { ip: ['10.42.0.5', 'fd00::5'] }), { addresses: [addr('fd00::5', 'a')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
    ['IPv6 service, IPv4-only pod: nothing', service('web', { ports: http, ipFamilies: ['IPv6'] }), pod('a', { ip: '10.42.0.5' }), undefined],
  ])('%s', (_name, svc, p, want) => {
    expect(podSubset(svc, p)).toEqual(want);
  });
});

describe('repackSubsets', () => {
  const p80 = { name: 'http', port: 80, protocol: 'TCP' };
  const p443 = { name: 'https', port: 443, protocol: 'TCP' };

  it('puts addresses with the same ports in one subset, sorted by IP, not-ready apart', () => {
    const raw: EndpointSubset[] = [
      { addresses: [addr('10.42.1.13', 'c')], ports: [p80] },
      { addresses: [addr('10.42.0.11', 'a')], ports: [p80] },
      { notReadyAddresses: [addr('10.42.0.12', 'b')], ports: [p80] },
    ];
    expect(repackSubsets(raw)).toEqual([{ addresses: [addr('10.42.0.11', 'a'), addr('10.42.1.13', 'c')], notReadyAddresses: [addr('10.42.0.12', 'b')], ports: [p80] }]);
  });

  it('splits addresses by port set and merges ports offered by the same addresses', () => {
    const raw: EndpointSubset[] = [
      { addresses: [addr('10.0.0.1', 'a')], ports: [p80, p443] },
      { addresses: [addr('10.0.0.2', 'b')], ports: [p80] },
      { addresses: [addr('10.0.0.3', 'c')], ports: [p80, p443] },
    ];
    expect(repackSubsets(raw)).toEqual([
      { addresses: [addr('10.0.0.1', 'a'), addr('10.0.0.2', 'b'), addr('10.0.0.3', 'c')], ports: [p80] },
      { addresses: [addr('10.0.0.1', 'a'), addr('10.0.0.3', 'c')], ports: [p443] },
    ]);
  });

  it('keeps addresses without ports, and an address ready anywhere is ready', () => {
    expect(repackSubsets([{ addresses: [addr('10.0.0.2', 'b')] }, { notReadyAddresses: [addr('10.0.0.1', 'a')] }, { notReadyAddresses: [addr('10.0.0.2', 'b')] }])).toEqual([
      { addresses: [addr('10.0.0.2', 'b')], notReadyAddresses: [addr('10.0.0.1', 'a')] },
    ]);
  });

  it('sorts IPs as strings, as upstream compares bytes', () => {
    const out = repackSubsets(['10.0.0.10', '10.0.0.9', '10.0.0.100'].map((ip, i) => ({ addresses: [addr(ip, `p${i}`)], ports: [p80] })));
    expect(out[0]!.addresses!.map((a) => a.ip)).toEqual(['10.0.0.10', '10.0.0.100', '10.0.0.9']);
  });
});

describe('truncateSubsets', () => {
  const many = (n: number, prefix: string, from = 0) => Array.from({ length: n }, (_, i) => addr(`${prefix}.${Math.floor((from + i) / 250)}.${(from + i) % 250}`, `${prefix}-${from + i}`));
  const p = [{ port: 80, protocol: 'TCP' }];

  it('leaves 1000 alone', () => {
    expect(truncateSubsets([{ addresses: many(1000, '10.1'), ports: p }])).toBeUndefined();
  });

  it('keeps ready addresses first and cuts not-ready ones', () => {
    const out = truncateSubsets([{ addresses: many(900, '10.1'), notReadyAddresses: many(300, '10.2'), ports: p }])!;
    expect(out[0]!.addresses).toHaveLength(900);
    expect(out[0]!.notReadyAddresses).toHaveLength(100);
  });

  it('with too many ready ones drops every not-ready one and shares the rest by proportion', () => {
    const out = truncateSubsets([
      { addresses: many(1500, '10.1'), notReadyAddresses: many(10, '10.3'), ports: p },
      { addresses: many(500, '10.2'), ports: [{ port: 81, protocol: 'TCP' }] },
    ])!;
    expect(out.map((s) => [s.addresses?.length, s.notReadyAddresses?.length])).toEqual([
      [750, undefined],
      [250, undefined],
    ]);
  });
});

describe('planEndpoints', () => {
  const svc = service('nginx', { headless: true, labels: { app: 'nginx' }, ports: [{ name: 'web', port: 80, targetPort: 80 }] });
  const subsets = repackSubsets(
    [pod('web-0', { ip: '10.42.0.11', hostname: 'web-0', subdomain: 'nginx' }), pod('web-1', { ip: '10.42.0.12', hostname: 'web-1', subdomain: 'nginx' })].map((p) => podSubset(svc, p)!),
  );

  it('creates the Endpoints with the Service labels, the headless label and the trigger time', () => {
    const plan = planEndpoints({ svc, subsets, current: undefined, triggerTime: Date.UTC(2025, 0, 1, 0, 0, 10) });
    expect(plan).toEqual({
      kind: 'create',
      endpoints: {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: {
          name: 'nginx',
          namespace: 'demo',
          labels: { app: 'nginx', 'service.kubernetes.io/headless': '' },
          annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2025-01-01T00:00:10Z' },
        },
        subsets: [
          {
            addresses: [
              { ip: '10.42.0.11', hostname: 'web-0', nodeName: 'node-a', targetRef: { kind: 'Pod', namespace: 'demo', name: 'web-0', uid: 'uid-web-0' } },
              { ip: '10.42.0.12', hostname: 'web-1', nodeName: 'node-a', targetRef: { kind: 'Pod', namespace: 'demo', name: 'web-1', uid: 'uid-web-1' } },
            ],
            ports: [{ name: 'web', port: 80, protocol: 'TCP' }],
          },
        ],
      },
    });
  });

  it('writes nothing when subsets and labels are as stored, whatever the trigger time', () => {
    const first = planEndpoints({ svc, subsets, current: undefined });
    if (first.kind === 'none') throw new Error('expected a create');
    const stored = { ...first.endpoints, metadata: { ...first.endpoints.metadata, resourceVersion: '5', uid: 'e1' } };
    expect(planEndpoints({ svc, subsets, current: stored, triggerTime: Date.UTC(2025, 0, 1) })).toEqual({ kind: 'none' });
  });

  it('updates on a label change, keeping other annotations and dropping the headless label of a cluster IP Service', () => {
    const current = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'nginx', namespace: 'demo', resourceVersion: '5', labels: { 'service.kubernetes.io/headless': '' }, annotations: { note: 'x', 'endpoints.kubernetes.io/last-change-trigger-time': 'old' } }, subsets };
    const plan = planEndpoints({ svc: service('nginx', { labels: { tier: 'web' } }), subsets, current });
    expect(plan.kind).toBe('update');
    if (plan.kind === 'none') return;
    expect(plan.endpoints.metadata).toEqual({ name: 'nginx', namespace: 'demo', resourceVersion: '5', labels: { tier: 'web' }, annotations: { note: 'x' } });
  });

  it('an empty result has no subsets', () => {
    const plan = planEndpoints({ svc, subsets: [], current: undefined });
    expect(plan.kind === 'create' && plan.endpoints.subsets).toBeUndefined();
  });

  it('past 1000 addresses truncates and says so; the annotation goes when back under', () => {
    const big = svc;
    const pods = Array.from({ length: 1001 }, (_, i) => pod(`p${i}`, { ip: `10.42.${Math.floor(i / 250)}.${i % 250}` }));
    const subs = repackSubsets(pods.map((p) => podSubset(big, p)!));
    const plan = planEndpoints({ svc: big, subsets: subs, current: undefined });
    if (plan.kind === 'none') throw new Error('expected a create');
    expect((plan.endpoints.subsets as EndpointSubset[])[0]!.addresses).toHaveLength(1000);
    expect(plan.endpoints.metadata.annotations).toEqual({ 'endpoints.kubernetes.io/over-capacity': 'truncated' });
    // The same state again needs no write.
    expect(planEndpoints({ svc: big, subsets: subs, current: plan.endpoints })).toEqual({ kind: 'none' });
    const smaller = planEndpoints({ svc: big, subsets: repackSubsets(pods.slice(1).map((p) => podSubset(big, p)!)), current: plan.endpoints });
    if (smaller.kind === 'none') throw new Error('expected an update');
    expect(smaller.endpoints.metadata.annotations).toBeUndefined();
  });
});

describe('TriggerTimeTracker', () => {
  const svc = service('web');
  const t = (s: number) => Date.UTC(2026, 0, 1, 0, 0, s);
  const at = (name: string, s: number) => pod(name, { ip: '10.42.0.5', readySince: new Date(t(s)).toISOString() });

  it('publishes nothing on a first sync, then the earliest change since the last sync', () => {
    const tr = new TriggerTimeTracker();
    expect(tr.compute('demo/web', svc, [at('a', 10), at('b', 11)])).toBeUndefined();
    expect(tr.compute('demo/web', svc, [at('a', 10), at('b', 11)])).toBeUndefined();
    expect(tr.compute('demo/web', svc, [at('a', 20), at('b', 15), at('c', 30)])).toBe(t(15));
    expect(tr.compute('demo/web', svc, [at('a', 20), at('b', 15)])).toBeUndefined();
  });

  it('a Service created again counts as a change', () => {
    const tr = new TriggerTimeTracker();
    tr.compute('demo/web', svc, []);
    const again = { ...svc, metadata: { ...svc.metadata, creationTimestamp: '2026-01-01T00:01:00Z' } };
    expect(tr.compute('demo/web', again, [])).toBe(Date.UTC(2026, 0, 1, 0, 1, 0));
  });
});
