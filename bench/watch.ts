// Watch fan-out over HTTPS: 100 pod watchers (started from a list's resourceVersion) each receive
// the same 1,000 pod creates; lag is the time from the writer's create response to the event's
// arrival at a watcher. Then a watcher that stops reading must not slow the writer: the writer's
// throughput with no watcher and with one stalled watcher, alternated to even out noise.
import { join } from 'node:path';
import { KEEP_ORPHAN_PODS, pod, type Owner } from './fixtures.ts';
import { createNamespaceAndOwner } from './list-pods.ts';
import type { RawHttpClient } from './lib/raw-http.ts';
import { removeDir, tempDir } from './lib/cleanup.ts';
import type { ApiClient, WatchHandle } from './lib/https-client.ts';
import { closedLoop, openLoop, type LoadResult } from './lib/load.ts';
import { withCpu, withK8ts, type K8tsProcess } from './lib/k8ts-process.ts';
import { failed, measured, type Results, type Target } from './lib/result.ts';
import { median, round2, summarize } from './lib/stats.ts';

export const WATCH_LAG_TARGET: Target = { op: '<', value: 50 };
/** The writer with a stalled watcher keeps at least this share of its throughput. */
export const STALL_TARGET: Target = { op: '>=', value: 0.9 };

export interface WatchOptions {
  watchers?: number;
  writes?: number;
  /** Offered write rate of the lag run (creates per second). */
  writeRate?: number;
  /** Writes per writer run of the stalled-watcher check, and alternating rounds. */
  stallWrites?: number;
  stallRounds?: number;
  /** Writes while one watcher is stalled long enough to overflow its server-side buffer. */
  overflowWrites?: number;
  concurrency?: number;
  maxMs?: number;
  signal?: AbortSignal;
  cpuProfDir?: string;
}

const NS = 'bench-watch';
const WATCH_PATH = `/api/v1/namespaces/${NS}/pods?watch=1&resourceVersion=`;

export async function benchWatch(opts: WatchOptions = {}): Promise<Results> {
  const root = tempDir('k8ts-bench-watch-');
  try {
    return await withK8ts({ dataDir: join(root, 'data'), signal: opts.signal, cpuProfDir: opts.cpuProfDir, env: KEEP_ORPHAN_PODS }, async (k) => {
      const client = k.client(4); // lists and watch streams
      const writer = k.raw(opts.concurrency ?? 32);
      try {
        const owner = await createNamespaceAndOwner(writer, NS);
        const lag = await lagRun(k, client, writer, owner, opts);
        try {
          return { ...lag, ...(await stallRuns(k, client, writer, owner, opts)) };
        } catch (e) {
          return { ...lag, stalledWatcherThroughputRatio: failed('ratio', STALL_TARGET, e) };
        }
      } finally {
        client.close();
        writer.close();
      }
    });
  } finally {
    removeDir(root);
  }
}

