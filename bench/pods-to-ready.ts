// Issue 4's end-to-end figure: pods with no nodeName created over HTTPS against `k8ts up`, until
// every one is scheduled, started by its simulated kubelet and Ready. Counted from the first
// create to the last Ready seen by an informer watching over HTTPS.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../src/api/meta/types.ts';
import { Client } from '../src/client/client.ts';
import { httpsTransport } from '../src/client/https-transport.ts';
import { Informer } from '../src/client/informer.ts';
import { systemClock } from '../src/util/clock.ts';
import { startK8ts } from './lib/k8ts-process.ts';
import { measured, type Results, type Target } from './lib/result.ts';

export const PODS_TO_READY_TARGET: Target = { op: '>=', value: 1000 };

/** Pods and Nodes alike report readiness as a `Ready` condition. */
const isReady = (o: KubeObject) =>
  ((o.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

export async function benchPodsToReady(opts: { pods?: number; workers?: number; signal?: AbortSignal } = {}): Promise<Results> {
  const pods = opts.pods ?? 10_000;
  // 110 pods per node, as kubelets allow by default.
  const workers = opts.workers ?? Math.ceil(pods / 100);
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-bench-ready-'));
  const k = await startK8ts({ dataDir, signal: opts.signal, cpuProfDir: process.env.BENCH_CPU_PROF, args: ['--workers', String(workers)], readyTimeoutMs: 60_000 });
  const transport = httpsTransport({ server: k.url, caPem: k.caPem, token: k.token, maxSockets: 32 });
  try {
    const client = new Client(transport, { userAgent: 'bench/pods-to-ready' });
    const rc = client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true });
    const ready = new Set<string>();
    let allReady!: () => void;
    const done = new Promise<void>((r) => (allReady = r));
    const informer = new Informer(rc, { clock: systemClock, namespace: 'default' });
    const seen = (p: KubeObject) => {
      if (isReady(p)) ready.add(p.metadata.name!);
      if (ready.size >= pods) allReady();
    };
    informer.addHandlers({ add: seen, update: (_o, p) => seen(p) });
    const stop = new AbortController();
    opts.signal?.addEventListener('abort', () => stop.abort(), { once: true });
    const running = informer.run(stop.signal);
    await informer.waitForSync();
    // Wait for the nodes to be Ready before the clock starts.
    const nodes = client.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false });
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      const items = (await nodes.list()).items;
      if (items.length >= workers + 1 && items.every(isReady)) break;
    }
    const t0 = performance.now();
    const cpu0 = k.cpuSeconds();
    let next = 0;
    const worker = async () => {
      while (next < pods && !stop.signal.aborted) {
        const i = next++;
        await rc.create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}`, labels: { app: 'bench' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } });
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    const createdMs = performance.now() - t0;
    await Promise.race([done, new Promise((_, rej) => stop.signal.addEventListener('abort', () => rej(new Error('aborted')), { once: true }))]);
    const totalMs = performance.now() - t0;
    const serverCpuMs = (k.cpuSeconds() - cpu0) * 1000;
    stop.abort();
    await running;
    return {
      podsToReady: measured(Math.round((pods / totalMs) * 1000), 'pods/s', PODS_TO_READY_TARGET, {
        pods,
        nodes: workers + 1,
        createsPerSec: Math.round((pods / createdMs) * 1000),
        totalSeconds: Math.round(totalMs / 100) / 10,
        // Server CPU per pod does not depend on what else the machine runs, unlike the rate.
        serverCpuMsPerPod: Math.round((serverCpuMs / pods) * 100) / 100,
        note: 'bench/pods-to-ready.ts: HTTPS creates (32 in flight) of pods without nodeName against k8ts up (SQLite), until all Ready',
      }),
    };
  } finally {
    transport.close();
    await k.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchPodsToReady({ pods: Number(process.argv[2] ?? 10_000) });
  console.log(JSON.stringify(r, null, 2));
}
