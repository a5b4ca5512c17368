// Persistent storage end to end in process: the whole control plane (PV controller, protection,
// local-path provisioner, scheduler with volume binding, simulated kubelets) on the memory store.
// Covers static binding, Immediate and WaitForFirstConsumer provisioning, the default class,
// Delete and Retain reclaim with the directories on disk, and pvc-protection.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersistentVolume, PersistentVolumeClaim } from '../../src/api/storage/volume.ts';
import type { ResourceClient } from '../../src/client/client.ts';
import { createNodeObject } from '../../src/node/node-object.ts';
import { eventually, startTestCluster, type TestCluster } from './helpers.ts';

const NS = 'demo';
let cluster: TestCluster;
let claims: ResourceClient;
let volumes: ResourceClient;
let classes: ResourceClient;
let pods: ResourceClient;
let events: ResourceClient;

beforeAll(async () => {
  cluster = await startTestCluster();
  const r = (apiVersion: string, resource: string, namespaced: boolean) => cluster.client.resource({ apiVersion, resource, namespaced });
  claims = r('v1', 'persistentvolumeclaims', true);
  volumes = r('v1', 'persistentvolumes', false);
  classes = r('storage.k8s.io/v1', 'storageclasses', false);
  pods = r('v1', 'pods', true);
  events = r('v1', 'events', true);
  await r('v1', 'namespaces', false).create('', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  const nodes = r('v1', 'nodes', false);
  await nodes.create('', createNodeObject('node-a', { index: 1 }));
  await nodes.create('', createNodeObject('node-b', { index: 2 }));
  await eventually(async () => (await nodes.list()).items.filter((n) => (n.status as { conditions?: { type: string; status: string }[] })?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === 2, {
    what: 'nodes Ready',
  });
});

afterAll(async () => {
  await cluster.stop();
});

async function storageClass(name: string, o: Record<string, unknown>): Promise<void> {
  await classes.create('', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, ...o });
}

async function claim(name: string, spec: Record<string, unknown> = {}, size = '1Gi'): Promise<PersistentVolumeClaim> {
  return (await claims.create(NS, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } }, ...spec } })) as PersistentVolumeClaim;
}

async function staticVolume(name: string, size: string, cls: string, extra: Record<string, unknown> = {}): Promise<void> {
  await volumes.create('', { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], storageClassName: cls, hostPath: { path: `/tmp/k8ts-${name}` }, ...extra } });
}

async function pod(name: string, claimName: string, nodeSelector?: Record<string, string>): Promise<void> {
  await pods.create(NS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'app', image: 'busybox:1.36' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }], ...(nodeSelector ? { nodeSelector } : {}) },
  });
}

const getClaim = async (name: string) => (await claims.find(NS, name)) as PersistentVolumeClaim | undefined;
const getVolume = async (name: string) => (await volumes.find('', name)) as PersistentVolume | undefined;
const boundClaim = (name: string) => eventually(async () => ((await getClaim(name))?.status?.phase === 'Bound' ? getClaim(name) : undefined), { what: `${name} Bound` });
const runningPod = (name: string) =>
  eventually(async () => {
    const p = await pods.find(NS, name);
    return (p?.status as { phase?: string } | undefined)?.phase === 'Running' ? p : undefined;
  }, { what: `${name} Running`, timeoutMs: 15_000 });

async function eventsFor(name: string): Promise<{ reason: string; message: string; type: string }[]> {
  const list = await events.list(NS, { fieldSelector: `involvedObject.name=${name}` });
  return list.items.map((e) => e as unknown as { reason: string; message: string; type: string });
}
const hasEvent = (name: string, reason: string) => eventually(async () => (await eventsFor(name)).find((e) => e.reason === reason), { what: `${reason} on ${name}` });

const pathOf = (pv: PersistentVolume) => pv.spec?.hostPath?.path ?? pv.spec?.local?.path ?? '';
const affinityNode = (pv: PersistentVolume) => pv.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0]?.matchExpressions?.[0]?.values?.[0];

