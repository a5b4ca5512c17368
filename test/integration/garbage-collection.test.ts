// Owner references and deletion propagation, and namespace deletion, with the garbage collector
// and namespace controller running in process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configMap, eventually, startTestCluster, sts, type TestCluster } from './helpers.ts';

let c: TestCluster;
beforeAll(async () => {
  c = await startTestCluster();
  await eventually(() => c.ready(), { what: 'controllers to sync' });
});
afterAll(async () => {
  await c.stop();
});

const STS = '/apis/apps/v1/namespaces/default/statefulsets';
const CM = '/api/v1/namespaces/default/configmaps';

async function ownedBy(owner: { metadata: { name: string; uid: string } }, name: string, block = false) {
  const ref = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: block };
  const r = await c.call('POST', CM, { ...configMap(name), metadata: { name, ownerReferences: [ref] } });
  expect(r.status).toBe(201);
  return r.json;
}

const exists = async (url: string) => (await c.call('GET', url)).status === 200;

describe('deletion propagation', () => {
  it('background: the owner goes at once, dependents follow', async () => {
    const owner = (await c.call('POST', STS, sts('bg'))).json;
    await ownedBy(owner, 'bg-dep');
    const r = await c.call('DELETE', `${STS}/bg`, { propagationPolicy: 'Background' });
    expect(r.json.kind).toBe('Status');
    await eventually(async () => !(await exists(`${CM}/bg-dep`)), { what: 'dependent to be collected' });
  });

  it('foreground: dependents go first, then the owner', async () => {
    const owner = (await c.call('POST', STS, sts('fg'))).json;
    await ownedBy(owner, 'fg-dep', true);
    const r = await c.call('DELETE', `${STS}/fg`, { propagationPolicy: 'Foreground' });
    expect(r.json.metadata.finalizers).toContain('foregroundDeletion');
    expect(r.json.metadata.deletionTimestamp).toBeTruthy();
    await eventually(async () => !(await exists(`${STS}/fg`)), { what: 'owner to be deleted' });
    expect(await exists(`${CM}/fg-dep`)).toBe(false);
  });

  it('orphan: dependents stay without the reference', async () => {
    const owner = (await c.call('POST', STS, sts('or'))).json;
    await ownedBy(owner, 'or-dep');
    await c.call('DELETE', `${STS}/or`, { propagationPolicy: 'Orphan' });
    await eventually(async () => !(await exists(`${STS}/or`)), { what: 'owner to be deleted' });
    const dep = (await c.call('GET', `${CM}/or-dep`)).json;
    expect(dep.metadata.ownerReferences ?? []).toHaveLength(0);
  });

  it('collects a dependent whose owner never existed', async () => {
    const ghost = { metadata: { name: 'ghost', uid: '00000000-0000-0000-0000-000000000000' } };
    await ownedBy(ghost, 'ghost-dep');
    await eventually(async () => !(await exists(`${CM}/ghost-dep`)), { what: 'orphaned dependent to be collected' });
  });

  it('keeps a dependent that still has a live owner and drops only the dead reference', async () => {
    const live = (await c.call('POST', STS, sts('live'))).json;
    const ref = (o: { metadata: { name: string; uid: string } }) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: o.metadata.name, uid: o.metadata.uid });
    const dead = { metadata: { name: 'dead', uid: '11111111-1111-1111-1111-111111111111' } };
    await c.call('POST', CM, { ...configMap('two-owners'), metadata: { name: 'two-owners', ownerReferences: [ref(live), ref(dead)] } });
    await eventually(async () => (await c.call('GET', `${CM}/two-owners`)).json.metadata.ownerReferences?.length === 1, { what: 'dead reference to be dropped' });
    expect(await exists(`${CM}/two-owners`)).toBe(true);
  });
});

describe('namespaces', () => {
  it('start with the system namespaces', async () => {
    const names = (await c.call('GET', '/api/v1/namespaces')).json.items.map((n: { metadata: { name: string } }) => n.metadata.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'kube-system', 'kube-public', 'kube-node-lease']));
  });

  it('refuses to delete the default namespace', async () => {
    const r = await c.call('DELETE', '/api/v1/namespaces/default');
    expect(r.status).toBe(403);
  });

  it('refuses content in a namespace that does not exist', async () => {
    const r = await c.call('POST', '/api/v1/namespaces/nowhere/configmaps', configMap('x'));
    expect(r.status).toBe(404);
    expect(r.json.message).toBe('namespaces "nowhere" not found');
  });

  it('deletes what is inside, then the namespace', async () => {
    await c.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } });
    await c.call('POST', '/api/v1/namespaces/demo/configmaps', configMap('inside'));
    await c.call('POST', '/apis/apps/v1/namespaces/demo/statefulsets', sts('inside'));
    const r = await c.call('DELETE', '/api/v1/namespaces/demo');
    expect(r.status).toBe(200);
    expect(r.json.status.phase).toBe('Terminating');
    const refused = await c.call('POST', '/api/v1/namespaces/demo/configmaps', configMap('late'));
    expect(refused.status).toBe(403);
    expect(refused.json.message).toContain('because it is being terminated');
    await eventually(async () => (await c.call('GET', '/api/v1/namespaces/demo')).status === 404, { what: 'namespace to disappear' });
    expect((await c.call('GET', '/api/v1/namespaces/demo/configmaps')).json.items).toHaveLength(0);
    expect((await c.call('GET', '/apis/apps/v1/namespaces/demo/statefulsets')).json.items).toHaveLength(0);
  });
});
