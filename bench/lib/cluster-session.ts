// A `k8ts up` with simulated workers for the workload benchmarks: an HTTPS client, an informer
// on the default namespace's pods, and waits on informer state.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/api/meta/types.ts';
import { Client } from '../../src/client/client.ts';
import { httpsTransport } from '../../src/client/https-transport.ts';
import { Informer } from '../../src/client/informer.ts';
import { systemClock } from '../../src/util/clock.ts';
import { startK8ts, type K8tsProcess } from './k8ts-process.ts';

export const isReady = (o: KubeObject) =>
  ((o.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

export type Waiter = (pred: () => boolean, signal?: AbortSignal) => Promise<void>;

/**
 * Waits on an informer's state: each wait resolves once pred holds, checked after every event.
 * One handler per informer serves every wait (informers cannot drop handlers, and a handler per
 * wait would make each event run every earlier predicate too). Checks run after the event's other
 * handlers, so a predicate may read what those handlers record.
 */
export function waiterOn(inf: Informer): Waiter {
  const waiting = new Set<() => void>();
  let queued = false;
  const check = () => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      for (const w of [...waiting]) w();
    });
  };
  inf.addHandlers({ add: check, update: check, delete: check });
  return (pred, signal) =>
    new Promise<void>((resolve, reject) => {
      if (pred()) return resolve();
      const w = () => {
        if (!pred()) return;
        waiting.delete(w);
        resolve();
      };
      waiting.add(w);
      signal?.addEventListener(
        'abort',
        () => {
          waiting.delete(w);
          reject(new Error('aborted'));
        },
        { once: true },
      );
    });
}

export interface ClusterSession {
  k: K8tsProcess;
  client: Client;
  /** Pods of the default namespace. */
  pods: Informer;
  /** Resolves when pred holds for the pods cache. */
  until: Waiter;
  /** Nodes Ready when the session started (workers + the control plane). */
  nodes: number;
  stop(): Promise<void>;
}

/** Starts k8ts with `workers` simulated workers and waits (up to 5 min) for every node to be Ready. */
export async function clusterSession(opts: { name: string; workers: number; signal?: AbortSignal }): Promise<ClusterSession> {
  const dataDir = mkdtempSync(join(tmpdir(), `k8ts-bench-${opts.name}-`));
  const k = await startK8ts({ dataDir, signal: opts.signal, cpuProfDir: process.env.BENCH_CPU_PROF, args: ['--workers', String(opts.workers)], readyTimeoutMs: 120_000 });
  const transport = httpsTransport({ server: k.url, caPem: k.caPem, token: k.token, maxSockets: 16 });
  const client = new Client(transport, { userAgent: `bench/${opts.name}` });
  const pods = new Informer(client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true }), { clock: systemClock, namespace: 'default' });
  const stopInformers = new AbortController();
  const running = pods.run(stopInformers.signal);
  await pods.waitForSync();
  const nodesApi = client.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false });
  let nodes = 0;
  for (const deadline = Date.now() + 300_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    const items = (await nodesApi.list()).items;
    nodes = items.filter(isReady).length;
    if (items.length >= opts.workers + 1 && nodes === items.length) break;
  }
  return {
    k,
    client,
    pods,
    until: waiterOn(pods),
    nodes,
    async stop() {
      stopInformers.abort();
      await running;
      transport.close();
      await k.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
