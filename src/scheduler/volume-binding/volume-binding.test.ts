// The VolumeBinding hooks against a real registry with no controllers running: PreBind writes
// the selected node or the claimRef, then waits until the claims are bound (played by hand
// here), fails when a binding is undone, and times out on fake time.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import type { PersistentVolume, PersistentVolumeClaim } from '../../api/storage/volume.ts';
import { startControlPlane, type ControlPlane } from '../../cli/control-plane.ts';
import type { ResourceClient } from '../../client/client.ts';
import { FakeClock } from '../../util/clock.ts';
import { eventually } from '../../../test/integration/helpers.ts';
import type { Node, Pod } from '../types.ts';
import { VolumeBinding } from './volume-binding.ts';

let cp: ControlPlane;
let clock: FakeClock;
let vb: VolumeBinding;
let abort: AbortController;
let running: Promise<void>;
let claims: ResourceClient;
let volumes: ResourceClient;

const node = (name: string): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } } });
const pod = (claim: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'pod-uid' }, spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim } }] } });

beforeEach(async () => {
  clock = new FakeClock();
  cp = await startControlPlane({ datastore: 'memory', controllers: false, clock });
  claims = cp.client.resource({ apiVersion: 'v1', resource: 'persistentvolumeclaims', namespaced: true });
  volumes = cp.client.resource({ apiVersion: 'v1', resource: 'persistentvolumes', namespaced: false });
  vb = new VolumeBinding({ client: cp.client, clock, bindTimeoutMs: 5_000 });
  abort = new AbortController();
  running = vb.run(abort.signal);
  await vb.waitForSync();
});

afterEach(async () => {
  abort.abort();
  await running;
  await cp.stop();
});

async function claim(name: string, cls = 'standard'): Promise<PersistentVolumeClaim> {
  const c = (await claims.create('default', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: cls } })) as PersistentVolumeClaim;
  await eventually(() => vb.claims.get('default', name));
  return c;
}

/** What the PV controller does at the end of a binding. */
async function bindByHand(name: string, volumeName: string): Promise<void> {
  const c = (await claims.get('default', name)) as PersistentVolumeClaim;
  const next = { ...c, metadata: { ...c.metadata, annotations: { ...c.metadata.annotations, 'pv.kubernetes.io/bind-completed': 'yes' } }, spec: { ...c.spec, volumeName } };
  const written = await claims.update('default', next as KubeObject);
  await claims.updateStatus('default', { ...written, status: { phase: 'Bound' } });
}

describe('VolumeBinding hooks', () => {
  it('asks for provisioning on the chosen node and waits until the claim is bound', async () => {
    await claim('data');
    const p = pod('data');
    expect(await vb.volumePreFilter(p)).toBeUndefined();
    expect(await vb.volumeFilter(p, node('node-a'))).toBeUndefined();
    let done = false;
    const bound = vb.volumePreBind(p, 'node-a').then(() => (done = true));
    const annotated = await eventually(async () => ((await claims.get('default', 'data')).metadata.annotations?.['volume.kubernetes.io/selected-node'] ? true : undefined));
    expect(annotated).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    await bindByHand('data', 'pvc-x');
    await bound;
    expect(done).toBe(true);
  });

  it('pre-binds a matching static volume on the node', async () => {
    const sc = cp.client.resource({ apiVersion: 'storage.k8s.io/v1', resource: 'storageclasses', namespaced: false });
    await sc.create('', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'disks' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' });
    await eventually(() => vb.classes.get('', 'disks'));
    await volumes.create('', {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'disk-a' },
      spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'disks', local: { path: '/mnt/a' }, nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-a'] }] }] } } },
    });
    const pv = (await volumes.get('', 'disk-a')) as PersistentVolume;
    await volumes.updateStatus('', { ...pv, status: { phase: 'Available' } });
    await eventually(() => (vb.volumes.get('', 'disk-a') as PersistentVolume | undefined)?.status?.phase === 'Available');
    const c = await claim('local', 'disks');
    const p = pod('local');
    expect(await vb.volumeFilter(p, node('node-b'))).toEqual(["node(s) didn't find available persistent volumes to bind"]);
    expect(await vb.volumeFilter(p, node('node-a'))).toBeUndefined();
    const bound = vb.volumePreBind(p, 'node-a');
    const written = await eventually(async () => {
      const v = (await volumes.get('', 'disk-a')) as PersistentVolume;
      return v.spec?.claimRef ? v : undefined;
    });
    expect(written.spec?.claimRef).toMatchObject({ name: 'local', namespace: 'default', uid: c.metadata.uid });
    expect(written.metadata.annotations?.['pv.kubernetes.io/bound-by-controller']).toBe('yes');
    // A second pod's claim can no longer pick disk-a, even before any controller acts.
    await claim('other', 'disks');
    expect(await vb.volumeFilter({ ...pod('other'), metadata: { name: 'q', namespace: 'default', uid: 'q' } }, node('node-a'))).toEqual(["node(s) didn't find available persistent volumes to bind"]);
    await bindByHand('local', 'disk-a');
    await bound;
  });

  it('fails when provisioning gives the claim back, and when the wait times out', async () => {
    await claim('flaky');
    const p = pod('flaky');
    await vb.volumeFilter(p, node('node-a'));
    const failed = vb.volumePreBind(p, 'node-a').catch((e: Error) => e.message);
    await eventually(async () => (await claims.get('default', 'flaky')).metadata.annotations?.['volume.kubernetes.io/selected-node']);
    const c = await claims.get('default', 'flaky');
    const { ['volume.kubernetes.io/selected-node']: _, ...rest } = c.metadata.annotations ?? {};
    await claims.update('default', { ...c, metadata: { ...c.metadata, annotations: rest } });
    expect(await failed).toBe('binding volumes: selectedNode annotation reset for PVC "flaky"');

    await claim('slow');
    const q = pod('slow');
    await vb.volumeFilter(q, node('node-a'));
    const timedOut = vb.volumePreBind(q, 'node-a').catch((e: Error) => e.message);
    await eventually(async () => (await claims.get('default', 'slow')).metadata.annotations?.['volume.kubernetes.io/selected-node']);
    clock.advance(5_000);
    expect(await timedOut).toBe('binding volumes: context deadline exceeded');
  });

  it('rejects pods whose claims are missing or unbound Immediate ones', async () => {
    expect(await vb.volumePreFilter(pod('nope'))).toBe('persistentvolumeclaim "nope" not found');
    await claim('instant', '');
    expect(await vb.volumePreFilter(pod('instant'))).toBe('pod has unbound immediate PersistentVolumeClaims');
  });
});
