// The DaemonSet controller in the whole control plane: scheduler, simulated kubelets, node
// lifecycle, pod GC. Nodes are added, relabelled, tainted and removed through the API (as
// `k8ts node add/remove` and kubectl do); after every step each eligible node runs exactly one
// ready daemon pod and no other node runs one. Rolling updates are watched event by event for
// their budget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/meta/types.ts';
import { addNodes, removeNodes } from '../../src/cli/node-commands.ts';
import { eventually, startTestCluster, type TestCluster } from './helpers.ts';

let c: TestCluster;
const quiet = { out: () => {} };
beforeAll(async () => {
  c = await startTestCluster();
  await eventually(() => c.ready(), { what: 'controllers to sync' });
  await addNodes(c.client, { name: 'w1' }, quiet);
  await addNodes(c.client, { name: 'w2' }, quiet);
});
afterAll(async () => {
  await c.stop();
});

const NS = '/api/v1/namespaces/default';
const DS = '/apis/apps/v1/namespaces/default/daemonsets';
const MERGE = { 'content-type': 'application/merge-patch+json' };
const STRATEGIC = { 'content-type': 'application/strategic-merge-patch+json' };

function daemonSet(name: string, spec: Record<string, unknown> = {}, podSpec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'agent', image: 'agent:1' }], ...podSpec } },
      ...spec,
    },
  };
}

const get = async (url: string) => (await c.call('GET', url)).json;
const live = (p: any) => !p.metadata.deletionTimestamp;
const ready = (p: any) => p.status?.phase === 'Running' && p.status.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True');
const podsOf = async (app: string): Promise<any[]> => (await get(`${NS}/pods?labelSelector=app%3D${app}`)).items;
/** Live pods of the app on nodes that exist (a removed node's pod waits for pod GC). */
async function current(app: string): Promise<any[]> {
  const existing = new Set(((await get('/api/v1/nodes')).items as any[]).map((n) => n.metadata.name));
  return (await podsOf(app)).filter((p) => live(p) && (!p.spec.nodeName || existing.has(p.spec.nodeName)));
}
const patchNode = (name: string, body: unknown) => c.call('PATCH', `/api/v1/nodes/${name}`, body, MERGE);

/**
 * Exactly one live, ready pod on each of `nodes`, none on other existing nodes; returns the pods.
 * Pods bound to a removed node are pod GC's, after its 40 s quarantine, as upstream.
 */