async function listRv(client: ApiClient, signal?: AbortSignal): Promise<string> {
  const res = await client.expect('GET', `/api/v1/namespaces/${NS}/pods?limit=1`, undefined, { signal });
  return (JSON.parse(res.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
}

/** The pod name in a watch event line, without parsing the whole object. */
function eventName(line: string): string | undefined {
  const meta = line.indexOf('"metadata":{');
  const at = line.indexOf('"name":"', meta);
  if (meta < 0 || at < 0) return undefined;
  return line.slice(at + 8, line.indexOf('"', at + 8));
}

async function lagRun(k: K8tsProcess, client: ApiClient, writer: RawHttpClient, owner: Owner, opts: WatchOptions): Promise<Results> {
  const watchers = opts.watchers ?? 100;
  const writes = opts.writes ?? 1000;
  const rate = opts.writeRate ?? 100;
  const signal = opts.signal;
  const prefix = 'lag-';
  const acked = new Float64Array(writes);
  const received = Array.from({ length: watchers }, () => new Float64Array(writes));
  let events = 0;
  let errors = 0;
  let allIn!: () => void;
  const allReceived = new Promise<void>((resolve) => (allIn = resolve));
  const rv = await listRv(client, signal);
  const handles: WatchHandle[] = [];
  try {
    for (let w = 0; w < watchers; w++) {
      const seen = received[w]!;
      handles.push(
        await client.watch(
          WATCH_PATH + rv,
          (line, at) => {
            if (!line.startsWith('{"type":"ADDED"')) {
              if (line.startsWith('{"type":"ERROR"')) errors++;
              return;
            }
            const name = eventName(line);
            if (!name?.startsWith(prefix)) return;
            const i = Number(name.slice(prefix.length));
            if (seen[i] === 0) {
              seen[i] = at;
              if (++events === watchers * writes) allIn();
            }
          },
          { signal },
        ),
      );
    }
    const write = async (i: number) => {
      await writer.expect(writer.build('POST', `/api/v1/namespaces/${NS}/pods`, JSON.stringify(pod(`${prefix}${String(i).padStart(5, '0')}`, i, owner))));
      acked[i] = performance.now();
    };
    const load = await withCpu(k, async () => {
      const out = await openLoop({ total: writes, ratePerSec: rate, maxMs: opts.maxMs ?? 30_000, signal, op: write });
      await Promise.race([allReceived, new Promise<void>((resolve) => setTimeout(resolve, 15_000).unref())]);
      return out;
    });
    const lags: number[] = [];
    for (const seen of received) for (let i = 0; i < load.done; i++) if (seen[i]! > 0) lags.push(Math.max(0, seen[i]! - acked[i]!));
    const s = summarize(lags);
    const detail = {
      watchers,
      writes: load.done,
      offeredWritesPerSec: rate,
      achievedWritesPerSec: Math.round(load.done / load.seconds),
      eventsExpected: watchers * load.done,
      eventsReceived: events,
      errorEvents: errors,
      cpu: load.cpu,
      maxMs: s.max,
    };
    if (events < watchers * load.done) throw new Error(`Watch fan-out failed: ${events} of ${watchers * load.done} events arrived within 15 s`);
    return { watchLagP50: measured(s.p50, 'ms', undefined, detail), watchLagP99: measured(s.p99, 'ms', WATCH_LAG_TARGET, detail) };
  } finally {
    for (const h of handles) h.close();
  }
}

async function stallRuns(k: K8tsProcess, client: ApiClient, writer: RawHttpClient, owner: Owner, opts: WatchOptions): Promise<Results> {
  const n = opts.stallWrites ?? 3000;
  const rounds = opts.stallRounds ?? 3;
  const concurrency = opts.concurrency ?? 32;
  const signal = opts.signal;
  let run = 0;
  // Each writer run stops at `total` writes or at its time cap, whichever comes first.
  const write = (total = n, maxMs = 4000): Promise<LoadResult> => {
    const tag = `s${run++}-`;
    return closedLoop({
      total,
      concurrency,
      maxMs,
      signal,
      op: (i) => writer.expect(writer.build('POST', `/api/v1/namespaces/${NS}/pods`, JSON.stringify(pod(`${tag}${String(i).padStart(5, '0')}`, i, owner)))).then(() => {}),
    });
  };
  const free: number[] = [];
  const stalled: number[] = [];
  const rss: number[] = [];
  const rssFree: number[] = [];
  const stalledFate: { eventsRead: number; ended: boolean }[] = [];
  await write(); // warm-up
  for (let r = 0; r < rounds; r++) {
    const rssBase = k.rssMiB();
    const base = await write();
    free.push(base.done / base.seconds);
    rssFree.push(round2(k.rssMiB() - rssBase));

    const stall = await stalledWhile(k, client, () => write(), signal);
    stalled.push(stall.load.done / stall.load.seconds);
    rss.push(stall.rssGrowthMiB);
    stalledFate.push(stall.fate);
  }
  // One watcher stalled for more events than its server-side buffer (10,000) and the socket
  // buffers hold: the server should drop it (the stream ends, with an ERROR event) and stay flat.
  const overflow = await stalledWhile(k, client, () => write(opts.overflowWrites ?? 12_000, 15_000), signal);
  const detail = { writesPerRun: n, concurrency, rounds, rssGrowthMiB: rss, rssGrowthWithoutWatcherMiB: rssFree, stalledWatcher: stalledFate };
  // Each round pairs a run without and a run with the stalled watcher, back to back; the median
  // of the per-round ratios shrugs off one round disturbed by other work on the machine.
  const ratios = free.map((f, i) => stalled[i]! / f);
  return {
    writerNoWatcher: measured(median(free), 'creates/s', undefined, { samples: free.map(Math.round) }),
    writerStalledWatcher: measured(median(stalled), 'creates/s', undefined, { samples: stalled.map(Math.round), ...detail }),
    stalledWatcherThroughputRatio: measured(median(ratios), 'ratio', STALL_TARGET, { perRound: ratios.map(round2) }),
    stalledWatcherOverflow: measured(overflow.load.done / overflow.load.seconds, 'creates/s', undefined, {
      writes: overflow.load.done,
      droppedByServer: overflow.fate.ended,
      eventsReadAfterResume: overflow.fate.eventsRead,
      errorEvents: overflow.fate.errorEvents,
      rssGrowthMiB: overflow.rssGrowthMiB,
    }),
  };
}

/** Runs `load` while one watcher has stopped reading, then reads again to see whether it was dropped. */
async function stalledWhile(k: K8tsProcess, client: ApiClient, load: () => Promise<LoadResult>, signal?: AbortSignal) {
  let eventsRead = 0;
  let errorEvents = 0;
  const h = await client.watch(WATCH_PATH + (await listRv(client, signal)), (line) => {
    eventsRead++;
    if (line.startsWith('{"type":"ERROR"')) errorEvents++;
  }, { signal });
  h.res.pause();
  h.res.socket.pause();
  try {
    const rssBefore = k.rssMiB();
    const out = await load();
    const rssGrowthMiB = round2(k.rssMiB() - rssBefore);
    // Read again: a server that dropped the watcher ends the stream early.
    let ended = false;
    void h.ended.then(() => (ended = true));
    h.res.socket.resume();
    h.res.resume();
    await Promise.race([h.ended, new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
    return { load: out, rssGrowthMiB, fate: { eventsRead, errorEvents, ended } };
  } finally {
    h.close();
  }
}
