// Cluster lifecycle figures: the idle RSS of one simulated 3-node cluster and of ten side by side
// (each `k8ts up` its own process), and how long a snapshot of 10,000 objects and 1 GiB of volume
// data takes to save (online) and to restore (into a new data dir), through the real CLI.
import { spawnSync } from 'node:child_process';
import { mkdirSync, openSync, closeSync, writeSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { removeDir, tempDir } from './lib/cleanup.ts';
import { closedLoop } from './lib/load.ts';
import { repoRoot, startK8ts, type K8tsProcess } from './lib/k8ts-process.ts';
import { measured, type Results, type Target } from './lib/result.ts';

export const IDLE_CLUSTER_RSS_TARGET: Target = { op: '<', value: 100 };

/** Idle RSS of one 3-node cluster, and the total of ten side by side. */
export async function benchIdleClusters(opts: { clusters?: number; signal?: AbortSignal } = {}): Promise<Results> {
  const n = opts.clusters ?? 10;
  const root = tempDir('k8ts-bench-idle-');
  const running: K8tsProcess[] = [];
  try {
    for (let i = 0; i < n; i++) {
      running.push(await startK8ts({ dataDir: join(root, `c${i}`), signal: opts.signal, args: ['--workers', '2'], readyTimeoutMs: 60_000 }));
      // Settled before the next starts, so start-up work does not overlap.
      if (i === 0) await sleep(3000, undefined, { signal: opts.signal });
    }
    const one = running[0]!.rssMiB();
    await sleep(5000, undefined, { signal: opts.signal });
    const each = running.map((k) => k.rssMiB());
    const total = each.reduce((a, b) => a + b, 0);
    return {
      idleRssOneCluster: measured(one, 'MiB', IDLE_CLUSTER_RSS_TARGET, { nodes: 3, note: 'bench/lifecycle.ts: `k8ts up --workers 2` (3 simulated nodes, SQLite), 3 s after ready' }),
      idleRssTenClusters: measured(total, 'MiB', undefined, { clusters: n, perClusterMiB: Math.round((total / n) * 10) / 10, maxMiB: Math.round(Math.max(...each) * 10) / 10, note: 'ten `k8ts up` processes side by side, each 3 simulated nodes, summed RSS' }),
    };
  } finally {
    await Promise.all(running.map((k) => k.stop()));
    removeDir(root);
  }
}

function k8tsCli(args: string[], env: NodeJS.ProcessEnv): { ms: number; out: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin/k8ts.mjs'), ...args], { encoding: 'utf8', env, timeout: 600_000 });
  if (r.status !== 0) throw new Error(`k8ts ${args.join(' ')} failed: ${r.stderr}`);
  return { ms: performance.now() - t0, out: r.stdout };
}

/** 1 GiB of volume data that does not compress (a random 1 MiB block, written 1,024 times). */
function writeVolume(dir: string, mib: number): void {
  mkdirSync(dir, { recursive: true });
  const block = randomBytes(1 << 20);
  const fd = openSync(join(dir, 'data.bin'), 'w');
  try {
    for (let i = 0; i < mib; i++) writeSync(fd, block);
  } finally {
    closeSync(fd);
  }
}

export async function benchSnapshot(opts: { objects?: number; volumeMiB?: number; signal?: AbortSignal } = {}): Promise<Results> {
  const objects = opts.objects ?? 10_000;
  const volumeMiB = opts.volumeMiB ?? 1024;
  const root = tempDir('k8ts-bench-snap-');
  const env = { ...process.env, K8TS_HOME: join(root, 'home') };
  const dataDir = join(root, 'data');
  const archive = join(root, 'snap.tar');
  let k: K8tsProcess | undefined;
  try {
    k = await startK8ts({ dataDir, signal: opts.signal, readyTimeoutMs: 60_000 });
    const client = k.raw(32);
    try {
      const load = await closedLoop({
        total: objects,
        concurrency: 32,
        maxMs: 120_000,
        signal: opts.signal,
        op: async (i) => {
          await client.expect(client.build('POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { v: 'x'.repeat(200) } })));
        },
      });
      if (load.done !== objects) throw new Error(`created ${load.done} of ${objects} objects before the time cap`);
    } finally {
      client.close();
    }
    writeVolume(join(dataDir, 'storage', 'pvc-bench_default_data'), volumeMiB);
    const save = k8tsCli(['snapshot', 'save', 'bench', '--data-dir', dataDir, '--out', archive], env);
    await k.stop();
    k = undefined;
    const restore = k8tsCli(['snapshot', 'restore', archive, '--data-dir', join(root, 'restored')], env);
    return {
      snapshotSave: measured(save.ms / 1000, 's', undefined, { objects, volumeMiB, archiveMiB: Math.round(statSync(archive).size / 1048576), note: 'bench/lifecycle.ts: `k8ts snapshot save` of a running cluster (SQLite online backup + volumes, uncompressed tar), CLI wall time' }),
      snapshotRestore: measured(restore.ms / 1000, 's', undefined, { objects, volumeMiB, note: '`k8ts snapshot restore` into a new data dir: unpack, check every file, swap in' }),
    };
  } finally {
    await k?.stop();
    removeDir(root);
  }
}
