// PodDisruptionBudget status and the eviction subresource in process: the disruption controller
// keeps the budget true, admitEviction (as wired into ApiServerContext) refuses with upstream's 429.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/meta/types.ts';
import type { ApiServerContext } from '../../src/apiserver/context.ts';
import type { ResourceClient } from '../../src/client/client.ts';
import { Informer } from '../../src/client/informer.ts';
import { DisruptionController } from '../../src/controllers/disruption/controller.ts';
import { admitEviction } from '../../src/controllers/disruption/eviction.ts';
import { FakeClock, rfc3339 } from '../../src/util/clock.ts';
import { startControlPlane, type ControlPlane } from '../../src/cli/control-plane.ts';
import { eventually } from './helpers.ts';

let clock: FakeClock;
let cp: ControlPlane;
let stop: AbortController;
let running: Promise<unknown>;
let pods: ResourceClient;
let pdbs: ResourceClient;
let ctrl: DisruptionController;

async function call(method: string, url: string, body?: unknown) {
  const res = await cp.api.handle({ method, url, headers: { 'content-type': 'application/json', accept: 'application/json' }, body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)) });
  const text = typeof res.body === 'string' ? res.body : Buffer.from(res.body ?? '').toString('utf8');
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}
const evict = (name: string) => call('POST', `/api/v1/namespaces/default/pods/${name}/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' } });

async function readyPod(name: string, owner?: KubeObject, ready = true): Promise<void> {
  const ownerReferences = owner ? [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true }] : undefined;
  const p = await pods.create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'web' }, ownerReferences }, spec: { nodeName: 'w1', containers: [{ name: 'c', image: 'nginx' }] } });
  await pods.updateStatus('default', { ...p, status: { ...(p.status as object), phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: rfc3339(clock.now()) }] } });
}

const statusOf = async (name = 'web') => (await pdbs.get('default', name)).status as Record<string, unknown>;

beforeEach(async () => {
  clock = new FakeClock();
  cp = await startControlPlane({ datastore: 'memory', clock, controllers: false });
  (cp.api as unknown as { opts: { ctx: ApiServerContext } }).opts.ctx.admitEviction = admitEviction(cp.client, { clock });
  pods = cp.client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true });
  pdbs = cp.client.resource({ apiVersion: 'policy/v1', resource: 'poddisruptionbudgets', namespaced: true });
  const podInformer = new Informer(pods, { clock });
  ctrl = new DisruptionController(cp.client, { clock, pods: podInformer });
  stop = new AbortController();
  running = Promise.all([podInformer.run(stop.signal), ctrl.run(stop.signal)]);
  await ctrl.waitForSync();
});

afterEach(async () => {
  stop.abort();
  await running;
  await cp.stop();
});

describe('disruption budgets', () => {
  it('keeps status true and lets exactly the allowed evictions through', async () => {
    const set = await cp.client.resource({ apiVersion: 'apps/v1', resource: 'statefulsets', namespaced: true }).create('default', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web' },
      spec: { serviceName: 'web', replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    for (const n of ['web-0', 'web-1', 'web-2']) await readyPod(n, set);
    await pdbs.create('default', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { maxUnavailable: '34%', selector: { matchLabels: { app: 'web' } } } });
    const s = await eventually(async () => {
      const st = await statusOf();
      return st.observedGeneration === 1 && st.currentHealthy === 3 && st;
    }, { what: 'pdb status' });
    expect(s).toMatchObject({ expectedPods: 3, desiredHealthy: 1, currentHealthy: 3, disruptionsAllowed: 2 });
    expect((s.conditions as { type: string; status: string; reason: string }[])[0]).toMatchObject({ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods' });

    // Two evictions in a row spend the budget; a third is refused before the controller recounts.
    expect((await evict('web-0')).status).toBe(201);
    expect((await evict('web-1')).status).toBe(201);
    const refused = await evict('web-2');
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({
      reason: 'TooManyRequests',
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
    });
    // The controller may already have recounted the two terminating pods.
    expect(refused.json.details.causes).toEqual([{ reason: 'DisruptionBudget', message: expect.stringMatching(/^The disruption budget web needs 1 healthy pods and has [123] currently$/) }]);
    // Evicted pods are terminating (bound, graceful); the controller counts them out.
    await eventually(async () => (await statusOf()).currentHealthy === 1, { what: 'recount' });
    expect(await statusOf()).toMatchObject({ disruptionsAllowed: 0, conditions: [{ reason: 'InsufficientPods' }] });
  });

  it('evicts unready pods while the budget holds, and refuses with two budgets', async () => {
    await readyPod('a');
    await readyPod('b');
    await readyPod('sick', undefined, false);
    await pdbs.create('default', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } });
    await eventually(async () => (await statusOf()).currentHealthy === 2, { what: 'pdb status' });
    expect(await statusOf()).toMatchObject({ disruptionsAllowed: 0, expectedPods: 3 });
    expect((await evict('a')).status).toBe(429);
    expect((await evict('sick')).status).toBe(201);
    await pdbs.create('default', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'other' }, spec: { minAvailable: 0, selector: { matchLabels: { app: 'web' } } } });
    const two = await evict('b');
    expect(two.status).toBe(500);
    expect(two.json.message).toBe('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  });

  it('fails safe when a controller cannot be found', async () => {
    await readyPod('orphan', { metadata: { name: 'gone', uid: 'nope' } });
    await pdbs.create('default', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } } });
    const s = await eventually(async () => {
      const st = await statusOf();
      return (st.conditions as { reason: string }[] | undefined)?.[0]?.reason === 'SyncFailed' && st;
    }, { what: 'fail safe' });
    expect(s.disruptionsAllowed).toBe(0);
  });
});
