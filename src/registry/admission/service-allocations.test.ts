import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import type { ResourceInfo } from '../../api/resources.ts';
import { openBackend } from '../../store/index.ts';
import type { Backend } from '../../store/backend.ts';
import { serviceStrategy } from '../strategies/core-network.ts';
import { create } from '../strategies/testing.ts';
import { ServiceAllocations } from './service-allocations.ts';
import { inServiceRange, ipLowerBand, ipToInt, parseServiceCidr, pickFree, portLowerBand } from './service-ranges.ts';

const sp = (o: KubeObject) => o.spec as any;

const info = { group: '', kind: 'Service' } as ResourceInfo;
const clock = { now: () => Date.now(), setTimer: () => () => {} };

describe('service ranges', () => {
  it.each<[string, string, string]>([
    ['10.96.0.0/16', '10.96.0.0/16', '10.96.0.1'],
    ['10.96.3.7/16', '10.96.0.0/16', '10.96.255.254'],
    ['192.168.10.0/24', '192.168.10.0/24', '192.168.10.254'],
  ])('parses %s', (cidr, normal, lastUsable) => {
    const r = parseServiceCidr(cidr);
    expect(r.cidr).toBe(normal);
    expect(inServiceRange(r, lastUsable)).toBe(true);
    expect(inServiceRange(r, normal.split('/')[0]!)).toBe(false);
  });

  it.each(['10.96.0.0', '10.96.0.0/33', '300.1.1.0/24', 'fd00::/108', '10.0.0.0/31'])('refuses %s', (cidr) => {
    expect(() => parseServiceCidr(cidr)).toThrow(/invalid service CIDR .* want an IPv4 block/);
  });

  it('sizes the static bands as upstream', () => {
    expect(ipLowerBand(parseServiceCidr('10.96.0.0/16'))).toBe(256);
    expect(ipLowerBand(parseServiceCidr('10.96.0.0/24'))).toBe(16);
    expect(portLowerBand(30000, 32767)).toBe(86);
  });

  it('picks from the upper band first, then the lower one, then nothing', () => {
    expect(pickFree(1, 100, 10, () => false, 0)).toBe(11);
    expect(pickFree(1, 100, 10, (n) => n > 10, 0.5)).toBeLessThanOrEqual(10);
    expect(pickFree(1, 100, 10, () => true, 0.5)).toBeUndefined();
  });
});

