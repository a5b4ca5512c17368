import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../cli/control-plane.ts';

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane({ datastore: 'memory', controllers: false });
});
afterAll(async () => {
  await cp.stop();
});

describe('deprecated APIs', () => {
  it.each<[string, string, string | undefined]>([
    ['v1 Endpoints', '/api/v1/namespaces/default/endpoints', '299 - "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"'],
    ['EndpointSlices', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', undefined],
    ['Services', '/api/v1/namespaces/default/services', undefined],
  ])('%s', async (_, url, want) => {
    const res = await cp.api.handle({ method: 'GET', url, headers: {} });
    expect(res.status).toBe(200);
    expect(res.headers['warning']).toBe(want);
  });

  it('puts the deprecation ahead of warnings the request produced', async () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'e', finalizers: ['unqualified'] } });
    const res = await cp.api.handle({ method: 'POST', url: '/api/v1/namespaces/default/endpoints', headers: { 'content-type': 'application/json' }, body: Buffer.from(body) });
    expect(res.status).toBe(201);
    expect(res.headers['warning']).toMatch(/^299 - "v1 Endpoints is deprecated in v1\.33\+; use discovery\.k8s\.io\/v1 EndpointSlice", 299 - "/);
  });
});
