// Store micro-benchmark: durable creates of ~300-byte JSON values with a fixed number in flight,
// then the time to list 10,000 keys at the current revision.
// Run: node --import tsx bench/store-bench.ts [sqlite|memory] [n] [concurrency]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openBackend, type Backend, type BackendKind } from '../src/store/index.ts';

export interface StoreBenchOptions {
  backend: BackendKind;
  /** Creates to time. Default 10,000. */
  n?: number;
  /** Creates in flight. Default 32. */
  concurrency?: number;
  /** Keys the timed list returns (topped up with untimed creates). Default 10,000. */
  listKeys?: number;
}

export interface StoreBenchResult {
  writesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Median of three lists of `listKeys` keys. */
  listMs: number;
  /** SQLite only: write transactions used for the timed creates. */
  transactions?: number;
}

const PREFIX = '/registry/pods/bench/';

function podJson(i: number): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace: 'bench', uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, labels: { app: 'web', tier: 'frontend' } },
    spec: { nodeName: 'node-1', containers: [{ name: 'web', image: 'registry.k8s.io/nginx:1.25', ports: [{ containerPort: 80 }] }] },
    status: { phase: 'Running', podIP: '10.0.0.1' },
  });
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

async function createAll(b: Backend, from: number, to: number, concurrency: number, latencies?: number[]): Promise<void> {
  let next = from;
  const worker = async () => {
    while (next < to) {
      const i = next++;
      const t = performance.now();
      await b.create(`${PREFIX}pod-${String(i).padStart(6, '0')}`, podJson(i));
      latencies?.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export async function benchStore(opts: StoreBenchOptions): Promise<StoreBenchResult> {
  const n = opts.n ?? 10_000;
  const concurrency = opts.concurrency ?? 32;
  const listKeys = opts.listKeys ?? 10_000;
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-store-bench-'));
  const b = await openBackend(opts.backend, { path: join(dir, 'bench.db'), compactIntervalMs: 0 });
  try {
    const stats = () => ('commitStats' in b ? (b.commitStats as { transactions: number }).transactions : 0);
    const tx0 = stats();
    const latencies: number[] = [];
    const t0 = performance.now();
    await createAll(b, 0, n, concurrency, latencies);
    const seconds = (performance.now() - t0) / 1000;
    const transactions = stats() - tx0;
    if (n < listKeys) await createAll(b, n, listKeys, 256);
    const lists: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      const r = await b.list(PREFIX, { limit: listKeys });
      lists.push(performance.now() - t);
      if (r.items.length !== listKeys) throw new Error(`Bench failed: listed ${r.items.length} keys, expected ${listKeys}`);
    }
    latencies.sort((x, y) => x - y);
    lists.sort((x, y) => x - y);
    return {
      writesPerSec: Math.round(n / seconds),
      p50Ms: round(quantile(latencies, 0.5)),
      p99Ms: round(quantile(latencies, 0.99)),
      listMs: round(lists[1]!),
      ...(opts.backend === 'sqlite' && { transactions }),
    };
  } finally {
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [kind = 'sqlite', n = '10000', concurrency = '32'] = process.argv.slice(2);
  if (kind !== 'sqlite' && kind !== 'memory') throw new Error(`Bench failed: unknown backend ${kind}`);
  const result = await benchStore({ backend: kind, n: Number(n), concurrency: Number(concurrency) });
  console.log(JSON.stringify({ backend: kind, n: Number(n), concurrency: Number(concurrency), ...result }));
}
