// Issue 5's figures, against `k8ts up` over HTTPS with simulated nodes:
// - a Parallel StatefulSet with one volumeClaimTemplate: time until every pod is Ready and every
//   claim Bound (target < 30 s for 10,000 replicas);
// - an OrderedReady set of 100: the controller's step overhead, from pod N turning Ready to pod
//   N+1 appearing, both as a watcher sees them (target p99 < 20 ms);
// - a rolling update of 1,000 replicas with maxUnavailable 10%: total time.
import type { KubeObject } from '../src/api/meta/types.ts';
import type { ResourceClient } from '../src/client/client.ts';
import { clusterSession, isReady, type ClusterSession } from './lib/cluster-session.ts';
import { measured, type Results, type Target } from './lib/result.ts';
import { quantile } from './lib/stats.ts';

export const PARALLEL_TARGET: Target = { op: '<', value: 30 };
export const STEP_TARGET: Target = { op: '<', value: 20 };


function statefulSet(name: string, replicas: number, spec: Record<string, unknown> = {}, claims = true): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name },
    spec: {
      serviceName: name,
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '1m', memory: '1Mi' } }, ...(claims ? { volumeMounts: [{ name: 'data', mountPath: '/data' }] } : {}) }] },
      },
      ...(claims ? { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] } : {}),
      ...spec,
    },
  };
}

interface Session extends ClusterSession {
  sets: ResourceClient;
}

async function session(opts: { workers: number; signal?: AbortSignal }): Promise<Session> {
  const c = await clusterSession({ name: 'sts', ...opts });
  return { ...c, sets: c.client.resource({ apiVersion: 'apps/v1', resource: 'statefulsets', namespaced: true }) };
}


export async function benchParallelSet(opts: { replicas?: number; signal?: AbortSignal } = {}): Promise<Results> {
  const replicas = opts.replicas ?? 10_000;
  const s = await session({ workers: Math.ceil(replicas / 100), signal: opts.signal });
  try {
    const claims = s.client.resource({ apiVersion: 'v1', resource: 'persistentvolumeclaims', namespaced: true });
    const cpu0 = s.k.cpuSeconds();
    const t0 = performance.now();
    await s.sets.create('default', statefulSet('par', replicas, { podManagementPolicy: 'Parallel' }));
    await s.until(() => s.pods.list('default').filter(isReady).length >= replicas, opts.signal);
    const podsMs = performance.now() - t0;
    // Claims bind before their pods start, so this is normally true already.
    let bound = 0;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
      bound = (await claims.list('default')).items.filter((c) => (c.status as { phase?: string } | undefined)?.phase === 'Bound').length;
      if (bound >= replicas) break;
    }
    const totalMs = performance.now() - t0;
    return {
      statefulSetParallel: measured(totalMs / 1000, 's', PARALLEL_TARGET, {
        replicas,
        claimsBound: bound,
        podsReadySeconds: Math.round(podsMs / 100) / 10,
        podsPerSec: Math.round((replicas / totalMs) * 1000),
        serverCpuMsPerPod: Math.round((((s.k.cpuSeconds() - cpu0) * 1000) / replicas) * 100) / 100,
        note: 'bench/statefulsets.ts: one Parallel StatefulSet with a volumeClaimTemplate (default class, local-path), until all pods Ready and claims Bound',
      }),
    };
  } finally {
    await s.stop();
  }
}

export async function benchOrderedSteps(opts: { replicas?: number; signal?: AbortSignal } = {}): Promise<Results> {
  const replicas = opts.replicas ?? 100;
  const s = await session({ workers: 2, signal: opts.signal });
  try {
    // When each pod turned Ready and when each appeared, as this watcher saw them.
    const readyAt = new Map<string, number>();
    const addedAt = new Map<string, number>();
    s.pods.addHandlers({
      add: (p) => {
        addedAt.set(p.metadata.name!, performance.now());
        if (isReady(p)) readyAt.set(p.metadata.name!, performance.now());
      },
      update: (_o, p) => {
        if (isReady(p) && !readyAt.has(p.metadata.name!)) readyAt.set(p.metadata.name!, performance.now());
      },
    });
    await s.sets.create('default', statefulSet('ord', replicas));
    await s.until(() => readyAt.size >= replicas, opts.signal);
    const steps: number[] = [];
    for (let i = 1; i < replicas; i++) steps.push(addedAt.get(`ord-${i}`)! - readyAt.get(`ord-${i - 1}`)!);
    steps.sort((a, b) => a - b);
    return {
      statefulSetOrderedStepP99: measured(quantile(steps, 0.99), 'ms', STEP_TARGET, {
        replicas,
        p50Ms: Math.round(quantile(steps, 0.5) * 100) / 100,
        maxMs: Math.round(steps[steps.length - 1]! * 100) / 100,
        note: 'bench/statefulsets.ts: OrderedReady set with a volumeClaimTemplate; from pod N Ready to pod N+1 created, both seen by an HTTPS watch',
      }),
    };
  } finally {
    await s.stop();
  }
}

export async function benchRollingUpdate(opts: { replicas?: number; signal?: AbortSignal } = {}): Promise<Results> {
  const replicas = opts.replicas ?? 1_000;
  const s = await session({ workers: Math.ceil(replicas / 100), signal: opts.signal });
  try {
    await s.sets.create('default', statefulSet('roll', replicas, { podManagementPolicy: 'Parallel', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } } }, false));
    await s.until(() => s.pods.list('default').filter(isReady).length >= replicas, opts.signal);
    const t0 = performance.now();
    await s.sets.patch('default', 'roll', 'strategic', { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.28' }] } } } });
    const updated = (p: KubeObject) => (p.spec as { containers: { image: string }[] }).containers[0]!.image === 'nginx:1.28' && isReady(p);
    await s.until(() => s.pods.list('default').filter(updated).length >= replicas, opts.signal);
    const totalMs = performance.now() - t0;
    return {
      statefulSetRollingUpdate: measured(totalMs / 1000, 's', undefined, {
        replicas,
        maxUnavailable: '10%',
        note: 'bench/statefulsets.ts: image change on a Ready set, until every pod runs the new image and is Ready',
      }),
    };
  } finally {
    await s.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const which = process.argv[2] ?? 'parallel';
  const n = process.argv[3] ? Number(process.argv[3]) : undefined;
  const r = which === 'ordered' ? await benchOrderedSteps({ replicas: n }) : which === 'rolling' ? await benchRollingUpdate({ replicas: n }) : await benchParallelSet({ replicas: n });
  console.log(JSON.stringify(r, null, 2));
}
