// The same create load against a local etcd, for comparison: each create is a transaction that
// puts the stored form of a ConfigMap only if the key does not exist yet (create revision 0),
// which is what an etcd-backed API server does per create. Skipped when no etcd is installed.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Etcd3 } from 'etcd3';
import { removeDir, stopChild, tempDir, trackChild } from './lib/cleanup.ts';
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

/** The etcd binary: $ETCD_BIN, else `etcd` on PATH; undefined when there is none. */
export function findEtcd(): string | undefined {
  const candidates = process.env.ETCD_BIN ? [process.env.ETCD_BIN] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'etcd'));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  return undefined;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export async function benchEtcdCreates(opts: EtcdCreatesOptions): Promise<Results> {
  const bin = findEtcd();
  if (!bin) return { etcdCreateThroughput: skipped('creates/s', undefined, 'etcd not installed') };
  const version = /etcd Version: (\S+)/.exec(execFileSync(bin, ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  const total = opts.total ?? 20_000;
  const concurrency = opts.concurrency ?? 32;
  const maxMs = opts.maxMs ?? 30_000;
  const signal = opts.signal;
  const dir = tempDir('k8ts-bench-etcd-');
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  let log = '';
  const child = spawn(
    bin,
    [
      '--name', 'bench', '--data-dir', join(dir, 'data'),
      '--listen-client-urls', clientUrl, '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `bench=${peerUrl}`, '--initial-cluster-state', 'new',
      '--log-level', 'warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  trackChild(child);
  child.stdout!.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
  child.stderr!.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
  const client = new Etcd3({ hosts: clientUrl });
  try {
    await waitHealthy(clientUrl, child, () => log, signal);
    const put = async (key: string) => {
      const res = await client.if(key, 'Create', '==', 0).then(client.put(key).value(opts.value)).commit();
      if (!res.succeeded) throw new Error(`etcd create of ${key} failed: the key exists`);
    };
    await closedLoop({ total: opts.warmup ?? 1000, concurrency, maxMs, signal, op: (i) => put(`/registry/configmaps/bench/warm-${i}`) });
    const e0 = readCpuSeconds(child.pid!);
    const c0 = process.cpuUsage();
    const load = await closedLoop({ total, concurrency, maxMs, signal, op: (i) => put(`/registry/configmaps/bench/cm-${i}`) });
    const c = process.cpuUsage(c0);
    const cpu = { etcdSeconds: round2(readCpuSeconds(child.pid!) - e0), clientSeconds: round2((c.user + c.system) / 1e6), wallSeconds: round2(load.seconds) };
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
    await stopChild(child, { signal: 'SIGTERM', graceMs: 5000 });
    removeDir(dir);
  }
}

async function waitHealthy(url: string, child: ReturnType<typeof spawn>, log: () => string, signal?: AbortSignal): Promise<void> {
  const deadline = performance.now() + 20_000;
  for (;;) {
    signal?.throwIfAborted();
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`etcd exited before it was healthy\n${log()}`);
    if (performance.now() > deadline) throw new Error(`etcd did not become healthy\n${log()}`);
    const ok = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) })
      .then(async (r) => r.ok && ((await r.json()) as { health?: string }).health === 'true')
      .catch(() => false);
    if (ok) return;
    await sleep(50);
  }
}
