// The StatefulSet controller in the whole control plane: scheduler, simulated kubelets, garbage
// collector. Pods become Running and Ready through the simulated runtime; a pod annotated
// sim.k8ts.io/never-ready stays unready.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDefaultNodes } from '../../src/node/node-object.ts';
import { eventually, startTestCluster, type TestCluster } from './helpers.ts';

let c: TestCluster;
beforeAll(async () => {
  c = await startTestCluster();
  await ensureDefaultNodes(c.client, { workers: 2, scheduleOnControlPlane: true });
  await eventually(() => c.ready(), { what: 'controllers to sync' });
});
afterAll(async () => {
  await c.stop();
});

const NS = '/api/v1/namespaces/default';
const STS = '/apis/apps/v1/namespaces/default/statefulsets';

function web(name: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name },
    spec: {
      serviceName: name,
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      ...spec,
    },
  };
}

const get = async (url: string) => (await c.call('GET', url)).json;
const podsOf = async (app: string) =>
  ((await get(`${NS}/pods?labelSelector=app%3D${app}`)).items as any[]).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
const ready = (p: any) => p.status?.phase === 'Running' && p.status.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True');
const live = (p: any) => !p.metadata.deletionTimestamp;

/** Watches an app's pods: names in the order they were added, and in the order they started terminating. */
function watchPods(app: string) {
  const stop = new AbortController();
  const added: string[] = [];
  const terminating: string[] = [];
  void (async () => {
    try {
      for await (const ev of c.client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true }).watch('default', { labelSelector: `app=${app}`, signal: stop.signal })) {
        const name = ev.object.metadata.name!;
        if (ev.type === 'ADDED' && !added.includes(name)) added.push(name);
        if ((ev.type === 'DELETED' || ev.object.metadata.deletionTimestamp) && !terminating.includes(name)) terminating.push(name);
      }
    } catch {
      /* stopped */
    }
  })();
  return { added, terminating, stop: () => stop.abort() };
}

async function allReady(app: string, n: number) {
  return eventually(
    async () => {
      const pods = (await podsOf(app)).filter(live);
      return pods.length === n && pods.every(ready) && pods;
    },
    { what: `${n} ready pods of ${app}`, timeoutMs: 20_000 },
  );
}