async function onNodes(app: string, nodes: string[]): Promise<any[]> {
  let seen = '';
  try {
    return await eventually(
      async () => {
        const pods = await current(app);
        seen = JSON.stringify(pods.map((p) => `${p.spec.nodeName ?? '-'}:${p.status?.phase}`).sort());
        const where = pods.map((p) => p.spec.nodeName).sort();
        return JSON.stringify(where) === JSON.stringify([...nodes].sort()) && pods.every(ready) && pods;
      },
      { what: `${app} on ${nodes.join(',')}`, timeoutMs: 20_000 },
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}; last seen ${seen}`);
  }
}

async function statusOf(name: string, want: Record<string, number>): Promise<any> {
  return eventually(
    async () => {
      const ds = await get(`${DS}/${name}`);
      const s = ds.status ?? {};
      return Object.entries(want).every(([k, v]) => (s[k] ?? 0) === v) && s.observedGeneration === ds.metadata.generation && s;
    },
    { what: `status of ${name} ${JSON.stringify(want)}` },
  );
}

const revisionsOf = async (uid: string): Promise<any[]> =>
  ((await get('/apis/apps/v1/namespaces/default/controllerrevisions')).items as any[]).filter((r) => r.metadata.ownerReferences?.some((o: any) => o.uid === uid)).sort((a, b) => a.revision - b.revision);

/**
 * Watches an app's pods and, after every event, checks the rolling-update budget over `nodes`:
 * nodes without a live ready pod never exceed maxUnavailable, and no node ever has more than
 * `perNode` live pods.
 */
function watchBudget(app: string, nodes: string[], maxUnavailable: number, perNode: number) {
  const stop = new AbortController();
  const pods = new Map<string, KubeObject>();
  const violations: string[] = [];
  let events = 0;
  const done = (async () => {
    const list = await get(`${NS}/pods?labelSelector=app%3D${app}`);
    for (const p of list.items) pods.set(p.metadata.name, p);
    try {
      for await (const ev of c.client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true }).watch('default', { labelSelector: `app=${app}`, resourceVersion: list.metadata.resourceVersion, signal: stop.signal })) {
        if (ev.type === 'DELETED') pods.delete(ev.object.metadata.name!);
        else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') pods.set(ev.object.metadata.name!, ev.object);
        else continue;
        events++;
        const all = [...pods.values()].filter(live);
        const down = nodes.filter((n) => !all.some((p: any) => p.spec.nodeName === n && ready(p)));
        if (down.length > maxUnavailable) violations.push(`unavailable ${down.join(',')}`);
        for (const n of nodes) {
          const k = all.filter((p: any) => p.spec.nodeName === n).length;
          if (k > perNode) violations.push(`${k} pods on ${n}`);
        }
      }
    } catch {
      /* stopped */
    }
  })();
  return {
    violations,
    get events() {
      return events;
    },
    stop: async () => {
      stop.abort();
      await done;
    },
  };
}

describe('DaemonSet controller', () => {
  it('runs one pinned, ready pod per node, with revision 1 and events', async () => {
    expect((await c.call('POST', DS, daemonSet('agent'))).status).toBe(201);
    const pods = await onNodes('agent', ['w1', 'w2']);
    const ds = await get(`${DS}/agent`);
    const [rev] = await revisionsOf(ds.metadata.uid);
    expect(rev.revision).toBe(1);
    const hash = rev.metadata.labels['controller-revision-hash'];
    expect(rev.metadata.name).toBe(`agent-${hash}`);
    expect(rev.data.spec.template.$patch).toBe('replace');
    for (const p of pods) {
      expect(p.metadata.name).toMatch(/^agent-[a-z0-9]{5}$/);
      expect(p.metadata.labels).toEqual({ app: 'agent', 'controller-revision-hash': hash, 'pod-template-generation': '1' });
      expect(p.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: ds.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      expect(p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [p.spec.nodeName] }] }]);
      expect(p.spec.tolerations).toContainEqual({ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' });
    }
    await statusOf('agent', { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 2, numberAvailable: 2, updatedNumberScheduled: 2, numberMisscheduled: 0, numberUnavailable: 0 });
    const events = ((await get(`${NS}/events`)).items as any[]).filter((e) => e.involvedObject.name === 'agent').map((e) => `${e.reason} ${e.message}`);
    for (const p of pods) expect(events).toContain(`SuccessfulCreate Created pod: ${p.metadata.name}`);
  });

  it('replaces a deleted pod', async () => {
    const [victim] = await podsOf('agent');
    await c.call('DELETE', `${NS}/pods/${victim.metadata.name}`);
    const pods = await onNodes('agent', ['w1', 'w2']);
    expect(pods.map((p) => p.metadata.uid)).not.toContain(victim.metadata.uid);
  });

  it('adopts an orphaned pod and releases one whose labels no longer match', async () => {
    const ds = await get(`${DS}/agent`);
    const [pod] = (await current('agent')).filter((p) => p.spec.nodeName === 'w1');
    await c.call('PATCH', `${NS}/pods/${pod.metadata.name}`, { metadata: { ownerReferences: null } }, MERGE);
    await eventually(async () => (await get(`${NS}/pods/${pod.metadata.name}`)).metadata.ownerReferences?.[0]?.uid === ds.metadata.uid, { what: 'pod adopted' });
    await c.call('PATCH', `${NS}/pods/${pod.metadata.name}`, { metadata: { labels: { app: 'stray' } } }, MERGE);
    await eventually(async () => !(await get(`${NS}/pods/${pod.metadata.name}`)).metadata.ownerReferences?.length, { what: 'pod released' });
    const pods = await onNodes('agent', ['w1', 'w2']);
    expect(pods.map((p) => p.metadata.name)).not.toContain(pod.metadata.name);
    await c.call('DELETE', `${NS}/pods/${pod.metadata.name}`);
  });

  it('follows a node added', async () => {
    await addNodes(c.client, { name: 'w3', labels: 'disktype=ssd' }, quiet);
    await onNodes('agent', ['w1', 'w2', 'w3']);
    await statusOf('agent', { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 3 });
  });

  it('follows a nodeSelector as nodes are relabelled', async () => {
    expect((await c.call('POST', DS, daemonSet('ssd', {}, { nodeSelector: { disktype: 'ssd' } }))).status).toBe(201);
    await onNodes('ssd', ['w3']);
    await patchNode('w1', { metadata: { labels: { disktype: 'ssd' } } });
    await onNodes('ssd', ['w1', 'w3']);
    await patchNode('w3', { metadata: { labels: { disktype: null } } });
    await onNodes('ssd', ['w1']);
    await statusOf('ssd', { desiredNumberScheduled: 1, currentNumberScheduled: 1, numberMisscheduled: 0 });
    // The other DaemonSet never moved.
    await onNodes('agent', ['w1', 'w2', 'w3']);
  });

  it('follows required node affinity, and fits nowhere without an error loop', async () => {
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } };
    expect((await c.call('POST', DS, daemonSet('zonal', {}, { affinity }))).status).toBe(201);
    const s = await statusOf('zonal', { desiredNumberScheduled: 0, currentNumberScheduled: 0 });
    expect(s.observedGeneration).toBe(1);
    const before = (await get(`${DS}/zonal`)).metadata.resourceVersion;
    await patchNode('w2', { metadata: { labels: { zone: 'a' } } });
    const [pod] = await onNodes('zonal', ['w2']);
    // The user's term was checked by the controller; the pod carries only the pin.
    expect(pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['w2'] }] }]);
    expect((await get(`${DS}/zonal`)).metadata.resourceVersion).not.toBe(before);
    await patchNode('w2', { metadata: { labels: { zone: null } } });
    await onNodes('zonal', []);
    await statusOf('zonal', { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0 });
  });

  it('keeps a pod on a NoSchedule node (misscheduled) and removes it for NoExecute', async () => {
    await patchNode('w2', { spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } });
    await statusOf('agent', { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberMisscheduled: 1 });
    const kept = await onNodes('agent', ['w1', 'w2', 'w3']);
    await patchNode('w2', { spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] } });
    await onNodes('agent', ['w1', 'w3']);
    await statusOf('agent', { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberMisscheduled: 0 });
    // Untainted: a new pod comes back; the pods elsewhere were never touched.
    await patchNode('w2', { spec: { taints: null } });
    const back = await onNodes('agent', ['w1', 'w2', 'w3']);
    const uids = (pods: any[], node: string) => pods.filter((p) => p.spec.nodeName === node).map((p) => p.metadata.uid);
    expect(uids(back, 'w1')).toEqual(uids(kept, 'w1'));
    expect(uids(back, 'w2')).not.toEqual(uids(kept, 'w2'));
  });

  it('stays on a cordoned node', async () => {
    await patchNode('w3', { spec: { unschedulable: true } });
    await eventually(async () => ((await get('/api/v1/nodes/w3')).spec.taints ?? []).some((t: any) => t.key === 'node.kubernetes.io/unschedulable'), { what: 'cordon taint' });
    await statusOf('agent', { desiredNumberScheduled: 3, numberMisscheduled: 0 });
    await patchNode('w3', { spec: { unschedulable: null } });
  });

  it('drops a removed node from the counts', async () => {
    await removeNodes(c.client, ['w3'], quiet);
    await onNodes('agent', ['w1', 'w2']);
    await statusOf('agent', { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 2 });
  });

  it('replaces a failed pod with a FailedDaemonPod event', async () => {
    const [victim] = (await podsOf('agent')).filter((p) => live(p) && p.spec.nodeName === 'w1');
    await c.call('PUT', `${NS}/pods/${victim.metadata.name}/status`, { ...victim, status: { ...victim.status, phase: 'Failed' } });
    const pods = await onNodes('agent', ['w1', 'w2']);
    expect(pods.map((p) => p.metadata.uid)).not.toContain(victim.metadata.uid);
    const events = ((await get(`${NS}/events`)).items as any[]).filter((e) => e.involvedObject.name === 'agent');
    expect(events.map((e) => `${e.type} ${e.reason} ${e.message}`)).toContain(`Warning FailedDaemonPod Found failed daemon pod default/${victim.metadata.name} on node ${victim.spec.nodeName}, will try to kill it`);
  });

  describe('rolling updates', () => {
    const nodes = ['w1', 'w2', 'w4', 'w5'];
    beforeAll(async () => {
      await addNodes(c.client, { name: 'w4' }, quiet);
      await addNodes(c.client, { name: 'w5' }, quiet);
      await onNodes('agent', nodes);
    }, 30_000);

    it('with maxUnavailable 2: never more than 2 nodes down, revision 2 on every pod', async () => {
      await c.call('PATCH', `${DS}/agent`, { spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } } } }, MERGE);
      await statusOf('agent', { desiredNumberScheduled: 4, numberReady: 4 });
      const watch = watchBudget('agent', nodes, 2, 1);
      await c.call('PATCH', `${DS}/agent`, { spec: { template: { spec: { containers: [{ name: 'agent', image: 'agent:2' }] } } } }, STRATEGIC);
      await eventually(async () => (await onNodes('agent', nodes)).every((p) => p.spec.containers[0].image === 'agent:2'), { what: 'agent:2 everywhere', timeoutMs: 30_000 });
      await watch.stop();
      expect(watch.violations).toEqual([]);
      expect(watch.events).toBeGreaterThan(8);
      const ds = await get(`${DS}/agent`);
      const revs = await revisionsOf(ds.metadata.uid);
      expect(revs.map((r) => r.revision)).toEqual([1, 2]);
      const hash = revs[1].metadata.labels['controller-revision-hash'];
      for (const p of await current('agent')) expect(p.metadata.labels).toMatchObject({ 'controller-revision-hash': hash, 'pod-template-generation': '2' });
      await statusOf('agent', { desiredNumberScheduled: 4, updatedNumberScheduled: 4, numberAvailable: 4, numberUnavailable: 0 });
    });

    it('with maxSurge 1: the new pod first, the old one once it is available; never a node down', async () => {
      await c.call('PATCH', `${DS}/agent`, { spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } } }, MERGE);
      await statusOf('agent', { desiredNumberScheduled: 4, numberReady: 4 });
      const watch = watchBudget('agent', nodes, 0, 2);
      await c.call('PATCH', `${DS}/agent`, { spec: { template: { spec: { containers: [{ name: 'agent', image: 'agent:3' }] } } } }, STRATEGIC);
      await eventually(async () => (await onNodes('agent', nodes)).every((p) => p.spec.containers[0].image === 'agent:3'), { what: 'agent:3 everywhere', timeoutMs: 30_000 });
      await watch.stop();
      expect(watch.violations).toEqual([]);
      await statusOf('agent', { desiredNumberScheduled: 4, updatedNumberScheduled: 4, numberAvailable: 4 });
    });

    it('rolls back as kubectl rollout undo does: the old revision renumbered, no new one', async () => {
      const ds = await get(`${DS}/agent`);
      const revs = await revisionsOf(ds.metadata.uid);
      expect(revs.map((r) => r.revision)).toEqual([1, 2, 3]);
      // kubectl rollout undo: the previous revision's data as a strategic merge patch.
      expect((await c.call('PATCH', `${DS}/agent`, revs[1].data, STRATEGIC)).status).toBe(200);
      await eventually(async () => (await onNodes('agent', nodes)).every((p) => p.spec.containers[0].image === 'agent:2'), { what: 'back to agent:2', timeoutMs: 30_000 });
      const after = await revisionsOf(ds.metadata.uid);
      expect(after.map((r) => [r.metadata.name, r.revision])).toEqual([
        [revs[0].metadata.name, 1],
        [revs[2].metadata.name, 3],
        [revs[1].metadata.name, 4],
      ]);
      for (const p of await current('agent')) expect(p.metadata.labels['controller-revision-hash']).toBe(revs[1].metadata.labels['controller-revision-hash']);
    });

    it('OnDelete leaves pods alone until they are deleted', async () => {
      await c.call('PATCH', `${DS}/agent`, { spec: { updateStrategy: { type: 'OnDelete', rollingUpdate: null } } }, MERGE);
      await c.call('PATCH', `${DS}/agent`, { spec: { template: { spec: { containers: [{ name: 'agent', image: 'agent:4' }] } } } }, STRATEGIC);
      await statusOf('agent', { desiredNumberScheduled: 4, updatedNumberScheduled: 0, numberAvailable: 4 });
      const [victim] = (await podsOf('agent')).filter((p) => p.spec.nodeName === 'w1');
      await c.call('DELETE', `${NS}/pods/${victim.metadata.name}`);
      const pods = await onNodes('agent', nodes);
      expect(pods.map((p) => `${p.spec.nodeName}=${p.spec.containers[0].image}`).sort()).toEqual(['w1=agent:4', 'w2=agent:2', 'w4=agent:2', 'w5=agent:2']);
      await statusOf('agent', { desiredNumberScheduled: 4, updatedNumberScheduled: 1 });
    });
  });

  it('deleting the DaemonSet takes its pods', async () => {
    for (const name of ['agent', 'ssd', 'zonal']) await c.call('DELETE', `${DS}/${name}`);
    await eventually(async () => (await current('agent')).length === 0 && (await current('ssd')).length === 0, { what: 'pods gone', timeoutMs: 20_000 });
  });
});
