import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startTestCluster, type TestCluster } from '../../test/integration/helpers.ts';
import { buildResponse } from './records.ts';
import { clusterIP, endpointSlice, externalName, headless, namespace, service } from './test-fixtures.ts';
import { DnsIndex, InformerDnsView, SERVICE_NAME_LABEL } from './view.ts';

describe('DnsIndex', () => {
  it('bumps the generation and serial on changes DNS can see, and not on others', () => {
    let now = Date.UTC(2026, 0, 1);
    const v = new DnsIndex(() => now);
    const g0 = v.generation;
    v.upsertNamespace(namespace('demo'));
    expect(v.generation).toBe(g0 + 1);
    v.upsertNamespace({ ...namespace('demo'), metadata: { name: 'demo', resourceVersion: '9', labels: { a: 'b' } } });
    expect(v.generation).toBe(g0 + 1);

    now += 7_000;
    const web = clusterIP('demo', 'web', '10.96.0.20', [{ name: 'http', port: 80 }]);
    v.upsertService(web);
    expect(v.generation).toBe(g0 + 2);
    expect(v.serial).toBe(now / 1000);
    // Only metadata changed: same answers, same generation.
    v.upsertService({ ...web, metadata: { ...web.metadata, resourceVersion: '12', annotations: { x: 'y' } } });
    expect(v.generation).toBe(g0 + 2);

    const slice = endpointSlice('demo', 'web-a', 'web', [{ ip: '10.244.0.5', ready: true }], [{ name: 'http', port: 8080 }]);
    v.upsertEndpointSlice(slice);
    expect(v.generation).toBe(g0 + 3);
    // serving/terminating flip without ready: invisible to DNS.
    const servingOnly = structuredClone(slice) as unknown as { endpoints: { conditions: Record<string, boolean> }[] };
    servingOnly.endpoints[0]!.conditions.serving = false;
    v.upsertEndpointSlice(servingOnly as never);
    expect(v.generation).toBe(g0 + 3);
    v.upsertEndpointSlice(endpointSlice('demo', 'web-a', 'web', [{ ip: '10.244.0.5', ready: false }], [{ name: 'http', port: 8080 }]));
    expect(v.generation).toBe(g0 + 4);

    v.deleteEndpointSlice(slice);
    v.deleteService(web);
    v.deleteNamespace(namespace('demo'));
    expect(v.generation).toBe(g0 + 7);
    // Deleting what is not there changes nothing.
    v.deleteService(web);
    expect(v.generation).toBe(g0 + 7);
    expect(v.hasSynced).toBe(false);
    v.markSynced();
    expect(v.hasSynced).toBe(true);
    expect(v.generation).toBe(g0 + 8);
  });

  it('keeps the cluster IP index current when a Service changes address or goes away', () => {
    const v = new DnsIndex();
    v.upsertService(clusterIP('demo', 'a', '10.96.0.30', [{ port: 80 }]));
    expect(v.servicesWithClusterIP('10.96.0.30').map((s) => s.name)).toEqual(['a']);
    v.upsertService(clusterIP('demo', 'a', ['10.96.0.31', 'FD00::31'], [{ port: 80 }]));
    expect(v.servicesWithClusterIP('10.96.0.30')).toEqual([]);
    expect(v.servicesWithClusterIP('10.96.0.31').map((s) => s.name)).toEqual(['a']);
    expect(v.servicesWithClusterIP('fd00::31').map((s) => s.name)).toEqual(['a']);
    v.deleteService(clusterIP('demo', 'a', '10.96.0.31', []));
    expect(v.servicesWithClusterIP('10.96.0.31')).toEqual([]);
    expect(v.servicesWithClusterIP('fd00::31')).toEqual([]);
  });

  it('digests Service kinds: headless, ExternalName, dual stack, default protocol', () => {
    const v = new DnsIndex();
    v.upsertService(headless('demo', 'h', [{ name: 'Web', port: 80 }]));
    v.upsertService(externalName('demo', 'e', 'example.com'));
    v.upsertService(service('demo', 'p', { clusterIP: '10.96.0.40', ports: [{ port: 53 }] }));
    expect(v.service('demo', 'h')).toMatchObject({ headless: true, clusterIPs: [], ports: [{ name: 'web', port: 80, protocol: 'tcp' }] });
    expect(v.service('demo', 'e')).toMatchObject({ type: 'ExternalName', headless: false, clusterIPs: [], externalName: 'example.com' });
    expect(v.service('demo', 'p')).toMatchObject({ clusterIPs: ['10.96.0.40'], ports: [{ name: '', port: 53, protocol: 'tcp' }] });
  });

  it('attributes slices to their Service by label, and follows a slice whose label changes', () => {
    const v = new DnsIndex();
    v.upsertEndpointSlice(endpointSlice('demo', 'b-2', 'svc1', [{ ip: '10.244.0.2' }]));
    v.upsertEndpointSlice(endpointSlice('demo', 'a-1', 'svc1', [{ ip: '10.244.0.1', hostname: 'one' }, { ip: '10.244.0.3', ready: false }]));
    expect(v.endpointSlices('demo', 'svc1').map((s) => s.name)).toEqual(['a-1', 'b-2']);
    expect(v.endpointSlices('demo', 'svc1')[0]!.addresses).toEqual([{ ip: '10.244.0.1', label: 'one' }]);
    expect(v.endpointSlices('demo', 'svc1')[1]!.ports).toEqual([{ name: '', port: -1, protocol: '' }]);
    expect(v.endpointsWithIP('10.244.0.1')).toEqual([{ namespace: 'demo', service: 'svc1', label: 'one' }]);
    expect(v.endpointsWithIP('10.244.0.3')).toEqual([]);

    v.upsertEndpointSlice(endpointSlice('demo', 'a-1', 'svc2', [{ ip: '10.244.0.1' }]));
    expect(v.endpointSlices('demo', 'svc1').map((s) => s.name)).toEqual(['b-2']);
    expect(v.endpointSlices('demo', 'svc2').map((s) => s.name)).toEqual(['a-1']);
    expect(v.endpointsWithIP('10.244.0.1')).toEqual([{ namespace: 'demo', service: 'svc2', label: '10-244-0-1' }]);

    const unlabelled = endpointSlice('demo', 'a-1', 'svc2', [{ ip: '10.244.0.1' }]);
    delete unlabelled.metadata.labels![SERVICE_NAME_LABEL];
    v.upsertEndpointSlice(unlabelled);
    expect(v.endpointSlices('demo', 'svc2')).toEqual([]);
    expect(v.endpointsWithIP('10.244.0.1')).toEqual([]);

    // FQDN slices carry no addresses DNS can serve.
    v.upsertEndpointSlice(endpointSlice('demo', 'f', 'svc3', [{ ip: 'example.com' }], [], 'FQDN'));
    expect(v.endpointSlices('demo', 'svc3')).toEqual([]);
  });
});