describe('StatefulSet controller', () => {
  it('creates pods in order with claims, identity and a controller reference', async () => {
    const watch = watchPods('web');
    expect((await c.call('POST', STS, web('web'))).status).toBe(201);
    const pods = await allReady('web', 3);
    watch.stop();
    expect(watch.added).toEqual(['web-0', 'web-1', 'web-2']);
    const set = await get(`${STS}/web`);
    for (const [i, p] of pods.entries()) {
      expect(p.metadata.labels).toMatchObject({ app: 'web', 'statefulset.kubernetes.io/pod-name': `web-${i}`, 'apps.kubernetes.io/pod-index': String(i), 'controller-revision-hash': set.status.updateRevision });
      expect(p.spec.hostname).toBe(`web-${i}`);
      expect(p.spec.subdomain).toBe('web');
      expect(p.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: set.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      expect(p.spec.volumes).toContainEqual({ name: 'www', persistentVolumeClaim: { claimName: `www-web-${i}` } });
      const claim = await get(`${NS}/persistentvolumeclaims/www-web-${i}`);
      expect(claim.metadata.labels).toEqual({ app: 'web' });
      expect(claim.metadata.ownerReferences ?? []).toEqual([]);
    }
    await eventually(async () => {
      const s = (await get(`${STS}/web`)).status;
      return s.readyReplicas === 3 && s.availableReplicas === 3 && s.currentReplicas === 3 && s.updatedReplicas === 3 && s.currentRevision === s.updateRevision && s;
    }, { what: 'status' });
    const revs = (await get('/apis/apps/v1/namespaces/default/controllerrevisions')).items.filter((r: any) => r.metadata.ownerReferences?.[0]?.uid === set.metadata.uid);
    expect(revs.map((r: any) => [r.metadata.name, r.revision])).toEqual([[set.status.updateRevision, 1]]);
    expect(revs[0].data.spec.template.$patch).toBe('replace');
    const events = (await get(`${NS}/events`)).items.filter((e: any) => e.involvedObject.name === 'web').map((e: any) => e.message);
    expect(events).toContain('create Pod web-0 in StatefulSet web successful');
    expect(events).toContain('create Claim www-web-0 Pod web-0 in StatefulSet web success');
  });

  it('scales down from the highest ordinal, one at a time', async () => {
    const watch = watchPods('web');
    await c.call('PATCH', `${STS}/web`, { spec: { replicas: 1 } }, { 'content-type': 'application/merge-patch+json' });
    await eventually(async () => (await podsOf('web')).length === 1, { what: 'scale down to 1', timeoutMs: 20_000 });
    watch.stop();
    expect(watch.terminating).toEqual(['web-2', 'web-1']);
    // Retain: the claims stay.
    expect((await c.call('GET', `${NS}/persistentvolumeclaims/www-web-2`)).status).toBe(200);
    await c.call('PATCH', `${STS}/web`, { spec: { replicas: 3 } }, { 'content-type': 'application/merge-patch+json' });
    await allReady('web', 3);
  });

  it('rolls an update from the highest ordinal down to the partition', async () => {
    const before = (await get(`${STS}/web`)).status.currentRevision;
    await c.call('PATCH', `${STS}/web`, { spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } }, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } } } }, {
      'content-type': 'application/strategic-merge-patch+json',
    });
    const s = await eventually(async () => {
      const st = (await get(`${STS}/web`)).status;
      return st.updateRevision !== before && st.updatedReplicas === 2 && st.readyReplicas === 3 && st;
    }, { what: 'partitioned roll out', timeoutMs: 20_000 });
    const pods = await allReady('web', 3);
    expect(pods.map((p: any) => p.spec.containers[0].image)).toEqual(['nginx:1.25', 'nginx:1.26', 'nginx:1.26']);
    expect(pods.map((p: any) => p.metadata.labels['controller-revision-hash'])).toEqual([before, s.updateRevision, s.updateRevision]);
    expect(s.currentRevision).toBe(before);
    await c.call('PATCH', `${STS}/web`, { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } }, { 'content-type': 'application/merge-patch+json' });
    await eventually(async () => {
      const st = (await get(`${STS}/web`)).status;
      return st.currentRevision === s.updateRevision && st.updatedReplicas === 3 && st.readyReplicas === 3;
    }, { what: 'roll out to complete', timeoutMs: 20_000 });
    const revs = (await get('/apis/apps/v1/namespaces/default/controllerrevisions')).items.filter((r: any) => r.metadata.name.startsWith('web-'));
    expect(revs.map((r: any) => r.revision).sort()).toEqual([1, 2]);
  });

  it('halts scale-up at an unready pod under OrderedReady', async () => {
    const set = web('halt', { replicas: 1, volumeClaimTemplates: [] });
    (set.spec.template.metadata as any).annotations = { 'sim.k8ts.io/never-ready': 'true' };
    await c.call('POST', STS, set);
    await eventually(async () => (await podsOf('halt')).length === 1, { what: 'first pod' });
    await c.call('PATCH', `${STS}/halt`, { spec: { replicas: 3 } }, { 'content-type': 'application/merge-patch+json' });
    await new Promise((r) => setTimeout(r, 500));
    expect((await podsOf('halt')).map((p: any) => p.metadata.name)).toEqual(['halt-0']);
  });

  it('bursts under Parallel even with unready pods', async () => {
    const set = web('burst', { replicas: 5, podManagementPolicy: 'Parallel', volumeClaimTemplates: [] });
    (set.spec.template.metadata as any).annotations = { 'sim.k8ts.io/never-ready': 'true' };
    await c.call('POST', STS, set);
    await eventually(async () => (await podsOf('burst')).length === 5, { what: 'five pods' });
    await c.call('PATCH', `${STS}/burst`, { spec: { replicas: 0 } }, { 'content-type': 'application/merge-patch+json' });
    await eventually(async () => (await podsOf('burst')).length === 0, { what: 'no pods', timeoutMs: 20_000 });
    await eventually(async () => (await get(`${STS}/burst`)).status.replicas === 0, { what: 'status replicas 0' });
  });

  it('deletes claims by policy: whenScaled through the pod, whenDeleted through the set', async () => {
    await c.call('POST', STS, web('ret', { replicas: 2, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } }));
    await allReady('ret', 2);
    const set = await get(`${STS}/ret`);
    const claim0 = await get(`${NS}/persistentvolumeclaims/www-ret-0`);
    expect(claim0.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'ret', uid: set.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    await c.call('PATCH', `${STS}/ret`, { spec: { replicas: 1 } }, { 'content-type': 'application/merge-patch+json' });
    await eventually(async () => (await c.call('GET', `${NS}/persistentvolumeclaims/www-ret-1`)).status === 404, { what: 'claim of the removed ordinal to go', timeoutMs: 20_000 });
    // A pod deleted for another reason keeps its claim.
    const p0 = (await podsOf('ret'))[0];
    await c.call('DELETE', `${NS}/pods/ret-0`);
    await eventually(async () => {
      const p = (await podsOf('ret')).find((x: any) => x.metadata.uid !== p0.metadata.uid);
      return p && ready(p);
    }, { what: 'ret-0 recreated', timeoutMs: 20_000 });
    expect((await get(`${NS}/persistentvolumeclaims/www-ret-0`)).metadata.uid).toBe(claim0.metadata.uid);
    await c.call('DELETE', `${STS}/ret`);
    await eventually(async () => (await c.call('GET', `${NS}/persistentvolumeclaims/www-ret-0`)).status === 404, { what: 'claims to go with the set', timeoutMs: 20_000 });
  });
});
