// In-process integration: the scheduler against a real registry and API handler, on fake time.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/meta/types.ts';
import { startControlPlane, type ControlPlane } from '../cli/control-plane.ts';
import type { ResourceClient } from '../client/client.ts';
import { FakeClock } from '../util/clock.ts';
import { eventually } from '../../test/integration/helpers.ts';
import { Scheduler, type SchedulerOptions } from './scheduler.ts';
import { makeNode, makePod, type NodeOpts, type PodOpts } from './testing.ts';
import type { Pod } from './types.ts';

const CP_TAINT = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

let cp: ControlPlane;
let clock: FakeClock;
let abort: AbortController;
let running: Promise<void>;
let pods: ResourceClient;
let nodes: ResourceClient;
let events: ResourceClient;

async function addNode(name: string, o: NodeOpts = {}): Promise<void> {
  const node = makeNode(name, o);
  const created = await nodes.create('', node);
  // Status is the kubelet's to write: set it through the status subresource.
  await nodes.updateStatus('', { ...created, status: node.status });
}

async function addPod(name: string, o: PodOpts = {}): Promise<void> {
  const p = makePod(name, o);
  delete (p.metadata as { uid?: string }).uid;
  delete p.status;
  await pods.create(p.metadata.namespace!, p);
}

const nodeOf = async (name: string) => ((await pods.get('default', name)) as Pod).spec?.nodeName;
const boundTo = (name: string) => eventually(() => nodeOf(name), { what: `${name} bound` });

async function eventsFor(name: string, reason: string): Promise<KubeObject[]> {
  const list = await events.list('default');
  return list.items.filter((e) => (e.involvedObject as { name: string }).name === name && e.reason === reason);
}

beforeEach(async () => {
  clock = new FakeClock();
  cp = await startControlPlane({ datastore: 'memory', controllers: false, clock });
  pods = cp.client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true });
  nodes = cp.client.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false });
  events = cp.client.resource({ apiVersion: 'v1', resource: 'events', namespaced: true });
});

async function startScheduler(extra: Partial<SchedulerOptions> = {}): Promise<Scheduler> {
  const s = new Scheduler({ client: cp.client, clock, ...extra });
  abort = new AbortController();
  running = s.run(abort.signal);
  await s.waitForSync();
  return s;
}

afterEach(async () => {
  abort?.abort();
  await running;
  await cp.stop();
});

