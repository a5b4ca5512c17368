// The Endpoints, EndpointSlice and EndpointSlice mirroring controllers in the whole control plane:
// simulated nodes run the pods (a readiness gate the test sets stands for a failing readiness
// probe), the controllers publish them; slices of a deleted Service go by garbage collection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNodes } from '../../src/cli/node-commands.ts';
import { eventually, startTestCluster, type TestCluster } from './helpers.ts';

let c: TestCluster;
const quiet = { out: () => {} };
beforeAll(async () => {
  c = await startTestCluster();
  await eventually(() => c.ready(), { what: 'controllers to sync' });
  await addNodes(c.client, { name: 'node-a', labels: 'topology.kubernetes.io/zone=zone-a' }, quiet);
  await addNodes(c.client, { name: 'node-b' }, quiet);
});
afterAll(async () => {
  await c.stop();
});

const NS = '/api/v1/namespaces/default';
const SLICES = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices';
const MERGE = { 'content-type': 'application/merge-patch+json' };
const GATE = 'test.k8ts.io/ready';

const get = async (url: string) => (await c.call('GET', url)).json;
const endpointsOf = async (svc: string) => {
  const r = await c.call('GET', `${NS}/endpoints/${svc}`);
  return r.status === 200 ? r.json : undefined;
};
const slicesOf = async (svc: string, managedBy = 'endpointslice-controller.k8s.io'): Promise<any[]> =>
  (await get(`${SLICES}?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${svc},endpointslice.kubernetes.io/managed-by=${managedBy}`)}`)).items;
const allEndpoints = (slices: any[]) => slices.flatMap((s) => s.endpoints ?? []);
const byPod = (slices: any[]) => Object.fromEntries(allEndpoints(slices).map((e: any) => [e.targetRef.name, e]));
const ready = (p: any) => p.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True');

function service(name: string, spec: Record<string, unknown>, labels?: Record<string, string>) {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, ...(labels ? { labels } : {}) }, spec };
}

/** A pod on a simulated node whose readiness follows the GATE condition the test sets. */
function gatedPod(name: string, labels: Record<string, string>, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { nodeName: 'node-a', readinessGates: [{ conditionType: GATE }], containers: [{ name: 'app', image: 'nginx:1.25' }], ...extra },
  };
}

async function setGate(pod: string, status: 'True' | 'False'): Promise<void> {
  const r = await c.call('PATCH', `${NS}/pods/${pod}/status`, { status: { conditions: [{ type: GATE, status }] } }, { 'content-type': 'application/strategic-merge-patch+json' });
  expect(r.status, r.text).toBe(200);
  await eventually(async () => ready(await get(`${NS}/pods/${pod}`)) === (status === 'True'), { what: `${pod} Ready=${status}` });
}

describe('headless Service over a StatefulSet', () => {
  it('publishes the spec example: Endpoints with hostnames, one slice with conditions, labels and owner', async () => {
    expect((await c.call('POST', `${NS}/services`, service('nginx', { clusterIP: 'None', selector: { app: 'nginx' }, ports: [{ name: 'web', port: 80, targetPort: 80 }] }, { app: 'nginx' }))).status).toBe(201);
    const set = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web' },
      spec: {
        serviceName: 'nginx',
        replicas: 3,
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: { app: 'nginx' } },
        template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ name: 'web', containerPort: 80 }] }] } },
      },
    };
    expect((await c.call('POST', '/apis/apps/v1/namespaces/default/statefulsets', set)).status).toBe(201);
    const pods = await eventually(
      async () => {
        const items = (await get(`${NS}/pods?labelSelector=app%3Dnginx`)).items as any[];
        return items.length === 3 && items.every(ready) && items;
      },
      { what: 'three ready pods' },
    );
    const podBy = Object.fromEntries(pods.map((p) => [p.metadata.name, p]));
    const address = (name: string) => ({
      ip: podBy[name].status.podIP,
      hostname: name,
      nodeName: podBy[name].spec.nodeName,
      targetRef: { kind: 'Pod', namespace: 'default', name, uid: podBy[name].metadata.uid },
    });

    const ep = await eventually(async () => {
      const e = await endpointsOf('nginx');
      return e?.subsets?.[0]?.addresses?.length === 3 && e;
    }, { what: 'Endpoints nginx with three addresses' });
    const want = ['web-0', 'web-1', 'web-2'].map(address).sort((a, b) => (a.ip < b.ip ? -1 : 1));
    expect(ep.subsets).toEqual([{ addresses: want, ports: [{ name: 'web', port: 80, protocol: 'TCP' }] }]);
    expect(ep.metadata.labels).toEqual({ app: 'nginx', 'service.kubernetes.io/headless': '' });
    // The trigger time is the pods' Ready transition, when it moved since the last sync (in
    // process that may be the same second, so its presence is left to the unit tests).
    const trigger = ep.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'];
    if (trigger !== undefined) expect(trigger).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const slices = await eventually(async () => {
      const s = await slicesOf('nginx');
      return s.length === 1 && allEndpoints(s).filter((e: any) => e.conditions.ready).length === 3 && s;
    }, { what: 'one slice with three ready endpoints' });
    const svc = await get(`${NS}/services/nginx`);
    const slice = slices[0];
    expect(slice.metadata.name).toMatch(/^nginx-[a-z0-9]{5}$/);
    expect(slice.metadata.generateName).toBe('nginx-');
    expect(slice.metadata.labels).toEqual({
      'kubernetes.io/service-name': 'nginx',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      'service.kubernetes.io/headless': '',
      app: 'nginx',
    });
    expect(slice.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Service', name: 'nginx', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(slice.addressType).toBe('IPv4');
    expect(slice.ports).toEqual([{ name: 'web', port: 80, protocol: 'TCP' }]);
    for (const name of ['web-0', 'web-1', 'web-2']) {
      const p = podBy[name];
      expect(byPod(slices)[name]).toEqual({
        addresses: [p.status.podIP],
        conditions: { ready: true, serving: true, terminating: false },
        hostname: name,
        targetRef: { kind: 'Pod', namespace: 'default', name, uid: p.metadata.uid },
        nodeName: p.spec.nodeName,
        ...(p.spec.nodeName === 'node-a' ? { zone: 'zone-a' } : {}),
      });
    }
    // The write carries the controller manager's name in managedFields.
    expect(slice.metadata.managedFields?.[0]?.manager).toBe('k8ts-controller-manager');
  });

  it('follows a change of the node zone', async () => {
    const node = (await get(`${NS}/pods/web-0`)).spec.nodeName;
    expect((await c.call('PATCH', `/api/v1/nodes/${node}`, { metadata: { labels: { 'topology.kubernetes.io/zone': 'zone-c' } } }, MERGE)).status).toBe(200);
    await eventually(async () => byPod(await slicesOf('nginx'))['web-0']?.zone === 'zone-c', { what: 'zone-c on the endpoint of web-0' });
  });

  it('removes the Endpoints with the Service, and the slices through their owner', async () => {
    expect((await c.call('DELETE', `${NS}/services/nginx`)).status).toBe(200);
    await eventually(async () => (await c.call('GET', `${NS}/endpoints/nginx`)).status === 404, { what: 'Endpoints nginx gone' });
    await eventually(async () => (await slicesOf('nginx')).length === 0, { what: 'slices of nginx gone' });
  });
});

describe('readiness', () => {
  const ip = (p: any) => p.status.podIP;
  const pods: Record<string, any> = {};

  it('a pod turning not Ready moves to notReadyAddresses and ready:false in its slice', async () => {
    expect((await c.call('POST', `${NS}/services`, service('db', { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'pg', port: 5432 }] }))).status).toBe(201);
    for (const name of ['db-0', 'db-1', 'db-2']) {
      const body = gatedPod(name, { app: 'db' }, { hostname: name, subdomain: 'db' });
      // db-1 ignores SIGTERM, so that it stays terminating for its grace period below.
      const annotations = name === 'db-1' ? { 'sim.k8ts.io/ignore-sigterm': 'true' } : undefined;
      expect((await c.call('POST', `${NS}/pods`, { ...body, metadata: { ...body.metadata, annotations } })).status).toBe(201);
    }
    for (const name of ['db-0', 'db-1', 'db-2']) await setGate(name, 'True');
    for (const name of ['db-0', 'db-1', 'db-2']) pods[name] = await get(`${NS}/pods/${name}`);
    await eventually(async () => (await endpointsOf('db'))?.subsets?.[0]?.addresses?.length === 3, { what: 'three ready addresses' });

    await setGate('db-2', 'False');
    const ep = await eventually(async () => {
      const e = await endpointsOf('db');
      return e?.subsets?.[0]?.notReadyAddresses?.length === 1 && e;
    }, { what: 'db-2 not ready in Endpoints' });
    expect(ep.subsets[0].addresses.map((a: any) => [a.hostname, a.ip])).toEqual(
      [['db-0', ip(pods['db-0'])], ['db-1', ip(pods['db-1'])]].sort((a, b) => (a[1] < b[1] ? -1 : 1)),
    );
    expect(ep.subsets[0].notReadyAddresses.map((a: any) => [a.hostname, a.ip])).toEqual([['db-2', ip(pods['db-2'])]]);
    await eventually(async () => {
      const eps = byPod(await slicesOf('db'));
      return JSON.stringify(eps['db-2']?.conditions) === JSON.stringify({ ready: false, serving: false, terminating: false }) && eps['db-0'].conditions.ready && eps['db-1'].conditions.ready;
    }, { what: 'db-2 ready:false serving:false in the slice' });
  });

  it('publishNotReadyAddresses publishes it again as ready', async () => {
    expect((await c.call('PATCH', `${NS}/services/db`, { spec: { publishNotReadyAddresses: true } }, MERGE)).status).toBe(200);
    await eventually(async () => {
      const eps = byPod(await slicesOf('db'));
      return JSON.stringify(eps['db-2']?.conditions) === JSON.stringify({ ready: true, serving: false, terminating: false });
    }, { what: 'db-2 ready:true serving:false' });
    await eventually(async () => {
      const e = await endpointsOf('db');
      return e?.subsets?.length === 1 && e.subsets[0].addresses?.length === 3 && !e.subsets[0].notReadyAddresses;
    }, { what: 'all three in addresses' });
  });

  it('a terminating pod stays in its slice with terminating:true; the Endpoints keep it only when publishing not-ready addresses', async () => {
    expect((await c.call('DELETE', `${NS}/pods/db-1`, { gracePeriodSeconds: 60 })).status).toBe(200);
    await eventually(async () => {
      const e = byPod(await slicesOf('db'))['db-1'];
      return e?.conditions.terminating === true && e.conditions.ready === true;
    }, { what: 'db-1 terminating and (published) ready' });
    expect((await endpointsOf('db')).subsets[0].addresses.map((a: any) => a.hostname)).toContain('db-1');

    expect((await c.call('PATCH', `${NS}/services/db`, { spec: { publishNotReadyAddresses: false } }, MERGE)).status).toBe(200);
    await eventually(async () => {
      const e = byPod(await slicesOf('db'))['db-1'];
      return e?.conditions.terminating === true && e.conditions.ready === false;
    }, { what: 'db-1 terminating and not ready' });
    await eventually(async () => {
      const e = await endpointsOf('db');
      const all = [...(e?.subsets?.[0]?.addresses ?? []), ...(e?.subsets?.[0]?.notReadyAddresses ?? [])].map((a: any) => a.hostname);
      return all.length === 2 && !all.includes('db-1');
    }, { what: 'db-1 out of the Endpoints' });

    // Gone for good: out of the slice too.
    expect((await c.call('DELETE', `${NS}/pods/db-1`, { gracePeriodSeconds: 0 })).status).toBe(200);
    await eventually(async () => !byPod(await slicesOf('db'))['db-1'], { what: 'db-1 out of the slice' });
  });

  it('all pods gone: a placeholder slice without ports; the Service deleted: everything gone', async () => {
    for (const name of ['db-0', 'db-2']) expect((await c.call('DELETE', `${NS}/pods/${name}`, { gracePeriodSeconds: 0 })).status).toBe(200);
    const slices = await eventually(async () => {
      const s = await slicesOf('db');
      return s.length === 1 && !s[0].endpoints?.length && s;
    }, { what: 'an empty slice' });
    expect(slices[0].ports ?? []).toEqual([]);
    expect((await endpointsOf('db')).subsets).toBeUndefined();
    expect((await c.call('DELETE', `${NS}/services/db`)).status).toBe(200);
    await eventually(async () => !(await endpointsOf('db')) && (await slicesOf('db')).length === 0, { what: 'Endpoints and slices of db gone' });
  });
});

describe('named targetPort', () => {
  it('resolves per pod: one port set per slice, a pod without the port in a slice without ports and out of the Endpoints', async () => {
    expect((await c.call('POST', `${NS}/services`, service('named', { selector: { app: 'named' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }))).status).toBe(201);
    const mk = (name: string, port?: number) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { app: 'named' } },
      spec: { nodeName: 'node-b', containers: [{ name: 'app', image: 'nginx:1.25', ...(port ? { ports: [{ name: 'http', containerPort: port }] } : {}) }] },
    });
    for (const [name, port] of [['pa', 8080], ['pb', 8081], ['pc', undefined]] as const) expect((await c.call('POST', `${NS}/pods`, mk(name, port))).status).toBe(201);
    const pods = await eventually(async () => {
      const items = (await get(`${NS}/pods?labelSelector=app%3Dnamed`)).items as any[];
      return items.length === 3 && items.every(ready) && Object.fromEntries(items.map((p) => [p.metadata.name, p]));
    }, { what: 'three ready pods' });
    const slices = await eventually(async () => {
      const s = await slicesOf('named');
      return allEndpoints(s).length === 3 && s;
    }, { what: 'three endpoints' });
    const layout = slices.map((s: any) => [(s.ports ?? []).map((p: any) => `${p.name}/${p.port}/${p.protocol}`), (s.endpoints ?? []).map((e: any) => e.targetRef.name)]);
    expect(layout.sort((a: any, b: any) => (a[1][0] < b[1][0] ? -1 : 1))).toEqual([
      [['http/8080/TCP'], ['pa']],
      [['http/8081/TCP'], ['pb']],
      [[], ['pc']],
    ]);
    const ep = await eventually(async () => {
      const e = await endpointsOf('named');
      // Both pods ready in the Endpoints too (an earlier revision may still list one as not ready).
      return e?.subsets?.length === 2 && e.subsets.every((s: any) => s.addresses?.length === 1) && e;
    }, { what: 'two subsets of ready addresses' });
    const subsets = ep.subsets.map((s: any) => [s.addresses.map((a: any) => a.ip), s.ports]);
    expect(subsets).toEqual(
      expect.arrayContaining([
        [[pods.pa.status.podIP], [{ name: 'http', port: 8080, protocol: 'TCP' }]],
        [[pods.pb.status.podIP], [{ name: 'http', port: 8081, protocol: 'TCP' }]],
      ]),
    );
    expect(JSON.stringify(ep.subsets)).not.toContain(pods.pc.status.podIP);
    // A ClusterIP Service's objects carry no headless label.
    expect(ep.metadata.labels ?? {}).toEqual({});
  });
});

describe('Services without a selector', () => {
  const legacyEndpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'legacy', labels: { team: 'db' } },
    subsets: [{ addresses: [{ ip: '192.168.1.10' }], notReadyAddresses: [{ ip: '192.168.1.11' }], ports: [{ port: 5432 }] }],
  };

  it('mirrors user Endpoints into a slice and leaves the Endpoints as written', async () => {
    expect((await c.call('POST', `${NS}/services`, service('legacy', { clusterIP: 'None', ports: [{ port: 5432 }] }))).status).toBe(201);
    const created = await c.call('POST', `${NS}/endpoints`, legacyEndpoints);
    expect(created.status).toBe(201);
    const slices = await eventually(async () => {
      const s = await slicesOf('legacy', 'endpointslicemirroring-controller.k8s.io');
      return s.length === 1 && s;
    }, { what: 'a mirrored slice' });
    expect(slices[0].metadata.labels).toEqual({ team: 'db', 'kubernetes.io/service-name': 'legacy', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' });
    expect(slices[0].metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Endpoints', name: 'legacy', uid: created.json.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(slices[0].addressType).toBe('IPv4');
    expect(slices[0].endpoints).toEqual([
      { addresses: ['192.168.1.10'], conditions: { ready: true } },
      { addresses: ['192.168.1.11'], conditions: { ready: false } },
    ]);
    expect(slices[0].ports).toEqual([{ name: '', port: 5432, protocol: 'TCP' }]);
    // Neither controller of selector Services touched them.
    expect((await endpointsOf('legacy')).metadata.resourceVersion).toBe(created.json.metadata.resourceVersion);
    expect(await slicesOf('legacy')).toEqual([]);
  });

  it('follows the skip-mirror label', async () => {
    expect((await c.call('PATCH', `${NS}/endpoints/legacy`, { metadata: { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } } }, MERGE)).status).toBe(200);
    await eventually(async () => (await slicesOf('legacy', 'endpointslicemirroring-controller.k8s.io')).length === 0, { what: 'mirrored slice gone' });
    expect((await c.call('PATCH', `${NS}/endpoints/legacy`, { metadata: { labels: { 'endpointslice.kubernetes.io/skip-mirror': null } } }, MERGE)).status).toBe(200);
    await eventually(async () => (await slicesOf('legacy', 'endpointslicemirroring-controller.k8s.io')).length === 1, { what: 'mirrored again' });
  });

  it('a selector ends the mirroring and the Endpoints controller takes over', async () => {
    expect((await c.call('PATCH', `${NS}/services/legacy`, { spec: { selector: { app: 'nobody' }, ipFamilyPolicy: 'SingleStack' } }, MERGE)).status).toBe(200);
    await eventually(async () => (await slicesOf('legacy', 'endpointslicemirroring-controller.k8s.io')).length === 0, { what: 'mirrored slice gone' });
    await eventually(async () => (await endpointsOf('legacy'))?.subsets === undefined, { what: 'Endpoints emptied by the controller' });
    await eventually(async () => (await slicesOf('legacy')).length === 1, { what: 'a placeholder of the EndpointSlice controller' });
  });

  it('mirrored slices go with the Endpoints', async () => {
    expect((await c.call('POST', `${NS}/services`, service('ext-db', { ports: [{ port: 5432 }] }))).status).toBe(201);
    expect((await c.call('POST', `${NS}/endpoints`, { ...legacyEndpoints, metadata: { name: 'ext-db' } })).status).toBe(201);
    await eventually(async () => (await slicesOf('ext-db', 'endpointslicemirroring-controller.k8s.io')).length === 1, { what: 'mirrored' });
    expect((await c.call('DELETE', `${NS}/endpoints/ext-db`)).status).toBe(200);
    await eventually(async () => (await slicesOf('ext-db', 'endpointslicemirroring-controller.k8s.io')).length === 0, { what: 'mirrored slice gone' });
    // And the user's Endpoints go with their Service.
    expect((await c.call('POST', `${NS}/endpoints`, { ...legacyEndpoints, metadata: { name: 'ext-db' } })).status).toBe(201);
    await eventually(async () => (await slicesOf('ext-db', 'endpointslicemirroring-controller.k8s.io')).length === 1, { what: 'mirrored again' });
    expect((await c.call('DELETE', `${NS}/services/ext-db`)).status).toBe(200);
    await eventually(async () => !(await endpointsOf('ext-db')) && (await slicesOf('ext-db', 'endpointslicemirroring-controller.k8s.io')).length === 0, { what: 'Endpoints and mirror gone' });
  });
});

describe('a Service of 250 pods', () => {
  it('uses three slices, and one pod change rewrites one slice', async () => {
    await addNodes(c.client, { name: 'node-big', pods: '300' }, quiet);
    const mk = (i: number) => {
      const base = { apiVersion: 'v1', kind: 'Pod', metadata: { name: `many-${i}`, labels: { app: 'many' } }, spec: { nodeName: 'node-big', containers: [{ name: 'app', image: 'nginx:1.25' }] } };
      return i === 0 ? { ...base, spec: { ...base.spec, readinessGates: [{ conditionType: GATE }] } } : base;
    };
    for (let i = 0; i < 250; i += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, (_, j) => c.call('POST', `${NS}/pods`, mk(i + j))));
      expect(batch.every((r) => r.status === 201)).toBe(true);
    }
    await setGate('many-0', 'True');
    await eventually(async () => ((await get(`${NS}/pods?labelSelector=app%3Dmany`)).items as any[]).filter(ready).length === 250, { what: '250 ready pods', timeoutMs: 30_000 });
    // Created after its pods, the Service gets its slices in one sync: full ones, then the rest.
    // (Endpoints arriving over time fill slices as upstream does, which may leave more of them.)
    expect((await c.call('POST', `${NS}/services`, service('many', { selector: { app: 'many' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] }))).status).toBe(201);
    const slices = await eventually(
      async () => {
        const s = await slicesOf('many');
        const eps = allEndpoints(s);
        return eps.length === 250 && eps.every((e: any) => e.conditions.ready) && s;
      },
      { what: '250 ready endpoints', timeoutMs: 30_000 },
    );
    expect(slices.map((s: any) => s.endpoints.length).sort((a: number, b: number) => b - a)).toEqual([100, 100, 50]);
    const before = new Map(slices.map((s: any) => [s.metadata.name, s.metadata.resourceVersion]));
    const holder = slices.find((s: any) => s.endpoints.some((e: any) => e.targetRef.name === 'many-0')).metadata.name;

    await setGate('many-0', 'False');
    const after = await eventually(async () => {
      const s = await slicesOf('many');
      return byPod(s)['many-0']?.conditions.ready === false && s;
    }, { what: 'many-0 not ready' });
    const changed = after.filter((s: any) => before.get(s.metadata.name) !== s.metadata.resourceVersion).map((s: any) => s.metadata.name);
    expect(changed).toEqual([holder]);
    expect(after.map((s: any) => s.metadata.name).sort()).toEqual([...before.keys()].sort());
    const ep = await eventually(async () => {
      const e = await endpointsOf('many');
      return e?.subsets?.[0]?.notReadyAddresses?.length === 1 && e;
    }, { what: 'many-0 not ready in Endpoints' });
    expect(ep.subsets[0].addresses).toHaveLength(249);
    expect(ep.metadata.annotations?.['endpoints.kubernetes.io/over-capacity']).toBeUndefined();
  });
});
