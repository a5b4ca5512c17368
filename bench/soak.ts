// The lease soak: 5,000 simulated nodes renewing their Leases every 10 s for one hour of cluster
// time (360 rounds, 1.8 million updates), written to the SQLite store as the node agents write
// them, with background compaction on a clock that moves 10 s per round (the defaults: history
// kept 5 minutes, at least 1,000 revisions). k3s users see kine's table grow to gigabytes of lease
// history (k3s#5033, #10396); here compaction plus incremental vacuum keep the file near the live data.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { removeDir, tempDir } from './lib/cleanup.ts';
import { measured, type Results, type Target } from './lib/result.ts';
import { openSqliteBackend } from '../src/store/sqlite/sqlite-backend.ts';

export const SOAK_DB_TARGET: Target = { op: '<', value: 200 };

function lease(node: string, renew: number): string {
  return JSON.stringify({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: node, namespace: 'kube-node-lease', uid: `uid-${node}`, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node, uid: `node-${node}` }], creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { holderIdentity: node, leaseDurationSeconds: 40, renewTime: new Date(renew).toISOString().replace('Z', '000Z') },
  });
}

const mib = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;

export async function benchLeaseSoak(opts: { nodes?: number; rounds?: number; signal?: AbortSignal } = {}): Promise<Results> {
  const nodes = opts.nodes ?? 5000;
  const rounds = opts.rounds ?? 360;
  const dir = tempDir('k8ts-bench-soak-');
  let now = Date.UTC(2026, 0, 1);
  const path = join(dir, 'state.db');
  const store = await openSqliteBackend({ path, compactIntervalMs: 0, clock: { now: () => now } });
  try {
    const names = Array.from({ length: nodes }, (_, i) => `/registry/coordination.k8s.io/leases/kube-node-lease/node-${i}`);
    const revs = await Promise.all(names.map((k, i) => store.create(k, lease(`node-${i}`, now))));
    const at = revs.map((r) => r.modRevision);
    const t0 = performance.now();
    for (let round = 1; round <= rounds; round++) {
      opts.signal?.throwIfAborted();
      now += 10_000;
      const done = await Promise.all(names.map((k, i) => store.update(k, lease(`node-${i}`, now), at[i]!)));
      done.forEach((r, i) => (at[i] = r.modRevision));
      await store.compactNow();
    }
    const seconds = (performance.now() - t0) / 1000;
    await store.close();
    const db = new Database(path, { readonly: true });
    const live = (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
    db.close();
    const onDisk = statSync(path).size + (() => { try { return statSync(`${path}-wal`).size; } catch { return 0; } })();
    return {
      leaseSoakDatabase: measured(mib(Math.max(live, onDisk)), 'MiB', SOAK_DB_TARGET, {
        nodes,
        rounds,
        updates: nodes * rounds,
        clusterHours: (rounds * 10) / 3600,
        databaseMiB: mib(live),
        fileAndWalMiB: mib(onDisk),
        seconds: Math.round(seconds),
        updatesPerSec: Math.round((nodes * rounds) / seconds),
        note: 'bench/soak.ts: SQLite store in process, Lease updates every 10 s of cluster time, compaction each round (5 min of history, 1,000 revisions at least), incremental vacuum',
      }),
    };
  } finally {
    await store.close().catch(() => {});
    removeDir(dir);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchLeaseSoak({ rounds: process.argv[2] ? Number(process.argv[2]) : undefined }), null, 2));
}