describe('Scheduler', () => {
  it('binds a pod and records Scheduled', async () => {
    await addNode('k8ts-worker');
    await startScheduler();
    await addPod('hello', { cpu: '100m' });
    expect(await boundTo('hello')).toBe('k8ts-worker');
    const pod = (await pods.get('default', 'hello')) as Pod;
    expect(pod.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status).toBe('True');
    const [ev] = await eventually(() => eventsFor('hello', 'Scheduled').then((l) => (l.length ? l : undefined)));
    expect(ev).toMatchObject({ type: 'Normal', message: 'Successfully assigned default/hello to k8ts-worker', source: { component: 'default-scheduler' } });
  });

  it('explains an unschedulable pod, then places it when a node is added', async () => {
    await addNode('k8ts-control-plane', { taints: [CP_TAINT] });
    await addNode('k8ts-worker', { cpu: '4' });
    await addNode('k8ts-worker2', { cpu: '4' });
    // Already running pods: preemption could help in principle, but finds no lower-priority victims.
    await addPod('busy1', { cpu: '3', nodeName: 'k8ts-worker' });
    await addPod('busy2', { cpu: '3', nodeName: 'k8ts-worker2' });
    await startScheduler();
    await addPod('big', { cpu: '2' });
    const message =
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.';
    const [ev] = await eventually(() => eventsFor('big', 'FailedScheduling').then((l) => (l.length ? l : undefined)));
    expect(ev).toMatchObject({ type: 'Warning', message, source: { component: 'default-scheduler' } });
    const cond = await eventually(async () => ((await pods.get('default', 'big')) as Pod).status?.conditions?.find((c) => c.type === 'PodScheduled'));
    expect(cond).toMatchObject({ status: 'False', reason: 'Unschedulable', message });
    expect(await nodeOf('big')).toBeUndefined();
    // A new node is a cluster change that may help: retried at once, without waiting for back-off.
    await addNode('k8ts-worker3', { cpu: '4' });
    expect(await boundTo('big')).toBe('k8ts-worker3');
  });

  it('retries at once when a placed pod is deleted', async () => {
    await addNode('small', { cpu: '1' });
    await startScheduler();
    await addPod('filler', { cpu: '1' });
    await boundTo('filler');
    await addPod('waiting', { cpu: '500m' });
    await eventually(() => eventsFor('waiting', 'FailedScheduling').then((l) => (l.length ? l : undefined)));
    // No clock advance: the deletion itself moves the pod back to the active queue.
    await pods.delete('default', 'filler', { gracePeriodSeconds: 0 });
    expect(await boundTo('waiting')).toBe('small');
  });

  it('retries after back-off expires', async () => {
    await addNode('n1', { cpu: '1' });
    const s = await startScheduler();
    await addPod('p', { cpu: '2' });
    const [ev] = await eventually(() => eventsFor('p', 'FailedScheduling').then((l) => (l.length ? l : undefined)));
    // Larger than the whole node: preemption could never help.
    expect(ev!.message).toBe('0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');
    // Make room without any event the scheduler treats as helpful: resize the node in its cache only.
    s.cache.upsertNode(makeNode('n1', { cpu: '4' }));
    clock.advance(999);
    await new Promise((r) => setTimeout(r, 50));
    expect(await nodeOf('p')).toBeUndefined();
    clock.advance(1);
    expect(await boundTo('p')).toBe('n1');
  });

  it('does not overcommit a node with back-to-back pods', async () => {
    await addNode('a', { cpu: '1' });
    await addNode('b', { cpu: '1' });
    await startScheduler();
    for (let i = 0; i < 4; i++) await addPod(`p${i}`, { cpu: '600m' });
    const placed = await Promise.all([0, 1].map((i) => boundTo(`p${i}`)));
    expect(new Set(placed)).toEqual(new Set(['a', 'b']));
    await eventually(async () => (await eventsFor('p2', 'FailedScheduling')).length && (await eventsFor('p3', 'FailedScheduling')).length);
    expect(await nodeOf('p2')).toBeUndefined();
    expect(await nodeOf('p3')).toBeUndefined();
  });

  it('spreads pods of one owner across nodes', async () => {
    for (const n of ['n1', 'n2', 'n3']) await addNode(n);
    await startScheduler();
    for (let i = 0; i < 6; i++) await addPod(`web-${i}`, { owner: 'web', labels: { app: 'web' } });
    const placed = await Promise.all(Array.from({ length: 6 }, (_, i) => boundTo(`web-${i}`)));
    const counts = new Map<string, number>();
    for (const n of placed) counts.set(n!, (counts.get(n!) ?? 0) + 1);
    expect([...counts.values()]).toEqual([2, 2, 2]);
  });

  it('honours required anti-affinity across nodes', async () => {
    for (const n of ['n1', 'n2']) await addNode(n);
    await startScheduler();
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' }] } };
    for (let i = 0; i < 3; i++) await addPod(`db-${i}`, { labels: { app: 'db' }, affinity: anti });
    const placed = await Promise.all([0, 1].map((i) => boundTo(`db-${i}`)));
    expect(new Set(placed).size).toBe(2);
    const [ev] = await eventually(() => eventsFor('db-2', 'FailedScheduling').then((l) => (l.length ? l : undefined)));
    expect(ev!.message).toBe(
      "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
    );
  });

  it('leaves pods of other schedulers alone', async () => {
    await addNode('n1');
    await startScheduler();
    const p = makePod('mine-not');
    delete (p.metadata as { uid?: string }).uid;
    p.spec!.schedulerName = 'other-scheduler';
    await pods.create('default', p);
    await addPod('ours');
    await boundTo('ours');
    expect(await nodeOf('mine-not')).toBeUndefined();
  });

  it('consults the volume hooks for pods with claims', async () => {
    for (const n of ['a', 'b']) await addNode(n);
    const preBound: string[] = [];
    await startScheduler({
      volumeFilter: async (_pod, node) => (node.metadata.name === 'a' ? 'node(s) had volume node affinity conflict' : undefined),
      volumePreBind: async (pod, node) => void preBound.push(`${pod.metadata.name}@${node}`),
    });
    const p = makePod('claims');
    delete (p.metadata as { uid?: string }).uid;
    delete p.status;
    p.spec!.volumes = [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }];
    await pods.create('default', p);
    expect(await boundTo('claims')).toBe('b');
    expect(preBound).toEqual(['claims@b']);
  });
});
