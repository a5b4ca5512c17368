// Simulated nodes at scale: N nodes heartbeating (leases every 10 s, spread) and M pods bound to
// them, created through the API in bulk and held Running and Ready, all in one process on the
// memory store. Reports RSS and CPU at rest (targets for 5,000 nodes / 150,000 pods: < 4 GB RSS,
// < 50% of one core).
// Run: node --import tsx --max-old-space-size=8192 --expose-gc bench/nodes-bench.ts [nodes] [pods]
import { performance } from 'node:perf_hooks';
import { startControlPlane } from '../src/cli/control-plane.ts';
import type { KubeObject } from '../src/api/meta/types.ts';
import { createNodeObject } from '../src/node/node-object.ts';
import { NodePool } from '../src/node/node-pool.ts';
import { measured, type Results, type Target } from './lib/result.ts';

export const NODES_RSS_TARGET: Target = { op: '<', value: 4096 };
export const NODES_CPU_TARGET: Target = { op: '<', value: 50 };

export interface NodesBenchOptions {
  nodes: number;
  pods: number;
  /** How long to measure at rest (default 60 s: six lease rounds). */
  restMs?: number;
  concurrency?: number;
  log?: (msg: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function inParallel(n: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

async function until(what: string, check: () => boolean, log: (m: string) => void, progress: () => string, maxMs = 900_000): Promise<void> {
  const start = performance.now();
  let lastLog = 0;
  while (!check()) {
    if (performance.now() - start > maxMs) throw new Error(`timed out waiting for ${what}: ${progress()}`);
    if (performance.now() - lastLog > 10_000) {
      log(`  waiting for ${what}: ${progress()}`);
      lastLog = performance.now();
    }
    await sleep(1_000);
  }
}

export async function benchNodes(opts: NodesBenchOptions): Promise<Results> {
  const log = opts.log ?? ((m: string) => console.log(m));
  const concurrency = opts.concurrency ?? 64;
  const cp = await startControlPlane({ datastore: 'memory', controllers: false });
  // Events off: 4 per pod would be 600,000 Events at full size, which measures the event store.
  const leaseRenewMs = process.env.NODES_BENCH_LEASE_MS ? Number(process.env.NODES_BENCH_LEASE_MS) : undefined;
  const pool = new NodePool({ client: cp.client, events: false, workers: 32, leaseRenewMs, log: (m) => log(`  pool: ${m}`) });
  await pool.start();
  const nodesApi = cp.client.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false });
  const podsApi = cp.client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true });
  const names = Array.from({ length: opts.nodes }, (_, i) => `sim-${String(i).padStart(5, '0')}`);

  const t0 = performance.now();
  await inParallel(opts.nodes, concurrency, (i) => nodesApi.create('', createNodeObject(names[i]!, { index: i })));
  await until('agents serving', () => pool.stats().serving === opts.nodes, log, () => JSON.stringify(pool.stats()));
  const nodesMs = performance.now() - t0;
  log(`  ${opts.nodes} nodes serving in ${(nodesMs / 1000).toFixed(1)} s`);

  const t1 = performance.now();
  const podOf = (i: number): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p-${i}`, namespace: 'default', labels: { app: 'bench' } },
    spec: { nodeName: names[i % opts.nodes], containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
  });
  // In chunks, letting the pool's watch keep up: a watcher more than 10,000 events behind is
  // dropped by the store and must re-list 150,000 pods.
  const chunk = 2_000;
  for (let from = 0; from < opts.pods; from += chunk) {
    const n = Math.min(chunk, opts.pods - from);
    await inParallel(n, concurrency, (i) => podsApi.create('default', podOf(from + i)));
    const waitFrom = performance.now();
    while (pool.observedPods < from + n - chunk) {
      await sleep(20);
      if (performance.now() - waitFrom > 10_000) log(`  slow watch: ${pool.observedPods} of ${from + n} pods seen`);
    }
    if ((from / chunk) % 10 === 9) log(`  ${from + n} pods created: ${JSON.stringify(pool.stats())}`);
  }
  const createMs = performance.now() - t1;
  log(`  ${opts.pods} pods created in ${(createMs / 1000).toFixed(1)} s`);
  await until('pods ready', () => pool.stats().ready >= opts.pods, log, () => JSON.stringify(pool.stats()));
  // Status writes trail readiness by a queue's length: wait for the queue to drain.
  await sleep(5_000);
  const readyMs = performance.now() - t1;
  log(`  ${opts.pods} pods Running and Ready in ${(readyMs / 1000).toFixed(1)} s`);

  // Steady state: the store keeps 5 minutes of history for watchers; compact it now as the
  // compactor would have by then, so the figures are those of a cluster held steady.
  await cp.backend.compact(await cp.backend.currentRevision());
  (globalThis as { gc?: () => void }).gc?.();
  const restMs = opts.restMs ?? Number(process.env.NODES_BENCH_REST_MS ?? 60_000);
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const w0 = performance.now();
  let peakRss = 0;
  while (performance.now() - w0 < restMs) {
    await sleep(1_000);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - w0;
  const cpuPercent = ((cpu.user + cpu.system) / 1000 / wall) * 100;
  // The main thread's busy share (the rest of the CPU figure is GC and runtime threads).
  const mainThreadPercent = performance.eventLoopUtilization(elu0).utilization * 100;
  const mem = process.memoryUsage();
  const stats = pool.stats();
  await pool.stop();
  await cp.stop();
  const detail = { nodes: opts.nodes, pods: opts.pods, heapUsedMiB: Math.round(mem.heapUsed / 2 ** 20), timers: stats.timers, restSeconds: Math.round(wall / 1000), mainThreadPercent: Math.round(mainThreadPercent * 10) / 10 };
  return {
    nodesServingSeconds: measured(nodesMs / 1000, 's', undefined, { nodes: opts.nodes }),
    nodesPodsReadyPerSecond: measured(opts.pods / (readyMs / 1000), 'pods/s', undefined, { createSeconds: Math.round(createMs / 1000) }),
    nodesRestRss: measured(peakRss / 2 ** 20, 'MiB', NODES_RSS_TARGET, detail),
    nodesRestCpu: measured(cpuPercent, '% of a core', NODES_CPU_TARGET, detail),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const nodes = Number(process.argv[2] ?? 5000);
  const pods = Number(process.argv[3] ?? 150000);
  const results = await benchNodes({ nodes, pods });
  console.log(JSON.stringify(results, null, 2));
  process.exit(0);
}
