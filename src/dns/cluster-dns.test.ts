import dgram from 'node:dgram';
import dnsPacket, { type DecodedPacket } from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startTestCluster, type TestCluster } from '../../test/integration/helpers.ts';
import { Informer } from '../client/informer.ts';
import { systemClock } from '../util/clock.ts';
import { startClusterDns, type ClusterDns } from './cluster-dns.ts';
import { clusterIP, endpointSlice, headless, namespace, rrText } from './test-fixtures.ts';

function ask(port: number, name: string, type: 'A' | 'SRV'): Promise<DecodedPacket & { rcode: string }> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error('no answer'));
    }, 2000);
    sock.once('message', (m) => {
      clearTimeout(timer);
      sock.close();
      resolve(dnsPacket.decode(m) as DecodedPacket & { rcode: string });
    });
    sock.send(dnsPacket.encode({ type: 'query', id: 1, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type }] }), port, '127.0.0.1');
  });
}

describe('startClusterDns', () => {
  let cluster: TestCluster | undefined;
  let dns: ClusterDns | undefined;
  afterEach(async () => {
    await dns?.close();
    await cluster?.stop();
    dns = cluster = undefined;
  });

  it('serves what the API holds, and follows changes', async () => {
    cluster = await startTestCluster({ controllers: false });
    const c = cluster;
    const ok = async (method: string, url: string, body?: unknown) => {
      const r = await c.call(method, url, body);
      expect(r.status, r.text).toBeLessThan(300);
    };
    await ok('POST', '/api/v1/namespaces', namespace('demo'));
    await ok('POST', '/api/v1/namespaces/demo/services', clusterIP('demo', 'web', '10.96.12.7', [{ name: 'http', port: 80 }]));

    dns = await startClusterDns(c.client, { host: '127.0.0.1', port: 0, upstream: [], dnsIP: '10.96.0.10' });
    expect(dns.view.hasSynced).toBe(true);
    const web = await ask(dns.port, 'web.demo.svc.cluster.local', 'A');
    expect((web.answers ?? []).map(rrText)).toEqual(['web.demo.svc.cluster.local. 5 IN A 10.96.12.7']);
    expect((await ask(dns.port, 'db-0.db.demo.svc.cluster.local', 'A')).rcode).toBe('NXDOMAIN');

    await ok('POST', '/api/v1/namespaces/demo/services', headless('demo', 'db', [{ name: 'pg', port: 5432 }]));
    await ok('POST', '/apis/discovery.k8s.io/v1/namespaces/demo/endpointslices', endpointSlice('demo', 'db-abc', 'db', [{ ip: '10.244.0.11', hostname: 'db-0', ready: true }], [{ name: 'pg', port: 5432 }]));
    const port = dns.port;
    const db0 = await eventually(async () => {
      const d = await ask(port, 'db-0.db.demo.svc.cluster.local', 'A');
      return d.rcode === 'NOERROR' && d;
    }, { what: 'db-0 resolvable' });
    expect((db0.answers ?? []).map(rrText)).toEqual(['db-0.db.demo.svc.cluster.local. 5 IN A 10.244.0.11']);

    await ok('DELETE', '/api/v1/namespaces/demo/services/web');
    await eventually(async () => (await ask(port, 'web.demo.svc.cluster.local', 'A')).rcode === 'NXDOMAIN', { what: 'web gone' });
  });

  it('reads Services and EndpointSlices from informers another component runs', async () => {
    cluster = await startTestCluster({ controllers: false });
    const c = cluster;
    expect((await c.call('POST', '/api/v1/namespaces', namespace('demo'))).status).toBe(201);
    expect((await c.call('POST', '/api/v1/namespaces/demo/services', clusterIP('demo', 'web', '10.96.12.7', [{ name: 'http', port: 80 }]))).status).toBe(201);
    const services = new Informer(c.client.resource({ apiVersion: 'v1', resource: 'services', namespaced: true }), { clock: systemClock });
    const endpointSlices = new Informer(c.client.resource({ apiVersion: 'discovery.k8s.io/v1', resource: 'endpointslices', namespaced: true }), { clock: systemClock });
    const stop = new AbortController();
    const running = Promise.all([services.run(stop.signal), endpointSlices.run(stop.signal)]);
    try {
      dns = await startClusterDns(c.client, { host: '127.0.0.1', port: 0, upstream: [], dnsIP: '10.96.0.10', shared: { services, endpointSlices } });
      expect(dns.view.hasSynced).toBe(true);
      expect(((await ask(dns.port, 'web.demo.svc.cluster.local', 'A')).answers ?? []).map(rrText)).toEqual(['web.demo.svc.cluster.local. 5 IN A 10.96.12.7']);
      // Closing the DNS server leaves the shared informers running for their owner.
      await dns.close();
      dns = undefined;
      expect((await c.call('POST', '/api/v1/namespaces/demo/services', clusterIP('demo', 'api', '10.96.12.8', [{ name: 'http', port: 80 }]))).status).toBe(201);
      await eventually(() => services.get('demo', 'api') !== undefined, { what: 'the shared informer still follows Services' });
    } finally {
      stop.abort();
      await running;
    }
  });
});