describe('ServiceAllocations', () => {
  let backend: Backend;
  let alloc: ServiceAllocations;
  afterEach(async () => {
    alloc?.close();
    await backend?.close();
  });

  async function setup(cidr = '10.96.0.0/16', nodePorts?: { first: number; last: number }) {
    backend = await openBackend('memory');
    alloc = new ServiceAllocations(backend, { cidr: parseServiceCidr(cidr), clock, nodePorts });
    await alloc.start();
  }

  function svc(name: string, spec: Record<string, unknown> = {}): KubeObject {
    const obj = create(serviceStrategy(), { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], selector: { app: name }, ...spec } }).obj;
    obj.metadata.namespace = 'default';
    return obj;
  }

  /** Admits and stores, as the registry does, then waits until the watch has seen it. */
  async function createStored(obj: KubeObject): Promise<KubeObject> {
    await alloc.admit('create', info, obj, undefined);
    await backend.create(`/registry/core/services/default/${obj.metadata.name}`, JSON.stringify(obj));
    return obj;
  }

  const message = (p: Promise<unknown>) => p.then(() => '', (e: Error) => e.message);

  it('hands out a free address from the upper band and fills the IP fields', async () => {
    await setup();
    const s = await createStored(svc('web'));
    const ip = (s.spec as { clusterIP: string }).clusterIP;
    expect(ipToInt(ip) - ipToInt('10.96.0.0')).toBeGreaterThan(256);
    expect(s.spec).toMatchObject({ clusterIPs: [ip], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an address outside the range', { clusterIP: '10.0.0.5' }, 'Service "b" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.5"}: failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/16'],
    ['a taken address', { clusterIP: '10.96.0.20' }, 'Service "b" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.20"}: failed to allocate IP 10.96.0.20: provided IP is already allocated'],
    ['IPv6 on an IPv4 cluster', { ipFamilies: ['IPv6'] }, 'Service "b" is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster'],
    ['dual stack required', { ipFamilyPolicy: 'RequireDualStack' }, 'Service "b" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services'],
    ['a taken node port', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }, 'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated'],
    ['a node port outside the range', { type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] }, 'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767'],
  ])('refuses %s', async (_, spec, want) => {
    await setup();
    await createStored(svc('a', { clusterIP: '10.96.0.20', type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
    expect(await message(alloc.admit('create', info, svc('b', spec), undefined))).toBe(want);
  });

  it('never hands out an address twice, and frees it when the Service is deleted', async () => {
    await setup('10.96.0.0/28');
    const got = new Set<string>();
    for (let i = 0; i < 14; i++) got.add(sp(await createStored(svc(`s${i}`))).clusterIP as string);
    expect(got.size).toBe(14);
    expect(await message(alloc.admit('create', info, svc('full'), undefined))).toBe('Internal error occurred: failed to allocate a serviceIP: range is full');
    await backend.delete('/registry/core/services/default/s3');
    const freed = [...got][3]!;
    await expect.poll(async () => {
      const s = svc('again');
      return (await message(alloc.admit('create', info, s, undefined))) || sp(s).clusterIP;
    }).toBe(freed);
  });

  it('keeps what is stored across a restart', async () => {
    await setup('10.96.0.0/28');
    await createStored(svc('kept', { clusterIP: '10.96.0.5' }));
    alloc.close();
    alloc = new ServiceAllocations(backend, { cidr: parseServiceCidr('10.96.0.0/28'), clock });
    await alloc.start();
    expect(await message(alloc.admit('create', info, svc('b', { clusterIP: '10.96.0.5' }), undefined))).toMatch(/provided IP is already allocated/);
  });

  it('gives NodePort Services a port per port number, TCP and UDP sharing one', async () => {
    await setup();
    const s = await createStored(
      svc('dns', { type: 'NodePort', ports: [{ name: 'udp', port: 53, protocol: 'UDP' }, { name: 'tcp', port: 53, protocol: 'TCP' }, { name: 'm', port: 9153 }] }),
    );
    const ports = (sp(s).ports as { nodePort: number }[]).map((p) => p.nodePort);
    expect(ports[0]).toBe(ports[1]);
    expect(ports[2]).not.toBe(ports[0]);
    for (const p of ports) expect(p).toBeGreaterThanOrEqual(30000 + 86);
  });

  it('allocates on a type change and lets an update keep its own values', async () => {
    await setup();
    const ext = await createStored(svc('e', { type: 'ExternalName', externalName: 'example.com', ports: [], selector: undefined }));
    expect(sp(ext).clusterIP).toBeUndefined();
    const next = structuredClone(ext);
    Object.assign(next.spec!, { type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] });
    await alloc.admit('update', info, next, ext);
    expect(inServiceRange(parseServiceCidr('10.96.0.0/16'), sp(next).clusterIP as string)).toBe(true);

    const np = await createStored(svc('np', { type: 'NodePort', clusterIP: '10.96.0.30', ports: [{ port: 80, nodePort: 30100 }] }));
    const again = structuredClone(np);
    await alloc.admit('update', info, again, np);
    expect(again.spec).toMatchObject({ clusterIP: '10.96.0.30', ports: [{ nodePort: 30100 }] });
  });

  it('gives a LoadBalancer with local traffic a health check port', async () => {
    await setup();
    const s = await createStored(svc('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }));
    expect(sp(s).healthCheckNodePort).toBeGreaterThanOrEqual(30000);
    expect((sp(s).ports as { nodePort: number }[])[0]!.nodePort).not.toBe(sp(s).healthCheckNodePort);
  });
});

describe('ServiceAllocations of several servers on one store', () => {
  const svcOf = (name: string, spec: Record<string, unknown> = {}): KubeObject =>
    create(serviceStrategy(), { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { ports: [{ port: 80 }], selector: { app: name }, ...spec } }).obj;

  it('never hands one value to two Services, even when both servers would pick it', async () => {
    const backend = await openBackend('memory');
    // Both servers pick the same candidates in the same order: only the store's claims tell them apart.
    const servers = [0, 1].map(() => new ServiceAllocations(backend, { cidr: parseServiceCidr('10.96.0.0/24'), clock, random: () => 0, shared: true }));
    await Promise.all(servers.map((s) => s.start()));
    const made = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const s = svcOf(`s${i}`, { type: 'NodePort' });
        await servers[i % 2]!.admit('create', info, s, undefined);
        return s;
      }),
    );
    const ips = made.map((s) => sp(s).clusterIP as string);
    const ports = made.map((s) => (sp(s).ports as { nodePort: number }[])[0]!.nodePort);
    expect(new Set(ips).size).toBe(20);
    expect(new Set(ports).size).toBe(20);
    // A value asked for by name that the other server claimed is refused as upstream words it.
    const first = svcOf('asks', { clusterIP: ips[1] });
    await expect(servers[0]!.admit('create', info, first, undefined)).rejects.toThrow(/provided IP is already allocated/);
    for (const s of servers) s.close();
    await backend.close();
  });
});