describe('InformerDnsView over an in-process cluster', () => {
  let cluster: TestCluster | undefined;
  let abort: AbortController | undefined;
  afterEach(async () => {
    abort?.abort();
    await cluster?.stop();
    cluster = undefined;
  });

  it('syncs, then follows namespaces, Services and EndpointSlices written through the API', async () => {
    cluster = await startTestCluster({ controllers: false });
    const c = cluster;
    const ok = async (method: string, url: string, body?: unknown) => {
      const r = await c.call(method, url, body);
      expect(r.status, r.text).toBeLessThan(300);
      return r.json;
    };
    await ok('POST', '/api/v1/namespaces', namespace('demo'));
    await ok('POST', '/api/v1/namespaces/demo/services', clusterIP('demo', 'web', '10.96.12.7', [{ name: 'http', port: 80 }]));

    const { view, run } = InformerDnsView.fromClient(c.client);
    abort = new AbortController();
    void run(abort.signal);
    await eventually(() => view.hasSynced, { what: 'view sync' });
    expect(view.namespaceExists('demo')).toBe(true);
    expect(view.service('demo', 'web')?.clusterIPs).toEqual(['10.96.12.7']);
    const q = (name: string) => buildResponse(view, { name, type: 'A' }, { dnsIP: '10.96.0.10' });
    expect(q('web.demo.svc.cluster.local').answers).toHaveLength(1);

    const before = view.generation;
    await ok('POST', '/api/v1/namespaces/demo/services', headless('demo', 'db', [{ name: 'pg', port: 5432 }]));
    await ok('POST', '/apis/discovery.k8s.io/v1/namespaces/demo/endpointslices', endpointSlice('demo', 'db-abc', 'db', [{ ip: '10.244.0.11', hostname: 'db-0', ready: true }], [{ name: 'pg', port: 5432 }]));
    await eventually(() => q('db-0.db.demo.svc.cluster.local').answers.length === 1, { what: 'db-0 in DNS' });
    expect(view.generation).toBeGreaterThan(before);

    await ok('DELETE', '/apis/discovery.k8s.io/v1/namespaces/demo/endpointslices/db-abc');
    await eventually(() => q('db.demo.svc.cluster.local').rcode === 'NXDOMAIN', { what: 'db gone from DNS' });
  });
});
