// Two control planes on one etcd, as two `k8ts up --datastore etcd://…` processes: one leader per
// controller group, the other server serving the same objects; leadership moves when the leader
// stops, and a watch resumes on the other server from the last resourceVersion seen.
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/meta/types.ts';
import { startControlPlane, type ControlPlane } from '../../src/cli/control-plane.ts';
import { openEtcdBackend } from '../../src/store/etcd/etcd-backend.ts';
import { etcdMissing, uniquePrefix, useEtcdServer } from '../../src/store/etcd/etcd-test-server.ts';
import { eventually, sts } from './helpers.ts';

const etcd = useEtcdServer();
const timings = { leaseDurationMs: 2_000, renewDeadlineMs: 1_500, retryPeriodMs: 200 };

describe.skipIf(etcdMissing)('several API servers on one etcd', () => {
  const planes: ControlPlane[] = [];
  afterEach(async () => {
    await Promise.all(planes.splice(0).map((p) => p.stop()));
  });

  async function server(prefix: string, identity: string): Promise<ControlPlane> {
    const backend = await openEtcdBackend({ endpoints: [etcd().endpoint], prefix });
    const cp = await startControlPlane({ datastore: 'memory', backend, leaderElection: { identity, timings }, defaultNodes: { workers: 1, scheduleOnControlPlane: false } });
    planes.push(cp);
    return cp;
  }

  const readyReplicas = async (cp: ControlPlane, name: string) => ((await cp.client.resource({ apiVersion: 'apps/v1', resource: 'statefulsets', namespaced: true }).get('default', name)).status as { readyReplicas?: number }).readyReplicas ?? 0;

  it('elects one leader per group, serves the same objects on both, and fails over', async () => {
    const prefix = uniquePrefix();
    const a = await server(prefix, 'server-a');
    await eventually(() => a.leading().length === 2, { what: 'server-a to lead both groups' });
    const b = await server(prefix, 'server-b');
    expect(b.leading()).toEqual([]);
    const leases = (cp: ControlPlane) => cp.client.resource({ apiVersion: 'coordination.k8s.io/v1', resource: 'leases', namespaced: true });
    const holders = (await leases(b).list('kube-system')).items.map((l) => [l.metadata.name, (l.spec as { holderIdentity?: string }).holderIdentity]);
    expect(Object.fromEntries(holders)).toEqual({ 'kube-controller-manager': 'server-a', 'kube-scheduler': 'server-a' });

    // Written through b, acted on by a's controllers, read back on either.
    await b.client.resource({ apiVersion: 'apps/v1', resource: 'statefulsets', namespaced: true }).create('default', sts('web') as KubeObject);
    await eventually(async () => (await readyReplicas(b, 'web')) === 2, { what: 'web Ready through the leader', timeoutMs: 20_000 });
    const pods = (await a.client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true }).list('default')).items.map((p) => p.metadata.name).sort();
    expect(pods).toEqual(['web-0', 'web-1']);

    // A watch on a, resumed on b from the last resourceVersion it saw, misses nothing.
    const cms = (cp: ControlPlane) => cp.client.resource({ apiVersion: 'v1', resource: 'configmaps', namespaced: true });
    const first = await cms(a).create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one' } });
    const lastSeen = first.metadata.resourceVersion!;

    // The leader stops; b takes both groups and its controllers carry on.
    const stopped = planes.indexOf(a);
    await planes.splice(stopped, 1)[0]!.stop();
    await cms(b).create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'two' } });
    const seen: string[] = [];
    const abort = new AbortController();
    for await (const ev of b.client.resource({ apiVersion: 'v1', resource: 'configmaps', namespaced: true }).watch('default', { resourceVersion: lastSeen, signal: abort.signal })) {
      seen.push(`${ev.type} ${(ev.object as KubeObject).metadata.name}`);
      if (seen.length === 1) abort.abort();
    }
    expect(seen).toEqual(['ADDED two']);

    await eventually(() => b.leading().length === 2, { what: 'server-b to take over', timeoutMs: 10_000 });
    await b.client.resource({ apiVersion: 'apps/v1', resource: 'statefulsets', namespaced: true }).create('default', sts('db') as KubeObject);
    await eventually(async () => (await readyReplicas(b, 'db')) === 2, { what: 'db Ready through the new leader', timeoutMs: 20_000 });
  }, 60_000);
});
