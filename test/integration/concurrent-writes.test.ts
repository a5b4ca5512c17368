// Guaranteed update under contention, as upstream's GuaranteedUpdate: a patch that names no
// resourceVersion is re-applied to the newer object when another write wins the race, while a
// write that sends a resourceVersion fails with 409 once the object moved on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatus, startTestCluster, type TestCluster } from './helpers.ts';

let cluster: TestCluster;
const url = '/api/v1/namespaces/default/configmaps/shared';

beforeAll(async () => {
  cluster = await startTestCluster({ controllers: false });
  const res = await cluster.call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shared' }, data: {} });
  expect(res.status).toBe(201);
});

afterAll(async () => {
  await cluster.stop();
});

describe('concurrent writes to one object', () => {
  it.each(['application/merge-patch+json', 'application/strategic-merge-patch+json'])('applies every %s patch without a resourceVersion', async (type) => {
    const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => cluster.call('PATCH', url, { data: { [`${type.length}-${i}`]: String(i) } }, { 'content-type': type })));
    expect(replies.filter((r) => r.status !== 200).map((r) => r.text)).toEqual([]);
    const data = (await cluster.call('GET', url)).json.data as Record<string, string>;
    for (let i = 0; i < 40; i++) expect(data[`${type.length}-${i}`]).toBe(String(i));
  });

  it('refuses a patch that sends a resourceVersion the object has moved past', async () => {
    const rv = (await cluster.call('GET', url)).json.metadata.resourceVersion as string;
    expect((await cluster.call('PATCH', url, { data: { a: '1' } }, { 'content-type': 'application/merge-patch+json' })).status).toBe(200);
    const stale = await cluster.call('PATCH', url, { metadata: { resourceVersion: rv }, data: { b: '2' } }, { 'content-type': 'application/merge-patch+json' });
    expectStatus(stale, { code: 409, reason: 'Conflict', message: 'the object has been modified' });
  });

  it('lets exactly one of several PUTs with the same resourceVersion win', async () => {
    const current = (await cluster.call('GET', url)).json;
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => cluster.call('PUT', url, { ...current, data: { winner: String(i) } })));
    expect(replies.filter((r) => r.status === 200)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(9);
  });
});
