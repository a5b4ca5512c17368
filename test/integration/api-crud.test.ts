// The API surface through handle(): CRUD, errors as Status, selectors, pagination, subresources.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configMap, expectStatus, startTestCluster, sts, type TestCluster } from './helpers.ts';

let c: TestCluster;
beforeAll(async () => {
  c = await startTestCluster({ controllers: false });
});
afterAll(async () => {
  await c.stop();
});

const CM = '/api/v1/namespaces/default/configmaps';
const STS = '/apis/apps/v1/namespaces/default/statefulsets';

describe('discovery and version', () => {
  it('reports a version kubectl can parse', async () => {
    const r = await c.call('GET', '/version');
    expect(r.json.gitVersion).toMatch(/^v1\.35\.\d+/);
    expect(r.json.major).toBe('1');
  });

  it('serves legacy discovery with the eviction subresource drain looks for', async () => {
    const r = await c.call('GET', '/api/v1');
    const eviction = r.json.resources.find((x: { name: string }) => x.name === 'pods/eviction');
    expect(eviction).toMatchObject({ kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] });
    const sts = (await c.call('GET', '/apis/apps/v1')).json.resources.find((x: { name: string }) => x.name === 'statefulsets');
    expect(sts).toMatchObject({ kind: 'StatefulSet', namespaced: true, shortNames: ['sts'], categories: ['all'] });
  });

  it('answers aggregated discovery only when asked, with the content type clients check', async () => {
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
    const r = await c.call('GET', '/apis', undefined, { accept });
    expect(r.headers['content-type']).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const apps = r.json.items.find((g: { metadata: { name: string } }) => g.metadata.name === 'apps');
    const scale = apps.versions[0].resources.find((x: { resource: string }) => x.resource === 'statefulsets').subresources.find((s: { subresource: string }) => s.subresource === 'scale');
    expect(scale.responseKind).toEqual({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
    expect((await c.call('GET', '/apis')).json.kind).toBe('APIGroupList');
    const autoscaling = (await c.call('GET', '/apis')).json.groups.find((g: { name: string }) => g.name === 'autoscaling');
    expect(autoscaling.preferredVersion.version).toBe('v2');
  });

  it('answers unknown paths with upstream text', async () => {
    expectStatus(await c.call('GET', '/apis/apps/v1/namespaces/default/widgets'), { code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' });
    expectStatus(await c.call('GET', '/apis/nope/v1'), { code: 404 });
  });
});

describe('create, get, update, delete', () => {
  it('creates with server-set metadata and refuses duplicates', async () => {
    const r = await c.call('POST', CM, configMap('one'));
    expect(r.status).toBe(201);
    const m = r.json.metadata;
    expect(m.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(m.resourceVersion).toMatch(/^\d+$/);
    expect(m.creationTimestamp).toMatch(/Z$/);
    expect(m.namespace).toBe('default');
    expectStatus(await c.call('POST', CM, configMap('one')), { code: 409, reason: 'AlreadyExists', message: 'configmaps "one" already exists' });
    const got = await c.call('GET', `${CM}/one`);
    expect(got.json.metadata.uid).toBe(m.uid);
    expect(got.json.data).toEqual({ a: '1' });
  });

  it('names objects from generateName', async () => {
    const r = await c.call('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } });
    expect(r.json.metadata.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('rejects a stale resourceVersion with 409 and takes a fresh one', async () => {
    const created = (await c.call('POST', CM, configMap('rv'))).json;
    const first = await c.call('PUT', `${CM}/rv`, { ...created, data: { a: '2' } });
    expect(first.status).toBe(200);
    expect(Number(first.json.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
    expectStatus(await c.call('PUT', `${CM}/rv`, { ...created, data: { a: '3' } }), {
      code: 409,
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on configmaps "rv": the object has been modified; please apply your changes to the latest version and try again',
    });
  });

  it('refuses a namespace mismatch and a name mismatch', async () => {
    expectStatus(await c.call('POST', CM, { ...configMap('x'), metadata: { name: 'x', namespace: 'other' } }), { code: 400, message: 'does not match the namespace' });
    expectStatus(await c.call('PUT', `${CM}/y`, configMap('z')), { code: 400, message: 'does not match the name on the URL' });
  });

  it('deletes and answers a success Status, then 404', async () => {
    await c.call('POST', CM, configMap('gone'));
    const r = await c.call('DELETE', `${CM}/gone`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'gone', kind: 'configmaps' } });
    expectStatus(await c.call('GET', `${CM}/gone`), { code: 404, reason: 'NotFound', message: 'configmaps "gone" not found' });
    expectStatus(await c.call('DELETE', `${CM}/gone`), { code: 404 });
  });

  it('keeps an object with finalizers until they are removed', async () => {
    await c.call('POST', CM, { ...configMap('fin'), metadata: { name: 'fin', finalizers: ['example.com/hold'] } });
    const r = await c.call('DELETE', `${CM}/fin`);
    expect(r.json.metadata.deletionTimestamp).toBeTruthy();
    expect((await c.call('GET', `${CM}/fin`)).status).toBe(200);
    const p = await c.call('PATCH', `${CM}/fin`, { metadata: { finalizers: null } }, { 'content-type': 'application/merge-patch+json' });
    expect(p.status).toBe(200);
    expect((await c.call('GET', `${CM}/fin`)).status).toBe(404);
  });

  it('honours delete preconditions', async () => {
    await c.call('POST', CM, configMap('pre'));
    expectStatus(await c.call('DELETE', `${CM}/pre`, { preconditions: { uid: 'not-it' } }), { code: 409, message: 'Precondition failed: UID in precondition: not-it' });
  });

  it('does not store anything on dryRun', async () => {
    const r = await c.call('POST', `${CM}?dryRun=All`, configMap('dry'));
    expect(r.status).toBe(201);
    expect((await c.call('GET', `${CM}/dry`)).status).toBe(404);
  });
});

describe('bad input', () => {
  it('answers malformed JSON with 400', async () => {
    expectStatus(await c.call('POST', CM, '{"apiVersion": "v1", "kind": '), { code: 400, reason: 'BadRequest', message: 'not valid JSON' });
  });

  it('answers an array body with 400', async () => {
    expectStatus(await c.call('POST', CM, '[1,2]'), { code: 400 });
  });

  it('answers an unknown media type with 415', async () => {
    expectStatus(await c.call('POST', CM, 'x', { 'content-type': 'text/plain' }), { code: 415, reason: 'UnsupportedMediaType' });
  });

  it('refuses unknown fields under Strict and warns under Warn', async () => {
    const body = { ...configMap('strict'), spec: { foo: 1 } };
    expectStatus(await c.call('POST', `${CM}?fieldValidation=Strict`, body), { code: 400, message: 'strict decoding error: unknown field "spec"' });
    const warned = await c.call('POST', `${CM}?fieldValidation=Warn`, body);
    expect(warned.status).toBe(201);
    expect(warned.headers['warning']).toContain('unknown field \\"spec\\"');
  });

  it('explains invalid objects field by field with 422', async () => {
    const bad = sts('bad');
    delete (bad.spec as Record<string, unknown>).selector;
    // Upstream reports the missing selector and, because of it, the unmatched template labels.
    const s = expectStatus(await c.call('POST', STS, bad), { code: 422, reason: 'Invalid', message: /^StatefulSet\.apps "bad" is invalid: \[spec\.selector: Required value, spec\.template\.metadata\.labels: Invalid value/ });
    expect(s.details?.causes?.[0]).toMatchObject({ field: 'spec.selector', reason: 'FieldValueRequired' });
  });

  it('refuses mistyped values with 400', async () => {
    expectStatus(await c.call('POST', STS, sts('typed', { replicas: 'three' })), { code: 400, message: 'cannot unmarshal string' });
  });
});

describe('lists', () => {
  it('filters by label and field selectors and rejects bad ones', async () => {
    await c.call('POST', CM, { ...configMap('l1'), metadata: { name: 'l1', labels: { tier: 'a' } } });
    await c.call('POST', CM, { ...configMap('l2'), metadata: { name: 'l2', labels: { tier: 'b' } } });
    const names = async (q: string) => (await c.call('GET', `${CM}?${q}`)).json.items.map((i: { metadata: { name: string } }) => i.metadata.name).sort();
    expect(await names('labelSelector=tier%3Da')).toEqual(['l1']);
    expect(await names('labelSelector=tier%20in%20(a,b)')).toEqual(['l1', 'l2']);
    expect(await names('labelSelector=tier,tier!%3Da')).toEqual(['l2']);
    expect(await names('fieldSelector=metadata.name%3Dl2')).toEqual(['l2']);
    expectStatus(await c.call('GET', `${CM}?labelSelector=a%20in%20(`), { code: 400 });
    expectStatus(await c.call('GET', `${CM}?fieldSelector=spec.foo%3Dx`), { code: 400, message: 'field label not supported: spec.foo' });
  });

  it('paginates with limit and continue', async () => {
    for (let i = 0; i < 5; i++) await c.call('POST', '/api/v1/namespaces/kube-public/configmaps', configMap(`p${i}`));
    const first = (await c.call('GET', '/api/v1/namespaces/kube-public/configmaps?limit=2')).json;
    expect(first.items).toHaveLength(2);
    expect(first.metadata.remainingItemCount).toBe(3);
    const rest: string[] = [];
    let cont = first.metadata.continue;
    while (cont) {
      const page = (await c.call('GET', `/api/v1/namespaces/kube-public/configmaps?limit=2&continue=${encodeURIComponent(cont)}`)).json;
      rest.push(...page.items.map((i: { metadata: { name: string } }) => i.metadata.name));
      cont = page.metadata.continue;
    }
    expect([...first.items.map((i: { metadata: { name: string } }) => i.metadata.name), ...rest]).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
  });

  it('lists across namespaces', async () => {
    const all = (await c.call('GET', '/api/v1/configmaps')).json.items;
    expect(new Set(all.map((i: { metadata: { namespace: string } }) => i.metadata.namespace))).toEqual(new Set(['default', 'kube-public']));
  });

  it('prints Tables for kubectl get', async () => {
    const r = await c.call('GET', CM, undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    expect(r.json.kind).toBe('Table');
    expect(r.json.columnDefinitions[0].name).toBe('Name');
    expect(r.json.rows[0].object.kind).toBe('PartialObjectMetadata');
  });
});

describe('statefulsets', () => {
  it('fills upstream defaults', async () => {
    const r = await c.call('POST', STS, sts('web'));
    expect(r.status).toBe(201);
    expect(r.json.spec).toMatchObject({
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    });
    expect(r.json.metadata.generation).toBe(1);
  });

  it('scales through the scale subresource and bumps generation', async () => {
    const scale = await c.call('GET', `${STS}/web/scale`);
    expect(scale.json).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 2 }, status: { selector: 'app=web' } });
    const patched = await c.call('PATCH', `${STS}/web/scale`, { spec: { replicas: 5 } }, { 'content-type': 'application/merge-patch+json' });
    expect(patched.json.spec.replicas).toBe(5);
    const after = (await c.call('GET', `${STS}/web`)).json;
    expect(after.spec.replicas).toBe(5);
    expect(after.metadata.generation).toBe(2);
    expectStatus(await c.call('PATCH', `${STS}/web/scale`, { spec: { replicas: -1 } }, { 'content-type': 'application/merge-patch+json' }), { code: 422 });
  });

  it('keeps status out of spec writes and spec out of status writes', async () => {
    const cur = (await c.call('GET', `${STS}/web`)).json;
    const withStatus = await c.call('PUT', `${STS}/web`, { ...cur, status: { replicas: 99 } });
    expect(withStatus.json.status?.replicas).not.toBe(99);
    const st = await c.call('PUT', `${STS}/web/status`, { ...withStatus.json, spec: { ...withStatus.json.spec, replicas: 1 }, status: { replicas: 3 } });
    expect(st.json.status.replicas).toBe(3);
    expect(st.json.spec.replicas).toBe(5);
    expect(st.json.metadata.generation).toBe(withStatus.json.metadata.generation);
  });

  it('refuses changes to immutable fields with the upstream message', async () => {
    const r = await c.call('PATCH', `${STS}/web`, { spec: { serviceName: 'other' } }, { 'content-type': 'application/merge-patch+json' });
    expectStatus(r, { code: 422, message: "updates to statefulset spec for fields other than 'replicas'" });
  });
});

describe('services', () => {
  const SVC = '/api/v1/namespaces/default/services';
  it('allocates a cluster IP from the service range and keeps headless Services headless', async () => {
    const r = await c.call('POST', SVC, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
    expect(r.status).toBe(201);
    expect(r.json.spec.clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);
    expect(r.json.spec.clusterIPs).toEqual([r.json.spec.clusterIP]);
    expect(r.json.spec.ports[0]).toMatchObject({ protocol: 'TCP', targetPort: 80 });
    const h = await c.call('POST', SVC, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'headless' }, spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ port: 80 }] } });
    expect(h.json.spec.clusterIP).toBe('None');
  });

  it('refuses an address that is taken', async () => {
    const r = await c.call('POST', SVC, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'dup' }, spec: { clusterIP: '10.96.0.1', ports: [{ port: 80 }] } });
    expect(r.status).toBe(422);
    expect(r.json.message).toContain('provided IP is already allocated');
  });

  it('has the kubernetes Service', async () => {
    const r = await c.call('GET', `${SVC}/kubernetes`);
    expect(r.json.spec.clusterIP).toBe('10.96.0.1');
  });
});
