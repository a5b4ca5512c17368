// @kubernetes/client-node against k8ts: typed create, list, watch and server-side apply over
// HTTPS with the kubeconfig `k8ts up` wrote.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startK8ts, waitFor, type K8ts } from './harness.ts';

let k: K8ts;
let kc: k8s.KubeConfig;
beforeAll(async () => {
  k = await startK8ts();
  kc = new k8s.KubeConfig();
  kc.loadFromFile(k.kubeconfig);
});
afterAll(async () => {
  await k?.stop();
});

describe('client-node', () => {
  it('creates and lists', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'from-node' }, data: { a: 'b' } } });
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    expect(list.items.map((i) => i.metadata?.name)).toContain('from-node');
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const sts = await apps.createNamespacedStatefulSet({
      namespace: 'default',
      body: {
        metadata: { name: 'web' },
        spec: { serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
      },
    });
    expect(sts.spec?.updateStrategy?.type).toBe('RollingUpdate');
  });

  it('watches', async () => {
    const seen: string[] = [];
    const watch = new k8s.Watch(kc);
    const ctl = await watch.watch('/api/v1/namespaces/default/configmaps', {}, (phase, obj) => seen.push(`${phase} ${obj.metadata.name}`), () => {});
    try {
      const core = kc.makeApiClient(k8s.CoreV1Api);
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'watched' } } });
      await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'watched' });
      await waitFor(() => seen.includes('DELETED watched'), { timeoutMs: 10_000 });
      expect(seen).toContain('ADDED watched');
    } finally {
      ctl.abort();
    }
  });

  it('applies server-side', async () => {
    const client = k8s.KubernetesObjectApi.makeApiClient(kc);
    const applied = await client.patch(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa', namespace: 'default' }, data: { k: 'v' } } as k8s.KubernetesObject,
      undefined,
      undefined,
      'node-test',
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    expect((applied as k8s.V1ConfigMap).data).toEqual({ k: 'v' });
    expect(applied.metadata?.managedFields?.[0]?.manager).toBe('node-test');
  });
});
