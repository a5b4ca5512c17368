// CustomResourceDefinitions: established, served with discovery, schema checks, status
// subresource and server-side apply; deleting the definition deletes its resources first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, expectStatus, startTestCluster, type TestCluster } from './helpers.ts';

let c: TestCluster;
beforeAll(async () => {
  c = await startTestCluster();
  await eventually(() => c.ready(), { what: 'controllers to sync' });
});
afterAll(async () => {
  await c.stop();
});

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const WIDGETS = '/apis/example.com/v1/namespaces/default/widgets';

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { size: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' } } },
              status: { type: 'object', properties: { ready: { type: 'boolean' } } },
            },
          },
        },
      },
    ],
  },
};

const widget = (name: string, spec: object) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name }, spec });

describe('custom resources', () => {
  it('refuses an invalid definition', async () => {
    const bad = structuredClone(crd);
    bad.metadata.name = 'wrong.example.com';
    expectStatus(await c.call('POST', CRDS, bad), { code: 422, message: 'metadata.name' });
  });

  it('establishes a definition and serves its resources', async () => {
    expect((await c.call('POST', CRDS, crd)).status).toBe(201);
    const est = await eventually(async () => {
      const got = (await c.call('GET', `${CRDS}/widgets.example.com`)).json;
      return got.status?.conditions?.find((x: { type: string; status: string }) => x.type === 'Established' && x.status === 'True') ? got : undefined;
    }, { what: 'Established' });
    expect(est.status.acceptedNames.listKind).toBe('WidgetList');
    expect(est.metadata.finalizers).toContain('customresourcecleanup.apiextensions.k8s.io');
    const disc = (await c.call('GET', '/apis/example.com/v1')).json;
    expect(disc.resources.map((r: { name: string }) => r.name)).toEqual(['widgets', 'widgets/status']);
  });

  it('stores, validates and applies custom resources', async () => {
    const r = await c.call('POST', WIDGETS, widget('w1', { size: 3 }));
    expect(r.status).toBe(201);
    expectStatus(await c.call('POST', WIDGETS, widget('w2', { size: 'big' })), { code: 422, reason: 'Invalid', message: 'spec.size in body must be of type integer' });
    expectStatus(await c.call('POST', `${WIDGETS}?fieldValidation=Strict`, widget('w3', { colour: 'red' })), { code: 400, message: 'unknown field "spec.colour"' });
    const applied = await c.call('PATCH', `${WIDGETS}/w4?fieldManager=tester`, JSON.stringify(widget('w4', { size: 1, tags: ['a'] })), { 'content-type': 'application/apply-patch+yaml' });
    expect(applied.status).toBe(201);
    expect(applied.json.metadata.managedFields[0].manager).toBe('tester');
    expectStatus(await c.call('PATCH', `${WIDGETS}/w1`, { spec: { size: 4 } }, { 'content-type': 'application/strategic-merge-patch+json' }), { code: 415 });
    const merged = await c.call('PATCH', `${WIDGETS}/w1`, { spec: { size: 4 } }, { 'content-type': 'application/merge-patch+json' });
    expect(merged.json.spec.size).toBe(4);
  });

  it('keeps spec and status apart', async () => {
    const cur = (await c.call('GET', `${WIDGETS}/w1`)).json;
    const st = await c.call('PUT', `${WIDGETS}/w1/status`, { ...cur, spec: { size: 99 }, status: { ready: true } });
    expect(st.json.status).toEqual({ ready: true });
    expect(st.json.spec.size).toBe(4);
  });

  it('serves OpenAPI for the new group', async () => {
    const index = (await c.call('GET', '/openapi/v3')).json;
    expect(Object.keys(index.paths)).toContain('apis/example.com/v1');
  });

  it('deletes every resource before the definition goes', async () => {
    await c.call('DELETE', `${CRDS}/widgets.example.com`);
    await eventually(async () => (await c.call('GET', `${CRDS}/widgets.example.com`)).status === 404, { what: 'definition to go' });
    expect((await c.call('GET', WIDGETS)).status).toBe(404);
    const keys = await c.backend.list('/registry/example.com/widgets/');
    expect(keys.items).toHaveLength(0);
  });
});
