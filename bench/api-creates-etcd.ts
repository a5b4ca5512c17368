// The API write benchmark of bench/creates.ts (ConfigMap creates over HTTPS, a fixed number in
// flight) against two `k8ts up` servers in one run, one on SQLite and one on a local etcd, so the
// datastores are compared under the same load on the same machine. Skipped when no etcd is installed.
import { join } from 'node:path';
import { findEtcd, startEtcd, type EtcdServer } from '../src/store/etcd/etcd-server.ts';
import { BENCH_NAMESPACE, createConfigMap } from './creates.ts';
import { removeDir, tempDir } from './lib/cleanup.ts';
import { readCpuSeconds, withCpu, withK8ts } from './lib/k8ts-process.ts';
import { closedLoop } from './lib/load.ts';
import { measured, skipped, type BenchResult, type Results } from './lib/result.ts';
import { round2, summarize } from './lib/stats.ts';

export interface ApiCreatesEtcdOptions {
  total?: number;
  concurrency?: number;
  warmup?: number;
  maxMs?: number;
  signal?: AbortSignal;
}

export async function benchApiCreatesEtcd(opts: ApiCreatesEtcdOptions = {}): Promise<Results> {
  if (!findEtcd()) {
    const why = 'etcd not installed';
    return { apiCreatesOnSqlite: skipped('creates/s', undefined, why), apiCreatesOnEtcd: skipped('creates/s', undefined, why) };
  }
  const etcd = await startEtcd({ name: 'bench-api' });
  const root = tempDir('k8ts-bench-api-etcd-');
  try {
    // SQLite first, then etcd: each server alone on the machine while it is measured.
    const sqlite = await run(join(root, 'sqlite'), [], opts);
    const onEtcd = await run(join(root, 'etcd'), ['--datastore', `etcd://${new URL(etcd.endpoint).host}/bench`], opts, etcd);
    return {
      apiCreatesOnSqlite: sqlite,
      apiCreatesOnEtcd: onEtcd,
      apiEtcdVsSqlite: measured((onEtcd.value as number) / (sqlite.value as number), 'ratio', undefined, { etcdVersion: etcd.version, note: 'creates/s on etcd ÷ creates/s on SQLite, same load' }),
    };
  } finally {
    removeDir(root);
    await etcd.stop();
  }
}

async function run(dataDir: string, args: string[], opts: ApiCreatesEtcdOptions, etcd?: EtcdServer): Promise<BenchResult> {
  const total = opts.total ?? 20_000;
  const concurrency = opts.concurrency ?? 32;
  const maxMs = opts.maxMs ?? 30_000;
  const signal = opts.signal;
  return withK8ts({ dataDir, args, signal }, async (k) => {
    const client = k.raw(concurrency);
    try {
      await client.expect(client.build('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: BENCH_NAMESPACE } })));
      await closedLoop({ total: opts.warmup ?? 1000, concurrency, maxMs, signal, op: (i) => createConfigMap(client, `warm-${i}`).then(() => {}) });
      const e0 = etcd ? readCpuSeconds(etcd.pid()) : 0;
      const load = await withCpu(k, () => closedLoop({ total, concurrency, maxMs, signal, op: (i) => createConfigMap(client, `cm-${i}`).then(() => {}) }));
      const lat = summarize(load.latencies);
      const cpu = etcd ? { ...load.cpu, etcdSeconds: round2(readCpuSeconds(etcd.pid()) - e0) } : load.cpu;
      return measured(load.done / load.seconds, 'creates/s', undefined, {
        datastore: etcd ? 'etcd' : 'sqlite',
        creates: load.done,
        seconds: round2(load.seconds),
        concurrency,
        p50Ms: lat.p50,
        p99Ms: lat.p99,
        capped: load.capped,
        cpu,
      });
    } finally {
      client.close();
    }
  });
}
