// Creates of small ConfigMaps over HTTPS against a running `k8ts up` (SQLite store, durable
// commits): throughput with a fixed number in flight, then latency at a fixed offered rate.
import { join } from 'node:path';
import { configMap } from './fixtures.ts';
import { removeDir, tempDir } from './lib/cleanup.ts';
import type { RawHttpClient } from './lib/raw-http.ts';
import { closedLoop, openLoop } from './lib/load.ts';
import { withCpu, withK8ts } from './lib/k8ts-process.ts';
import { measured, type Results, type Target } from './lib/result.ts';
import { round2, summarize } from './lib/stats.ts';

export const CREATE_RATE_TARGET: Target = { op: '>=', value: 5000 };
export const CREATE_P99_TARGET: Target = { op: '<', value: 10 };

export interface CreatesOptions {
  /** Timed creates at `concurrency` in flight; default 20,000. */
  total?: number;
  concurrency?: number;
  /** Untimed creates first, so the timed run sees warm connections and a warm JIT. */
  warmup?: number;
  /** Offered rate of the latency run (creates per second) and its length in creates. */
  rate?: number;
  rateTotal?: number;
  /** Time cap of each timed run. */
  maxMs?: number;
  signal?: AbortSignal;
  cpuProfDir?: string;
}

export interface CreatesOutcome {
  results: Results;
  /** The stored form of one created ConfigMap (the create response), for the etcd comparison. */
  sample: string | undefined;
}

export const BENCH_NAMESPACE = 'bench';

/** Creates one ConfigMap and throws unless it was created; resolves with the stored object. */
export async function createConfigMap(client: RawHttpClient, name: string): Promise<string> {
  const res = await client.expect(client.build('POST', `/api/v1/namespaces/${BENCH_NAMESPACE}/configmaps`, JSON.stringify(configMap(name))), [201]);
  return res.body.toString('utf8');
}

export async function benchCreates(opts: CreatesOptions = {}): Promise<CreatesOutcome> {
  const total = opts.total ?? 20_000;
  const concurrency = opts.concurrency ?? 32;
  const rate = opts.rate ?? 1000;
  const rateTotal = opts.rateTotal ?? 5000;
  const maxMs = opts.maxMs ?? 30_000;
  const signal = opts.signal;
  const root = tempDir('k8ts-bench-creates-');
  try {
    return await withK8ts({ dataDir: join(root, 'data'), signal, cpuProfDir: opts.cpuProfDir }, async (k) => {
      // More connections than the closed loop keeps busy, so the open loop can absorb bursts.
      const client = k.raw(concurrency * 2);
      try {
        await client.expect(client.build('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: BENCH_NAMESPACE } })));
        let sample: string | undefined;
        await closedLoop({ total: opts.warmup ?? 1000, concurrency, maxMs, signal, op: async (i) => void (sample ??= await createConfigMap(client, `warm-${i}`)) });

        const load = await withCpu(k, () => closedLoop({ total, concurrency, maxMs, signal, op: (i) => createConfigMap(client, `cm-${i}`).then(() => {}) }));
        const throughput = load.done / load.seconds;
        const lat = summarize(load.latencies);

        const paced = await withCpu(k, () => openLoop({ total: rateTotal, ratePerSec: rate, maxMs, signal, op: (i) => createConfigMap(client, `lat-${i}`).then(() => {}) }));
        const at = summarize(paced.latencies);
        const offered = { offeredPerSec: rate, creates: paced.done, achievedPerSec: Math.round(paced.done / paced.seconds), max: at.max, capped: paced.capped, cpu: paced.cpu };
        return {
          sample,
          results: {
            createThroughput: measured(throughput, 'creates/s', CREATE_RATE_TARGET, { creates: load.done, seconds: round2(load.seconds), concurrency, p50Ms: lat.p50, p99Ms: lat.p99, capped: load.capped, cpu: load.cpu }),
            createLatencyP50: measured(at.p50, 'ms', undefined, offered),
            createLatencyP99: measured(at.p99, 'ms', CREATE_P99_TARGET, offered),
            rssAfterCreates: measured(k.rssMiB(), 'MiB', undefined, { objects: (opts.warmup ?? 1000) + load.done + paced.done }),
          },
        };
      } finally {
        client.close();
      }
    });
  } finally {
    removeDir(root);
  }
}
