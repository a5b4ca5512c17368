// Volume expansion end to end in process: the PersistentVolumeClaimResize admission and claim
// validation refuse what upstream refuses, and the expand controller plus the built-in resizer
// grow a bound claim of an allowVolumeExpansion class. Each claim is pre-bound to a volume made
// here (the PV controller binds them), so the expansion path is tested without provisioning.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/meta/types.ts';
import type { ResourceClient } from '../../src/client/client.ts';
import { LOCAL_PATH_DRIVER } from '../../src/controllers/volume-expand/plan.ts';
import { eventually, expectStatus, startTestCluster, type TestCluster } from './helpers.ts';

let cluster: TestCluster;
let claims: ResourceClient;
let volumes: ResourceClient;
let events: ResourceClient;

const claimUrl = (name: string) => `/api/v1/namespaces/default/persistentvolumeclaims/${name}`;
const patchClaim = (name: string, body: unknown) => cluster.call('PATCH', claimUrl(name), body, { 'content-type': 'application/merge-patch+json' });
const requestTo = (storage: string) => ({ spec: { resources: { requests: { storage } } } });

async function storageClass(name: string, allowVolumeExpansion?: boolean): Promise<void> {
  const sc = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner: LOCAL_PATH_DRIVER, ...(allowVolumeExpansion === undefined ? {} : { allowVolumeExpansion }) };
  const res = await cluster.call('POST', '/apis/storage.k8s.io/v1/storageclasses', sc);
  expect(res.status, res.text).toBe(201);
}

/**
 * A claim of class `cls` bound to a 1Gi volume that claims to come from the built-in driver: the
 * volume names the claim and the claim the volume, so the PV controller binds them and nothing
 * is provisioned.
 */
async function boundClaim(name: string, cls: string): Promise<KubeObject> {
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
      persistentVolumeReclaimPolicy: 'Delete',
      claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'default', name },
    },
  });
  await claims.create('default', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: cls, volumeName: pvName },
  });
  return eventually(async () => {
    const c = await claims.get('default', name);
    return (c.status as { phase?: string } | undefined)?.phase === 'Bound' ? c : undefined;
  });
}

async function eventsOf(name: string): Promise<{ reason: string; message: string; type: string; component: string }[]> {
  const list = await events.list('default', { fieldSelector: `involvedObject.name=${name}` });
  return list.items.map((e: any) => ({ reason: e.reason, message: e.message, type: e.type, component: e.source?.component }));
}

beforeAll(async () => {
  cluster = await startTestCluster();
  claims = cluster.client.resource({ apiVersion: 'v1', resource: 'persistentvolumeclaims', namespaced: true });
  volumes = cluster.client.resource({ apiVersion: 'v1', resource: 'persistentvolumes', namespaced: false });
  events = cluster.client.resource({ apiVersion: 'v1', resource: 'events', namespaced: true });
  await storageClass('grow', true);
  await storageClass('fixed');
});

afterAll(async () => {
  await cluster.stop();
});

describe('volume expansion', () => {
  it('grows a bound claim online: volume capacity, claim status and events', async () => {
    const pvc = await boundClaim('data', 'grow');
    const pvName = (pvc.spec as { volumeName: string }).volumeName;
    // Watch the claim to see the in-progress status, which lasts only one write.
    const stop = new AbortController();
    const seen: KubeObject[] = [];
    const watching = (async () => {
      try {
        for await (const ev of claims.watch('default', { resourceVersion: pvc.metadata.resourceVersion, fieldSelector: 'metadata.name=data', signal: stop.signal })) seen.push(ev.object as KubeObject);
      } catch {
        // aborted
      }
    })();

    const res = await patchClaim('data', requestTo('2Gi'));
    expect(res.status, res.text).toBe(200);

    const done = await eventually(async () => {
      const c = await claims.get('default', 'data');
      return (c.status as any)?.capacity?.storage === '2Gi' && c;
    }, { what: 'claim capacity 2Gi' });
    stop.abort();
    await watching;

    expect(done.status).toEqual({ phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '2Gi' }, allocatedResources: { storage: '2Gi' } });
    expect(((await volumes.get('', pvName)).spec as any).capacity).toEqual({ storage: '2Gi' });
    const inProgress = seen.find((o) => (o.status as any)?.allocatedResourceStatuses?.storage === 'ControllerResizeInProgress');
    expect(inProgress?.status).toMatchObject({
      capacity: { storage: '1Gi' },
      allocatedResources: { storage: '2Gi' },
      conditions: [{ type: 'Resizing', status: 'True', lastProbeTime: null }],
    });

    const evs = await eventually(async () => {
      const list = await eventsOf('data');
      return ['ExternalExpanding', 'Resizing', 'VolumeResizeSuccessful'].every((r) => list.some((e) => e.reason === r)) && list;
    }, { what: 'resize events' });
    expect(evs).toEqual(
      expect.arrayContaining([
        { type: 'Normal', reason: 'ExternalExpanding', message: 'waiting for an external controller to expand this PVC', component: 'volume_expand' },
        { type: 'Normal', reason: 'Resizing', message: `External resizer is resizing volume ${pvName}`, component: `external-resizer ${LOCAL_PATH_DRIVER}` },
        { type: 'Normal', reason: 'VolumeResizeSuccessful', message: 'Resize volume succeeded', component: `external-resizer ${LOCAL_PATH_DRIVER}` },
      ]),
    );

    // A second growth goes through the same way.
    expect((await patchClaim('data', requestTo('3Gi'))).status).toBe(200);
    await eventually(async () => ((await claims.get('default', 'data')).status as any)?.capacity?.storage === '3Gi', { what: 'claim capacity 3Gi' });
    expect(((await volumes.get('', pvName)).spec as any).capacity).toEqual({ storage: '3Gi' });
  });

  it('refuses shrinking to or below status.capacity', async () => {
    await boundClaim('shrink', 'grow');
    expectStatus(await patchClaim('shrink', requestTo('500Mi')), {
      code: 422,
      reason: 'Invalid',
      message: 'PersistentVolumeClaim "shrink" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than status.capacity',
    });
  });

  it('refuses growth under a class without allowVolumeExpansion', async () => {
    await boundClaim('fixed', 'fixed');
    const s = expectStatus(await patchClaim('fixed', requestTo('2Gi')), {
      code: 403,
      reason: 'Forbidden',
      message: 'persistentvolumeclaims "fixed" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize',
    });
    expect(s.details).toEqual({ name: 'fixed', kind: 'persistentvolumeclaims' });
  });

  // Validation runs before admission, so an unbound claim's growth is refused as a spec change;
  // the plugin's "Only bound persistent volume claims can be expanded" is never reached upstream either.
  it('refuses growth of a claim that is not bound', async () => {
    await claims.create('default', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'pending' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'grow' },
    });
    expectStatus(await patchClaim('pending', requestTo('2Gi')), {
      code: 422,
      reason: 'Invalid',
      message: 'PersistentVolumeClaim "pending" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n  core.PersistentVolumeClaimSpec{',
    });
  });

  it('refuses other spec changes of a bound claim', async () => {
    await boundClaim('immutable', 'grow');
    expectStatus(await patchClaim('immutable', { spec: { accessModes: ['ReadWriteMany'] } }), {
      code: 422,
      reason: 'Invalid',
      message: 'PersistentVolumeClaim "immutable" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    });
  });
});
