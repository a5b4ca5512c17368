// The two opt-in StatefulSet departures from upstream, end to end in process:
// - statefulset.k8ts.io/expand-claims: raising a claim template's storage request is accepted and
//   grows the existing claims through the expansion controller; a claim whose class forbids growth
//   is left alone with a Warning on the set. Without the annotation, upstream's refusal.
// - statefulset.k8ts.io/recover-stuck-rollout: after a rollout to a template whose pods never
//   become Ready (sim.k8ts.io/never-ready), reverting the template replaces the stuck pod; a set
//   without the annotation stays stuck, as upstream.
// The claims are created and bound by hand before their set (a volume with a claimRef, a claim
// naming the volume), which holds whether or not the PersistentVolume controller runs here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/meta/types.ts';
import type { ResourceClient } from '../../src/client/client.ts';
import { LOCAL_PATH_DRIVER } from '../../src/controllers/volume-expand/plan.ts';
import { ensureDefaultNodes } from '../../src/node/node-object.ts';
import { eventually, expectStatus, startTestCluster, type TestCluster } from './helpers.ts';

let c: TestCluster;
let claims: ResourceClient;
let volumes: ResourceClient;

const NS = '/api/v1/namespaces/default';
const STS = '/apis/apps/v1/namespaces/default/statefulsets';
const MERGE = { 'content-type': 'application/merge-patch+json' };
const FORBIDDEN =
  "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

beforeAll(async () => {
  c = await startTestCluster();
  claims = c.client.resource({ apiVersion: 'v1', resource: 'persistentvolumeclaims', namespaced: true });
  volumes = c.client.resource({ apiVersion: 'v1', resource: 'persistentvolumes', namespaced: false });
  await ensureDefaultNodes(c.client, { workers: 2, scheduleOnControlPlane: true });
  await eventually(() => c.ready(), { what: 'controllers to sync' });
  for (const [name, allowVolumeExpansion] of [['grow', true], ['fixed', false]] as const) {
    const sc = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner: LOCAL_PATH_DRIVER, allowVolumeExpansion };
    expect((await c.call('POST', '/apis/storage.k8s.io/v1/storageclasses', sc)).status).toBe(201);
  }
});
afterAll(async () => {
  await c.stop();
});

const get = async (url: string) => (await c.call('GET', url)).json;
const ready = (p: any) => p.status?.phase === 'Running' && p.status.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True');
const podsOf = async (app: string) => ((await get(`${NS}/pods?labelSelector=app%3D${app}`)).items as any[]).filter((p) => !p.metadata.deletionTimestamp).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
const eventsOf = async (name: string) => ((await get(`${NS}/events?fieldSelector=involvedObject.name%3D${name}`)).items as any[]).map((e) => ({ type: e.type, reason: e.reason, message: e.message }));
const storage = (claim: KubeObject) => ({ request: (claim.spec as any).resources.requests.storage, capacity: (claim.status as any)?.capacity?.storage });

function set(name: string, annotations: Record<string, string>, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, annotations },
    spec: {
      serviceName: name,
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name }, annotations: { team: 'storage' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } },
      ...spec,
    },
  };
}

async function allReady(app: string, n: number) {
  return eventually(async () => {
    const pods = await podsOf(app);
    return pods.length === n && pods.every(ready) && pods;
  }, { what: `${n} ready pods of ${app}`, timeoutMs: 20_000 });
}

/** A claim of class `cls` bound to a 1Gi volume of the built-in driver, made before its set. */
async function boundClaim(name: string, cls: string): Promise<void> {
  const pvName = `pv-${name}`;
  await volumes.create('', {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: pvName, annotations: { 'pv.kubernetes.io/provisioned-by': LOCAL_PATH_DRIVER } },
    spec: {
      accessModes: ['ReadWriteOnce'],
      capacity: { storage: '1Gi' },
      hostPath: { path: `/var/lib/k8ts/storage/${pvName}` },
      storageClassName: cls,
      persistentVolumeReclaimPolicy: 'Retain',
      claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'default', name },
    },
  });
  await claims.create('default', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, labels: { app: 'db' } },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: cls, volumeName: pvName },
  });
  // Bound by the PersistentVolume controller if it runs, else here; a lost race is retried.
  await eventually(async () => {
    const pvc = await claims.get('default', name);
    if ((pvc.status as any)?.phase === 'Bound') return true;
    const pv = await volumes.get('', pvName);
    if ((pv.status as any)?.phase !== 'Bound') {
      const bound = { ...pv, spec: { ...(pv.spec as object), claimRef: { ...(pv.spec as any).claimRef, uid: pvc.metadata.uid } } };
      const updated = await volumes.update('', bound);
      await volumes.updateStatus('', { ...updated, status: { phase: 'Bound' } });
    }
    const annotated = await claims.update('default', { ...pvc, metadata: { ...pvc.metadata, annotations: { ...pvc.metadata.annotations, 'pv.kubernetes.io/bind-completed': 'yes' } } });
    await claims.updateStatus('default', { ...annotated, status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } });
    return false;
  }, { what: `claim ${name} bound` });
}

