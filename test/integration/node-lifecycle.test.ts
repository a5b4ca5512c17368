// Node lifecycle and taint eviction in process on fake time: Node objects and Leases are written
// directly through the API (no agents), time moves only when the test advances the clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/meta/types.ts';
import { startControlPlane, type ControlPlane } from '../../src/cli/control-plane.ts';
import type { ResourceClient } from '../../src/client/client.ts';
import { NodeLifecycleController } from '../../src/controllers/node-lifecycle/controller.ts';
import { createCoreInformers, type CoreInformers } from '../../src/controllers/node-lifecycle/informers.ts';
import { FakeClock, rfc3339 } from '../../src/util/clock.ts';
import { eventually } from './helpers.ts';

let clock: FakeClock;
let cp: ControlPlane;
let informers: CoreInformers;
let ctrl: NodeLifecycleController;
let stop: AbortController;
let running: Promise<unknown>;
let nodes: ResourceClient;
let pods: ResourceClient;
let leases: ResourceClient;

const node = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: rfc3339(clock.now()), lastTransitionTime: rfc3339(clock.now()) }] },
});

async function heartbeat(name: string): Promise<void> {
  const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new Date(clock.now()).toISOString() } };
  const live = await leases.find('kube-node-lease', name);
  if (live) await leases.update('kube-node-lease', { ...lease, metadata: { ...lease.metadata, resourceVersion: live.metadata.resourceVersion } });
  else await leases.create('kube-node-lease', lease);
}

async function readyPod(name: string, nodeName: string, tolerations?: unknown[]): Promise<void> {
  await pods.create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName, containers: [{ name: 'c', image: 'nginx' }], ...(tolerations ? { tolerations } : {}) } });
  const live = await pods.get('default', name);
  await pods.updateStatus('default', { ...live, status: { ...(live.status as object), phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(clock.now()) }] } });
}

/** Moves time on by ms: w2 keeps heartbeating, then one health pass runs. */
async function advance(ms: number): Promise<void> {
  clock.advance(ms);
  await heartbeat('w2');
  const rv = (await leases.get('kube-node-lease', 'w2')).metadata.resourceVersion;
  await eventually(() => informers.leases.get('kube-node-lease', 'w2')?.metadata.resourceVersion === rv, { what: 'lease in cache' });
  await ctrl.monitor();
}

const readyOf = (o: KubeObject) => ((o.status as { conditions?: { type: string; status: string; reason?: string; message?: string }[] }).conditions ?? []).find((c) => c.type === 'Ready');
const taintsOf = (o: KubeObject) => ((o.spec as { taints?: { key: string; effect: string; timeAdded?: string }[] } | undefined)?.taints ?? []);

beforeEach(async () => {
  clock = new FakeClock();
  cp = await startControlPlane({ datastore: 'memory', clock, controllers: false });
  nodes = cp.client.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false });
  pods = cp.client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true });
  leases = cp.client.resource({ apiVersion: 'coordination.k8s.io/v1', resource: 'leases', namespaced: true });
  for (const n of ['w1', 'w2']) {
    // Create clears status (as our Node strategy does), so status follows as a kubelet's would.
    const created = await nodes.create('', node(n));
    await nodes.updateStatus('', { ...created, status: node(n).status });
    await heartbeat(n);
  }
  informers = createCoreInformers(cp.client, clock);
  ctrl = new NodeLifecycleController(cp.client, { clock, informers, monitorPeriodMs: 1e9, evictionQps: 1000 });
  stop = new AbortController();
  running = Promise.all([informers.run(stop.signal), ctrl.run(stop.signal)]);
  await ctrl.waitForSync();
  await ctrl.monitor();
});

afterEach(async () => {
  stop.abort();
  await running;
  await cp.stop();
});

