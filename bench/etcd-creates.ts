// The same create load against a local etcd, for comparison: each create is a transaction that
// puts the stored form of a ConfigMap only if the key does not exist yet (create revision 0),
// which is what an etcd-backed API server does per create. Skipped when no etcd is installed.
import { Etcd3 } from 'etcd3';
import { findEtcd, startEtcd } from '../src/store/etcd/etcd-server.ts';
import { readCpuSeconds } from './lib/k8ts-process.ts';
import { closedLoop } from './lib/load.ts';
import { measured, skipped, type Results } from './lib/result.ts';
import { round2, summarize } from './lib/stats.ts';

export interface EtcdCreatesOptions {
  /** The value put per create (same bytes every time). */
  value: string;
  total?: number;
  concurrency?: number;
  warmup?: number;
  maxMs?: number;
  signal?: AbortSignal;
}

export async function benchEtcdCreates(opts: EtcdCreatesOptions): Promise<Results> {
  if (!findEtcd()) return { etcdCreateThroughput: skipped('creates/s', undefined, 'etcd not installed') };
  const total = opts.total ?? 20_000;
  const concurrency = opts.concurrency ?? 32;
  const maxMs = opts.maxMs ?? 30_000;
  const signal = opts.signal;
  const etcd = await startEtcd({ name: 'bench' });
  const version = etcd.version;
  const client = new Etcd3({ hosts: etcd.endpoint });
  try {
    const put = async (key: string) => {
      const res = await client.if(key, 'Create', '==', 0).then(client.put(key).value(opts.value)).commit();
      if (!res.succeeded) throw new Error(`etcd create of ${key} failed: the key exists`);
    };
    await closedLoop({ total: opts.warmup ?? 1000, concurrency, maxMs, signal, op: (i) => put(`/registry/configmaps/bench/warm-${i}`) });
    const e0 = readCpuSeconds(etcd.pid());
    const c0 = process.cpuUsage();
    const load = await closedLoop({ total, concurrency, maxMs, signal, op: (i) => put(`/registry/configmaps/bench/cm-${i}`) });
    const c = process.cpuUsage(c0);
    const cpu = { etcdSeconds: round2(readCpuSeconds(etcd.pid()) - e0), clientSeconds: round2((c.user + c.system) / 1e6), wallSeconds: round2(load.seconds) };
    const lat = summarize(load.latencies);
    return {
      etcdCreateThroughput: measured(load.done / load.seconds, 'creates/s', undefined, {
        etcdVersion: version,
        creates: load.done,
        seconds: round2(load.seconds),
        concurrency,
        valueBytes: Buffer.byteLength(opts.value),
        p50Ms: lat.p50,
        p99Ms: lat.p99,
        capped: load.capped,
        cpu,
        transport: 'gRPC over plain HTTP/2 on loopback (etcd3 npm client), txn create-revision == 0 guard',
      }),
    };
  } finally {
    client.close();
    await etcd.stop();
  }
}