describe('statefulset.k8ts.io/expand-claims', () => {
  it('grows existing claims when the template request grows; a class without expansion gets a Warning', async () => {
    // db-0's claim is of the expandable class; db-1's claim was made under a class that forbids it.
    await boundClaim('data-db-0', 'grow');
    await boundClaim('data-db-1', 'fixed');
    const template = { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'grow' } };
    expect((await c.call('POST', STS, set('db', {}, { volumeClaimTemplates: [template] }))).status).toBe(201);
    await allReady('db', 2);

    // Without the annotation: upstream's refusal.
    const grow = (storage: string, annotations?: Record<string, string>) =>
      c.call('PATCH', `${STS}/db`, { ...(annotations ? { metadata: { annotations } } : {}), spec: { volumeClaimTemplates: [{ ...template, spec: { ...template.spec, resources: { requests: { storage } } } }] } }, MERGE);
    expectStatus(await grow('2Gi'), { code: 422, reason: 'Invalid', message: `StatefulSet.apps "db" is invalid: ${FORBIDDEN}` });

    // With it (set in the same patch): accepted; a decrease still is not.
    const res = await grow('2Gi', { 'statefulset.k8ts.io/expand-claims': 'true' });
    expect(res.status, res.text).toBe(200);
    expectStatus(await grow('512Mi'), { code: 422, reason: 'Invalid', message: FORBIDDEN });

    const grown = await eventually(async () => {
      const claim = await claims.get('default', 'data-db-0');
      return storage(claim).capacity === '2Gi' && claim;
    }, { what: 'data-db-0 to grow to 2Gi', timeoutMs: 20_000 });
    expect(storage(grown)).toEqual({ request: '2Gi', capacity: '2Gi' });
    expect(((await volumes.get('', 'pv-data-db-0')).spec as any).capacity).toEqual({ storage: '2Gi' });

    const events = await eventually(async () => {
      const list = await eventsOf('db');
      return list.some((e) => e.reason === 'ClaimExpansionFailed') && list;
    }, { what: 'a ClaimExpansionFailed event' });
    expect(events).toContainEqual({ type: 'Normal', reason: 'ClaimExpansionRequested', message: 'expand Claim data-db-0 to 2Gi in StatefulSet db successful' });
    expect(events).toContainEqual({
      type: 'Warning',
      reason: 'ClaimExpansionFailed',
      message:
        'expand Claim data-db-1 to 2Gi in StatefulSet db failed error: persistentvolumeclaims "data-db-1" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize',
    });
    expect(storage(await claims.get('default', 'data-db-1'))).toEqual({ request: '1Gi', capacity: '1Gi' });

    // No rollout: the pods were never replaced, and a new ordinal's claim is made at the new size.
    const sts = await get(`${STS}/db`);
    expect(sts.status.currentRevision).toBe(sts.status.updateRevision);
    expect((await podsOf('db')).map((p) => p.metadata.labels['controller-revision-hash'])).toEqual([sts.status.updateRevision, sts.status.updateRevision]);
  });
});

describe('statefulset.k8ts.io/recover-stuck-rollout', () => {
  it('replaces the stuck pod once the template is reverted; without the annotation the set stays stuck', async () => {
    for (const [name, annotations] of [['fix', { 'statefulset.k8ts.io/recover-stuck-rollout': 'true' }], ['stuck', {}]] as const) {
      expect((await c.call('POST', STS, set(name, annotations))).status).toBe(201);
    }
    const good = await Promise.all(['fix', 'stuck'].map((n) => allReady(n, 2)));
    const goodRevision = (await get(`${STS}/fix`)).status.updateRevision;

    // A rollout to a template whose pods never become Ready stops at the highest ordinal.
    const broken: Record<string, any> = {};
    for (const name of ['fix', 'stuck']) {
      await c.call('PATCH', `${STS}/${name}`, { spec: { template: { metadata: { annotations: { 'sim.k8ts.io/never-ready': 'true' } } } } }, MERGE);
      broken[name] = await eventually(async () => {
        const [p0, p1] = await podsOf(name);
        const { updateRevision } = (await get(`${STS}/${name}`)).status;
        return p1 && p1.metadata.labels['controller-revision-hash'] === updateRevision && p1.status?.phase === 'Running' && !ready(p1) && ready(p0) && p1;
      }, { what: `${name}-1 running the bad template`, timeoutMs: 20_000 });
    }

    // Revert: the same template as before, so the first revision is the update revision again.
    for (const name of ['fix', 'stuck']) await c.call('PATCH', `${STS}/${name}`, { spec: { template: { metadata: { annotations: { 'sim.k8ts.io/never-ready': null } } } } }, MERGE);
    const [p0, p1] = await allReady('fix', 2);
    expect(p1.metadata.uid).not.toBe(broken.fix.metadata.uid);
    expect(p1.metadata.labels['controller-revision-hash']).toBe(goodRevision);
    expect(p0.metadata.uid).toBe(good[0]![0].metadata.uid);
    await eventually(async () => {
      const s = (await get(`${STS}/fix`)).status;
      return s.readyReplicas === 2 && s.currentRevision === goodRevision && s.updateRevision === goodRevision;
    }, { what: 'fix status at the first revision' });
    expect(await eventsOf('fix')).toContainEqual({
      type: 'Normal',
      reason: 'RecoverStuckRollout',
      message: `delete Pod fix-1 of revision ${broken.fix.metadata.labels['controller-revision-hash']}: not Running and Ready, and not at the update revision`,
    });

    // The set without the annotation saw the same revert at the same time and still waits on its pod.
    const stuck = await podsOf('stuck');
    expect((await get(`${STS}/stuck`)).status.updateRevision).toBe(stuck[0].metadata.labels['controller-revision-hash']);
    expect(stuck[1].metadata.uid).toBe(broken.stuck.metadata.uid);
    expect(ready(stuck[1])).toBe(false);
  });
});
