// Scheduler throughput (kube-scheduler's scheduler_perf SchedulingBasic: 4-cpu/32Gi/110-pod
// nodes, pods requesting 100m cpu and 500Mi, measured after a warm-up).
//   benchScheduler: the scheduling core alone (framework + cache, no API): filter, score, assume.
//   benchSchedulerEndToEnd: through the in-process API: pods created over the client, watched
//     by the Scheduler's informers, bound through pods/binding, Scheduled events recorded.
// Run: node --import tsx bench/scheduler-bench.ts [nodes] [pods] [e2eNodes] [e2ePods]
import { setMaxListeners } from 'node:events';
import { startControlPlane } from '../src/cli/control-plane.ts';
import type { Client } from '../src/client/client.ts';
import { SchedulerCache } from '../src/scheduler/cache.ts';
import { Framework } from '../src/scheduler/framework.ts';
import { podInfo } from '../src/scheduler/pod-info.ts';
import { Scheduler } from '../src/scheduler/scheduler.ts';
import { makeNode, makePod } from '../src/scheduler/testing.ts';
import { systemClock } from '../src/util/clock.ts';

export interface SchedulerBenchOptions {
  nodes: number;
  pods: number;
  /** Untimed pods scheduled first (JIT warm-up); default min(1000, pods). */
  warmup?: number;
  /** End to end only: record a Scheduled event per pod, as the scheduler does (default true). */
  events?: boolean;
}

const benchNode = (i: number) => makeNode(`node-${i}`, { cpu: '4', memory: '32Gi', pods: '110', labels: { 'topology.kubernetes.io/zone': `zone-${i % 3}` } });
const benchPod = (i: number) => makePod(`pod-${i}`, { cpu: '100m', memory: '500Mi', uid: `pod-uid-${i}` });

/** Pods per second the pure scheduling core places on `nodes` nodes. */
export function benchScheduler(opts: SchedulerBenchOptions): { podsPerSec: number; scheduled: number; ms: number } {
  const cache = new SchedulerCache();
  for (let i = 0; i < opts.nodes; i++) cache.upsertNode(benchNode(i));
  const fw = new Framework();
  const warmup = opts.warmup ?? Math.min(1000, opts.pods);
  let scheduled = 0;
  const one = (i: number) => {
    const pi = podInfo(benchPod(i));
    const out = fw.scheduleSync(pi, cache);
    if ('node' in out) {
      cache.assume(pi, out.node.name);
      scheduled++;
    }
  };
  for (let i = 0; i < warmup; i++) one(-1 - i);
  scheduled = 0;
  const t0 = performance.now();
  for (let i = 0; i < opts.pods; i++) one(i);
  const ms = performance.now() - t0;
  return { podsPerSec: Math.round((scheduled * 1000) / ms), scheduled, ms: Math.round(ms) };
}

async function inParallel(n: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await fn(next++);
  }));
}

async function createPods(client: Client, from: number, n: number): Promise<void> {
  const pods = client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true });
  await inParallel(n, 64, async (i) => {
    const p = benchPod(from + i);
    delete (p.metadata as { uid?: string }).uid;
    delete p.status;
    await pods.create('default', p);
  });
}

/**
 * Pods per second from the first create to the last binding seen by the scheduler's cache,
 * through the in-process API on the memory store (creates and bindings interleave, as on a
 * cluster). Node creation is not timed.
 */
export async function benchSchedulerEndToEnd(opts: SchedulerBenchOptions): Promise<{ podsPerSec: number; ms: number }> {
  const cp = await startControlPlane({ datastore: 'memory', controllers: false });
  const nodes = cp.client.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false });
  await inParallel(opts.nodes, 32, async (i) => {
    const n = benchNode(i);
    const created = await nodes.create('', n);
    await nodes.updateStatus('', { ...created, status: n.status });
  });
  const scheduler = new Scheduler({ client: cp.client, clock: systemClock, ...(opts.events === false ? { recorder: { event: () => {} } } : {}) });
  const ac = new AbortController();
  setMaxListeners(0, ac.signal);
  const running = scheduler.run(ac.signal);
  await scheduler.waitForSync();
  const bound = (want: number) =>
    new Promise<void>((resolve) => {
      const check = () => (scheduler.cache.podCount >= want && !hasAssumed(scheduler) ? resolve() : setTimeout(check, 5));
      check();
    });
  const warmup = opts.warmup ?? Math.min(1000, opts.pods);
  await createPods(cp.client, 1_000_000, warmup);
  await bound(warmup);
  const t0 = performance.now();
  await createPods(cp.client, 0, opts.pods);
  await bound(warmup + opts.pods);
  const ms = performance.now() - t0;
  ac.abort();
  await running;
  await cp.stop();
  return { podsPerSec: Math.round((opts.pods * 1000) / ms), ms: Math.round(ms) };
}

function hasAssumed(s: Scheduler): boolean {
  for (const [pi] of s.cache.assignedPods()) if (s.cache.isAssumed(pi.uid)) return true;
  return false;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [nodes = 5000, pods = 10_000, e2eNodes = 5000, e2ePods = 10_000] = process.argv.slice(2).map(Number);
  const core = benchScheduler({ nodes, pods });
  console.log(`core: ${pods} pods on ${nodes} nodes: ${core.podsPerSec} pods/s (${core.ms} ms)`);
  if (e2ePods > 0) {
    for (const events of [true, false]) {
      const e2e = await benchSchedulerEndToEnd({ nodes: e2eNodes, pods: e2ePods, events });
      console.log(`end to end${events ? '' : ' without Scheduled events'}: ${e2ePods} pods on ${e2eNodes} nodes: ${e2e.podsPerSec} pods/s (${e2e.ms} ms)`);
    }
  }
}
