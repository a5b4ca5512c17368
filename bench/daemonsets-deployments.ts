// Issue 6's figures, against `k8ts up` over HTTPS with simulated nodes:
// - a DaemonSet on N simulated nodes (5,000 in `npm run bench`): time until every node's pod is
//   Ready (target < 10 s), then a rolling update with maxUnavailable 10% (target < 60 s);
// - a Deployment of 10,000 replicas: time to Available, then a rolling update: total time.
import type { KubeObject } from '../src/api/meta/types.ts';
import { clusterSession, isReady } from './lib/cluster-session.ts';
import { measured, type Results, type Target } from './lib/result.ts';

export const DAEMONSET_READY_TARGET: Target = { op: '<', value: 10 };
export const DAEMONSET_ROLL_TARGET: Target = { op: '<', value: 60 };

const imageOf = (p: KubeObject) => (p.spec as { containers: { image: string }[] }).containers[0]!.image;

const session = (opts: { workers: number; signal?: AbortSignal }) => clusterSession({ name: 'ds', ...opts });

export async function benchDaemonSet(opts: { nodes?: number; signal?: AbortSignal } = {}): Promise<Results> {
  const workers = opts.nodes ?? 5_000;
  const s = await session({ workers, signal: opts.signal });
  try {
    const sets = s.client.resource({ apiVersion: 'apps/v1', resource: 'daemonsets', namespaced: true });
    // Tolerates the control plane too: one pod on every node.
    const ds: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
        template: {
          metadata: { labels: { app: 'agent' } },
          spec: { tolerations: [{ operator: 'Exists' }], containers: [{ name: 'agent', image: 'agent:v1', resources: { requests: { cpu: '1m', memory: '1Mi' } } }] },
        },
      },
    };
    const t0 = performance.now();
    await sets.create('default', ds);
    await s.until(() => s.pods.list('default').filter(isReady).length >= s.nodes, opts.signal);
    const readyS = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    await sets.patch('default', 'agent', 'strategic', { spec: { template: { spec: { containers: [{ name: 'agent', image: 'agent:v2' }] } } } });
    await s.until(() => s.pods.list('default').filter((p) => imageOf(p) === 'agent:v2' && isReady(p)).length >= s.nodes, opts.signal);
    const rollS = (performance.now() - t1) / 1000;
    const note = `bench/daemonsets-deployments.ts: one DaemonSet tolerating every taint on ${s.nodes} simulated nodes (k8ts up, SQLite)`;
    return {
      daemonSetReady: measured(readyS, 's', DAEMONSET_READY_TARGET, { nodes: s.nodes, note }),
      daemonSetRollingUpdate: measured(rollS, 's', DAEMONSET_ROLL_TARGET, { nodes: s.nodes, maxUnavailable: '10%', note }),
    };
  } finally {
    await s.stop();
  }
}

export async function benchDeployment(opts: { replicas?: number; signal?: AbortSignal } = {}): Promise<Results> {
  const replicas = opts.replicas ?? 10_000;
  const s = await session({ workers: Math.ceil(replicas / 100), signal: opts.signal });
  try {
    const deployments = s.client.resource({ apiVersion: 'apps/v1', resource: 'deployments', namespaced: true });
    const available = async (image: string) => {
      await s.until(() => s.pods.list('default').filter((p) => imageOf(p) === image && isReady(p) && !p.metadata.deletionTimestamp).length >= replicas, opts.signal);
      // Available as the controller reports it, not only as pods look.
      for (;;) {
        const d = await deployments.get('default', 'web');
        const st = d.status as { availableReplicas?: number; updatedReplicas?: number; replicas?: number } | undefined;
        if (st?.availableReplicas === replicas && st.updatedReplicas === replicas && st.replicas === replicas) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const t0 = performance.now();
    await deployments.create('default', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '1m', memory: '1Mi' } } }] } },
      },
    });
    await available('nginx:1.27');
    const availableS = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    await deployments.patch('default', 'web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } } });
    await available('nginx:1.28');
    const rollS = (performance.now() - t1) / 1000;
    const note = `bench/daemonsets-deployments.ts: Deployment of ${replicas} on ${s.nodes} simulated nodes (k8ts up, SQLite); rolling update with the default 25% surge and unavailable`;
    return {
      deploymentAvailable: measured(availableS, 's', undefined, { replicas, podsPerSec: Math.round(replicas / availableS), note }),
      deploymentRollingUpdate: measured(rollS, 's', undefined, { replicas, note }),
    };
  } finally {
    await s.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const which = process.argv[2] ?? 'daemonset';
  const n = process.argv[3] ? Number(process.argv[3]) : undefined;
  const r = which === 'deployment' ? await benchDeployment({ replicas: n }) : await benchDaemonSet({ nodes: n });
  console.log(JSON.stringify(r, null, 2));
}
