// Pod GC in process on fake time: pods of a deleted node go after the quarantine; terminated pods
// beyond the threshold go oldest first.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../src/cli/control-plane.ts';
import type { ResourceClient } from '../../src/client/client.ts';
import { createCoreInformers, type CoreInformers } from '../../src/controllers/node-lifecycle/informers.ts';
import { PodGcController } from '../../src/controllers/pod-gc/controller.ts';
import { FakeClock } from '../../src/util/clock.ts';
import { eventually } from './helpers.ts';

let clock: FakeClock;
let cp: ControlPlane;
let informers: CoreInformers;
let gc: PodGcController;
let stop: AbortController;
let running: Promise<unknown>;
let nodes: ResourceClient;
let pods: ResourceClient;

const podOn = (name: string, nodeName: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName, containers: [{ name: 'c', image: 'nginx' }] } });

beforeEach(async () => {
  clock = new FakeClock();
  cp = await startControlPlane({ datastore: 'memory', clock, controllers: false });
  nodes = cp.client.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false });
  pods = cp.client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true });
  await nodes.create('', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'w1' } });
  informers = createCoreInformers(cp.client, clock);
  gc = new PodGcController(cp.client, { clock, informers, terminatedThreshold: 1, periodMs: 1e9 });
  stop = new AbortController();
  running = Promise.all([informers.run(stop.signal), gc.run(stop.signal)]);
  await informers.waitForSync();
});

afterEach(async () => {
  stop.abort();
  await running;
  await cp.stop();
});

describe('pod GC', () => {
  it('force-deletes the pods of a deleted node once its quarantine ends', async () => {
    await pods.create('default', podOn('a', 'w1'));
    await eventually(() => informers.pods.get('default', 'a'));
    await nodes.delete('', 'w1');
    await eventually(() => !informers.nodes.get('', 'w1'), { what: 'node gone from cache' });
    await gc.gc();
    clock.advance(39_000);
    await gc.gc();
    expect(await pods.find('default', 'a')).toBeTruthy();
    clock.advance(2_000); // the deletion handler's timer fires a pass at 40 s
    await eventually(async () => !(await pods.find('default', 'a')), { what: 'orphan deleted' });
  });

  it('keeps the pods of a node that comes back', async () => {
    await pods.create('default', podOn('a', 'w2'));
    await eventually(() => informers.pods.get('default', 'a'));
    await gc.gc();
    await nodes.create('', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'w2' } });
    clock.advance(60_000);
    await gc.gc();
    expect(await pods.find('default', 'a')).toBeTruthy();
  });

  it('deletes terminated pods beyond the threshold, oldest first', async () => {
    for (const name of ['old', 'new']) {
      const p = await pods.create('default', podOn(name, 'w1'));
      await pods.updateStatus('default', { ...p, status: { ...(p.status as object), phase: 'Succeeded' } });
      clock.advance(1000);
    }
    await eventually(() => (informers.pods.get('default', 'new')?.status as { phase?: string } | undefined)?.phase === 'Succeeded');
    await gc.gc();
    await eventually(async () => !(await pods.find('default', 'old')), { what: 'old deleted' });
    expect(await pods.find('default', 'new')).toBeTruthy();
  });
});