describe('node lifecycle', () => {
  it('marks a silent node Unknown, taints it, marks its pods not Ready, evicts after tolerationSeconds, untaints on recovery', async () => {
    await readyPod('web-0', 'w1');
    await readyPod('stays', 'w1', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }]);
    await eventually(() => informers.pods.get('default', 'stays'));
    await advance(30_000);
    expect(readyOf(await nodes.get('', 'w1'))?.status).toBe('True');
    await advance(15_000);
    const w1 = await eventually(async () => {
      const n = await nodes.get('', 'w1');
      return taintsOf(n).length === 2 && n;
    }, { what: 'w1 tainted' });
    expect(readyOf(w1)).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    expect(taintsOf(w1).map((t) => `${t.key}:${t.effect}`)).toEqual(['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
    expect(taintsOf(w1).every((t) => t.timeAdded === rfc3339(clock.now()))).toBe(true);
    expect(readyOf(await nodes.get('', 'w2'))?.status).toBe('True');
    await eventually(async () => readyOf(await pods.get('default', 'web-0'))?.status === 'False', { what: 'web-0 not ready' });

    // The default 300 s toleration: not yet at 299 s, deleted at 300 s.
    await eventually(() => ctrl.taintEviction.pending().has('default/web-0'), { what: 'eviction scheduled' });
    expect(ctrl.taintEviction.pending().has('default/stays')).toBe(false);
    clock.advance(299_000);
    expect((await pods.get('default', 'web-0')).metadata.deletionTimestamp).toBeUndefined();
    clock.advance(1_000);
    const evicted = await eventually(async () => {
      const p = await pods.get('default', 'web-0');
      return p.metadata.deletionTimestamp ? p : undefined;
    }, { what: 'web-0 deleted' });
    expect((evicted.status as { conditions: unknown[] }).conditions).toContainEqual(
      expect.objectContaining({ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' }),
    );
    const events = await cp.client.resource({ apiVersion: 'v1', resource: 'events', namespaced: true }).list('default');
    const reasons = events.items.map((e) => `${e.reason} ${e.message}`);
    expect(reasons).toContain('TaintManagerEviction Marking for deletion Pod default/web-0');
    expect(reasons).toContain('NodeNotReady Node w1 status is now: NodeNotReady');
    expect((await pods.get('default', 'stays')).metadata.deletionTimestamp).toBeUndefined();

    // Recovery: a fresh heartbeat with Ready True removes the taints.
    const live = await nodes.get('', 'w1');
    await nodes.updateStatus('', { ...live, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: rfc3339(clock.now()), lastTransitionTime: rfc3339(clock.now()) }] } });
    await heartbeat('w1');
    await advance(1000);
    await eventually(async () => taintsOf(await nodes.get('', 'w1')).length === 0, { what: 'taints removed' });
  });

  it('deletes pods that do not tolerate a NoExecute taint at once, and cancels when the taint goes', async () => {
    await readyPod('db', 'w2', [{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 600 }]);
    await readyPod('web', 'w2');
    await eventually(() => informers.pods.get('default', 'web'));
    const live = await nodes.get('', 'w2');
    await nodes.update('', { ...live, spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] } });
    await eventually(async () => (await pods.get('default', 'web')).metadata.deletionTimestamp, { what: 'web deleted' });
    await eventually(() => ctrl.taintEviction.pending().get('default/db') === clock.now() + 600_000, { what: 'db scheduled' });
    const again = await nodes.get('', 'w2');
    await nodes.update('', { ...again, spec: { taints: [] } });
    await eventually(() => !ctrl.taintEviction.pending().has('default/db'), { what: 'db cancelled' });
  });

  it('keeps the unschedulable taint in line with spec.unschedulable', async () => {
    await nodes.patch('', 'w2', 'merge', { spec: { unschedulable: true } });
    await eventually(async () => taintsOf(await nodes.get('', 'w2')).some((t) => t.key === 'node.kubernetes.io/unschedulable' && t.effect === 'NoSchedule'), { what: 'cordon taint' });
    await nodes.patch('', 'w2', 'merge', { spec: { unschedulable: null } });
    await eventually(async () => taintsOf(await nodes.get('', 'w2')).length === 0, { what: 'taint removed' });
  });

  it('stops adding NoExecute taints when every node is down', async () => {
    await readyPod('web-0', 'w1');
    clock.advance(60_000);
    await ctrl.monitor();
    const w1 = await eventually(async () => {
      const n = await nodes.get('', 'w1');
      return readyOf(n)?.status === 'Unknown' && taintsOf(n).some((t) => t.effect === 'NoSchedule') && n;
    }, { what: 'w1 unknown' });
    expect(taintsOf(w1).some((t) => t.effect === 'NoExecute')).toBe(false);
  });
});
