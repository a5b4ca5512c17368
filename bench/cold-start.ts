// Cold start of `k8ts up` on a fresh data dir (PKI generation, schema, SQLite creation,
// bootstrap namespaces) and restart on an existing one, each timed from spawn to the first
// /readyz 200; then the server's idle resident memory.
import { setTimeout as sleep } from 'node:timers/promises';
import { removeDir, tempDir } from './lib/cleanup.ts';
import { withK8ts } from './lib/k8ts-process.ts';
import { measured, type Results, type Target } from './lib/result.ts';
import { median, round2 } from './lib/stats.ts';
import { join } from 'node:path';

export const COLD_START_TARGET: Target = { op: '<', value: 500 };
export const IDLE_RSS_TARGET: Target = { op: '<', value: 150 };

export interface ColdStartOptions {
  starts?: number;
  restarts?: number;
  /** How long the server idles before its RSS is read; default 3 s. */
  idleMs?: number;
  signal?: AbortSignal;
}

export async function benchColdStart(opts: ColdStartOptions = {}): Promise<Results> {
  const starts = opts.starts ?? 5;
  const restarts = opts.restarts ?? 3;
  const root = tempDir('k8ts-bench-start-');
  try {
    const cold: number[] = [];
    const coldListening: number[] = [];
    const warmListening: number[] = [];
    for (let i = 0; i < starts; i++) {
      opts.signal?.throwIfAborted();
      await withK8ts({ dataDir: join(root, `fresh-${i}`), signal: opts.signal }, async (k) => {
        cold.push(k.readyMs);
        coldListening.push(k.listeningMs);
      });
    }
    const dataDir = join(root, `fresh-${starts - 1}`);
    const warm: number[] = [];
    let rss = 0;
    let rssAtReady = 0;
    for (let i = 0; i < restarts; i++) {
      opts.signal?.throwIfAborted();
      await withK8ts({ dataDir, signal: opts.signal }, async (k) => {
        warm.push(k.readyMs);
        warmListening.push(k.listeningMs);
        if (i < restarts - 1) return;
        rssAtReady = k.rssMiB();
        await sleep(opts.idleMs ?? 3000, undefined, { signal: opts.signal });
        rss = k.rssMiB();
      });
    }
    return {
      coldStart: measured(median(cold), 'ms', COLD_START_TARGET, { samples: cold.map(round2), listeningMs: coldListening.map(round2), note: 'fresh data dir, spawn to /readyz 200, median' }),
      restart: measured(median(warm), 'ms', COLD_START_TARGET, { samples: warm.map(round2), listeningMs: warmListening.map(round2), note: 'existing data dir, spawn to /readyz 200, median' }),
      idleRss: measured(rss, 'MiB', IDLE_RSS_TARGET, { atReadyMiB: round2(rssAtReady), idleMs: opts.idleMs ?? 3000 }),
    };
  } finally {
    removeDir(root);
  }
}