describe('storage', () => {
  it('binds claims to the smallest static volume that fits', async () => {
    await storageClass('manual', { provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'Immediate' });
    for (const [n, s] of [['pv5', '5Gi'], ['pv10', '10Gi'], ['pv20', '20Gi']] as const) await staticVolume(n, s, 'manual');
    const c1 = await claim('c1', { storageClassName: 'manual' }, '8Gi');
    const bound = await boundClaim('c1');
    expect(bound.spec?.volumeName).toBe('pv10');
    expect(bound.metadata.annotations).toMatchObject({ 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' });
    expect(bound.status).toMatchObject({ accessModes: ['ReadWriteOnce'], capacity: { storage: '10Gi' } });
    expect(bound.metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);
    const pv10 = await eventually(async () => ((await getVolume('pv10'))?.status?.phase === 'Bound' ? getVolume('pv10') : undefined));
    expect(pv10.spec?.claimRef).toMatchObject({ namespace: NS, name: 'c1', uid: c1.metadata.uid });
    expect(pv10.metadata.annotations?.['pv.kubernetes.io/bound-by-controller']).toBe('yes');
    expect(pv10.metadata.finalizers).toEqual(['kubernetes.io/pv-protection']);
    for (const n of ['pv5', 'pv20']) expect((await getVolume(n))?.status?.phase).toBe('Available');
    // The second 8Gi claim takes pv20; a third finds nothing and stays Pending.
    await claim('c2', { storageClassName: 'manual' }, '8Gi');
    expect((await boundClaim('c2')).spec?.volumeName).toBe('pv20');
    await claim('c3', { storageClassName: 'manual' }, '8Gi');
    expect(await hasEvent('c3', 'ProvisioningFailed')).toMatchObject({ type: 'Warning', message: 'no volume plugin matched name: kubernetes.io/no-provisioner' });
    expect((await getClaim('c3'))?.status?.phase).toBe('Pending');
  });

  it('binds a claim to the volume it names, or explains the mismatch', async () => {
    await staticVolume('named', '5Gi', 'manual');
    await claim('wrong-class', { volumeName: 'named', storageClassName: 'other' });
    expect(await hasEvent('wrong-class', 'VolumeMismatch')).toMatchObject({ type: 'Warning', message: 'Cannot bind to requested volume "named": storageClassName does not match' });
    expect((await getVolume('named'))?.status?.phase).toBe('Available');
    await claim('right', { volumeName: 'named', storageClassName: 'manual' });
    const bound = await boundClaim('right');
    expect(bound.metadata.annotations?.['pv.kubernetes.io/bind-completed']).toBe('yes');
    expect(bound.metadata.annotations?.['pv.kubernetes.io/bound-by-controller']).toBeUndefined();
  });

  it('refuses to schedule a pod whose Immediate claim is unbound', async () => {
    await pod('waits', 'c3');
    const ev = await hasEvent('waits', 'FailedScheduling');
    expect(ev.message).toBe('0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.');
    await pods.delete(NS, 'waits', { gracePeriodSeconds: 0 });
  });

  it('a pod placed by hand on a node does not start while its claim is unbound', async () => {
    await pods.create(NS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'early' },
      spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'busybox:1.36' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'c3' } }] },
    });
    const ev = await hasEvent('early', 'FailedMount');
    expect(ev).toMatchObject({ type: 'Warning' });
    expect(ev.message).toContain('unmounted volumes=[data]');
    expect(ev.message).toContain(`PVC ${NS}/c3 has non-bound phase ("Pending")`);
    const p = (await pods.get(NS, 'early')) as { status?: { phase?: string; containerStatuses?: { state: { waiting?: { reason: string } } }[] } };
    expect(p.status?.phase).toBe('Pending');
    expect(p.status?.containerStatuses?.[0]?.state.waiting?.reason).toBe('ContainerCreating');
    await pods.delete(NS, 'early', { gracePeriodSeconds: 0 });
  });

  it('provisions an Immediate claim at once, on some node', async () => {
    await storageClass('instant', { provisioner: 'k8ts.io/local-path', volumeBindingMode: 'Immediate' });
    const c = await claim('quick', { storageClassName: 'instant' });
    const bound = await boundClaim('quick');
    expect(bound.spec?.volumeName).toBe(`pvc-${c.metadata.uid}`);
    expect(bound.metadata.annotations).toMatchObject({ 'volume.kubernetes.io/storage-provisioner': 'k8ts.io/local-path', 'volume.beta.kubernetes.io/storage-provisioner': 'k8ts.io/local-path' });
    const pv = (await getVolume(bound.spec!.volumeName!))!;
    expect(pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by']).toBe('k8ts.io/local-path');
    expect(['node-a', 'node-b']).toContain(affinityNode(pv));
    expect(pathOf(pv)).toMatch(new RegExp(`/pvc-${c.metadata.uid}_${NS}_quick$`));
    expect(existsSync(pathOf(pv))).toBe(true);
    const reasons = (await eventsFor('quick')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['ExternalProvisioning', 'Provisioning', 'ProvisioningSucceeded']));
  });

  it('gives a claim without class the default class and provisions it where its pod lands', async () => {
    const c = await claim('data');
    expect(c.spec?.storageClassName).toBe('standard');
    await hasEvent('data', 'WaitForFirstConsumer');
    expect((await getClaim('data'))?.status?.phase).toBe('Pending');
    await pod('user', 'data', { 'kubernetes.io/hostname': 'node-b' });
    const bound = await boundClaim('data');
    expect(bound.metadata.annotations?.['volume.kubernetes.io/selected-node']).toBe('node-b');
    const pv = (await getVolume(`pvc-${c.metadata.uid}`))!;
    expect(affinityNode(pv)).toBe('node-b');
    expect(pv.spec?.persistentVolumeReclaimPolicy).toBe('Delete');
    expect(existsSync(pathOf(pv))).toBe(true);
    const running = await runningPod('user');
    expect((running.spec as { nodeName?: string }).nodeName).toBe('node-b');
  });

  it('keeps a claim in use until its pod is gone, then deletes volume and directory', async () => {
    const c = (await getClaim('data'))!;
    const pv = (await getVolume(`pvc-${c.metadata.uid}`))!;
    await claims.delete(NS, 'data');
    const terminating = (await getClaim('data'))!;
    expect(terminating.metadata.deletionTimestamp).toBeDefined();
    expect(terminating.metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);
    // Still there a moment later: the pod uses it.
    await new Promise((r) => setTimeout(r, 200));
    expect(await getClaim('data')).toBeDefined();
    await pods.delete(NS, 'user', { gracePeriodSeconds: 0 });
    await eventually(async () => !(await getClaim('data')), { what: 'claim gone' });
    await eventually(async () => !(await getVolume(pv.metadata.name!)), { what: 'volume deleted' });
    expect(existsSync(pathOf(pv))).toBe(false);
  });

  it('keeps a Retain volume and its directory as Released', async () => {
    await storageClass('keep', { provisioner: 'k8ts.io/local-path', volumeBindingMode: 'Immediate', reclaimPolicy: 'Retain' });
    const c = await claim('kept', { storageClassName: 'keep' });
    const bound = await boundClaim('kept');
    await claims.delete(NS, 'kept');
    await eventually(async () => !(await getClaim('kept')), { what: 'claim gone' });
    const pv = await eventually(async () => ((await getVolume(bound.spec!.volumeName!))?.status?.phase === 'Released' ? getVolume(bound.spec!.volumeName!) : undefined), { what: 'Released' });
    expect(pv.spec?.claimRef?.uid).toBe(c.metadata.uid);
    expect(existsSync(pathOf(pv))).toBe(true);
    // Never reused: a new claim of the class gets a fresh volume.
    const again = await claim('kept2', { storageClassName: 'keep' });
    expect((await boundClaim('kept2')).spec?.volumeName).toBe(`pvc-${again.metadata.uid}`);
  });

  it('schedules a WaitForFirstConsumer claim onto the node of a matching local volume', async () => {
    await storageClass('local-disks', { provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' });
    const affinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-a'] }] }] } };
    await volumes.create('', { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'disk-a' }, spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'local-disks', local: { path: '/mnt/disk-a' }, nodeAffinity: affinity } });
    await claim('local-data', { storageClassName: 'local-disks' });
    await pod('pinned', 'local-data');
    const bound = await boundClaim('local-data');
    expect(bound.spec?.volumeName).toBe('disk-a');
    const running = await runningPod('pinned');
    expect((running.spec as { nodeName?: string }).nodeName).toBe('node-a');
    // Another claim of the class finds no volume on any node.
    await claim('no-disk', { storageClassName: 'local-disks' });
    await pod('stuck', 'no-disk');
    const ev = await hasEvent('stuck', 'FailedScheduling');
    expect(ev.message).toBe("0/2 nodes are available: 2 node(s) didn't find available persistent volumes to bind. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.");
  });

  it('gives a generic ephemeral volume its own claim, which goes with the pod', async () => {
    await pods.create(NS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'eph' },
      spec: {
        containers: [{ name: 'app', image: 'busybox:1.36' }],
        volumes: [{ name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } } }],
      },
    });
    const bound = await boundClaim('eph-scratch');
    expect(bound.metadata.ownerReferences).toMatchObject([{ kind: 'Pod', name: 'eph', controller: true }]);
    expect(bound.spec?.storageClassName).toBe('standard');
    await runningPod('eph');
    const pv = (await getVolume(bound.spec!.volumeName!))!;
    await pods.delete(NS, 'eph', { gracePeriodSeconds: 0 });
    await eventually(async () => !(await getVolume(pv.metadata.name!)), { what: 'ephemeral volume deleted', timeoutMs: 15_000 });
    expect(existsSync(pathOf(pv))).toBe(false);
  });

  it('holds a bound volume against deletion while it is Bound', async () => {
    await volumes.delete('', 'pv10');
    const pv = (await getVolume('pv10'))!;
    expect(pv.metadata.deletionTimestamp).toBeDefined();
    expect(pv.status?.phase).toBe('Bound');
    await claims.delete(NS, 'c1');
    // Released (Retain policy), then the protection finalizer goes and the volume with it.
    await eventually(async () => !(await getVolume('pv10')), { what: 'pv10 gone' });
  });
});
