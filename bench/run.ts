// `npm run bench`: runs every benchmark against `k8ts up` child processes (and a local etcd when
// one is installed), prints a summary, and writes bench/results/latest.json.
// Run a subset with `node --import tsx bench/run.ts start creates etcd etcd-api list watch` (`process`: the
// process runtime, real busybox pods, needs root and bubblewrap); a subset run
// writes its results only with --write, merged into the figures already there. BENCH_CPU_PROF=DIR profiles every server (node --cpu-prof).
import { setMaxListeners } from 'node:events';
import { cpus, loadavg, totalmem } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchColdStart, COLD_START_TARGET, IDLE_RSS_TARGET } from './cold-start.ts';
import { benchCreates, CREATE_P99_TARGET, CREATE_RATE_TARGET } from './creates.ts';
import { benchEtcdCreates } from './etcd-creates.ts';
import { benchApiCreatesEtcd } from './api-creates-etcd.ts';
import { storedConfigMapJson } from './fixtures.ts';
import { benchStore } from './store-bench.ts';
import { cleanupNow } from './lib/cleanup.ts';
import { failed, measured, type BenchResult, type Results, type Target } from './lib/result.ts';
import { benchListPods, LIST_TARGET } from './list-pods.ts';
import { benchWatch, STALL_TARGET, WATCH_LAG_TARGET } from './watch.ts';
import { benchPodsToReady, PODS_TO_READY_TARGET } from './pods-to-ready.ts';
import { benchServicesDns, DNS_QPS_TARGET, DNS_READY_LATENCY_TARGET, SLICE_UPDATE_TARGET } from './services-dns.ts';
import { benchDaemonSet, benchDeployment, DAEMONSET_READY_TARGET, DAEMONSET_ROLL_TARGET } from './daemonsets-deployments.ts';
import { benchOrderedSteps, benchParallelSet, benchRollingUpdate, PARALLEL_TARGET, STEP_TARGET } from './statefulsets.ts';
import { benchProcessRuntime, PROCESS_REPORTS } from './process-runtime.ts';
import { benchSeveralServers, SEVERAL_SERVERS_REPORTS } from './several-servers.ts';
import { benchIdleClusters, benchSnapshot, IDLE_CLUSTER_RSS_TARGET } from './lifecycle.ts';
import { benchLeaseSoak, SOAK_DB_TARGET } from './soak.ts';
import { benchDashboardDaemonSet, benchDashboardStatefulSet, DASHBOARD_LOAD_TARGET, DASHBOARD_UPDATE_TARGET } from './dashboard.ts';

export const ETCD_RATIO_TARGET: Target = { op: '>=', value: 3 };

/** The whole run stops itself after this long, whatever hangs. */
const TOTAL_BUDGET_MS = 1_800_000;

interface Step {
  name: string;
  budgetMs: number;
  /** Result names and units reported as errors if the step fails. */
  reports: Record<string, { unit: string; target?: Target }>;
  run(signal: AbortSignal, results: Results): Promise<Results>;
}

const cpuProfDir = process.env.BENCH_CPU_PROF;
let createSample: string | undefined;

const steps: Step[] = [
  {
    name: 'start',
    budgetMs: 40_000,
    reports: { coldStart: { unit: 'ms', target: COLD_START_TARGET }, restart: { unit: 'ms', target: COLD_START_TARGET }, idleRss: { unit: 'MiB', target: IDLE_RSS_TARGET } },
    run: (signal) => benchColdStart({ signal }),
  },
  {
    name: 'store',
    budgetMs: 30_000,
    reports: { storeCreateThroughput: { unit: 'creates/s' } },
    run: async () => {
      // The SQLite store alone, in process: the ceiling the API path is measured against.
      const r = await benchStore({ backend: 'sqlite', n: 20_000, concurrency: 32 });
      return {
        storeCreateThroughput: measured(r.writesPerSec, 'creates/s', undefined, { p50Ms: r.p50Ms, p99Ms: r.p99Ms, transactions: r.transactions, note: 'bench/store-bench.ts: SQLite backend in process, 32 in flight, no API' }),
        storeList10k: measured(r.listMs, 'ms', undefined, { note: 'bench/store-bench.ts: backend list of 10,000 ~300-byte values' }),
      };
    },
  },
  {
    name: 'creates',
    budgetMs: 60_000,
    reports: { createThroughput: { unit: 'creates/s', target: CREATE_RATE_TARGET }, createLatencyP99: { unit: 'ms', target: CREATE_P99_TARGET } },
    run: async (signal) => {
      const out = await benchCreates({ signal, cpuProfDir });
      createSample = out.sample;
      return out.results;
    },
  },
  {
    name: 'etcd',
    budgetMs: 50_000,
    reports: { etcdCreateThroughput: { unit: 'creates/s' }, k8tsVsEtcdCreates: { unit: 'ratio', target: ETCD_RATIO_TARGET } },
    run: async (signal, sofar) => {
      const value = createSample ?? storedConfigMapJson('cm-0', 'bench');
      const results = await benchEtcdCreates({ value, signal });
      const k8ts = sofar.createThroughput?.value;
      const etcd = results.etcdCreateThroughput?.value;
      if (typeof k8ts === 'number' && typeof etcd === 'number') {
        results.k8tsVsEtcdCreates = measured(k8ts / etcd, 'ratio', ETCD_RATIO_TARGET, { k8tsCreatesPerSec: k8ts, etcdCreatesPerSec: etcd });
      } else if (results.etcdCreateThroughput?.skipped) {
        results.k8tsVsEtcdCreates = { value: null, unit: 'ratio', target: `>= ${ETCD_RATIO_TARGET.value} ratio`, pass: null, skipped: results.etcdCreateThroughput.skipped };
      }
      return results;
    },
  },
  {
    // k8ts's own API on each datastore, side by side in one run.
    name: 'etcd-api',
    budgetMs: 120_000,
    reports: { apiCreatesOnSqlite: { unit: 'creates/s' }, apiCreatesOnEtcd: { unit: 'creates/s' }, apiEtcdVsSqlite: { unit: 'ratio' } },
    run: (signal) => benchApiCreatesEtcd({ signal }),
  },
  {
    name: 'list',
    budgetMs: 110_000,
    reports: { listPods: { unit: 'ms', target: LIST_TARGET } },
    run: (signal) => benchListPods({ signal, cpuProfDir }),
  },
  {
    name: 'watch',
    budgetMs: 90_000,
    reports: { watchLagP99: { unit: 'ms', target: WATCH_LAG_TARGET }, stalledWatcherThroughputRatio: { unit: 'ratio', target: STALL_TARGET } },
    run: (signal) => benchWatch({ signal, cpuProfDir }),
  },
  {
    name: 'pods',
    budgetMs: 120_000,
    reports: { podsToReady: { unit: 'pods/s', target: PODS_TO_READY_TARGET } },
    run: (signal) => benchPodsToReady({ pods: 10_000, signal }),
  },
  {
    name: 'statefulsets',
    budgetMs: 240_000,
    reports: {
      statefulSetOrderedStepP99: { unit: 'ms', target: STEP_TARGET },
      statefulSetRollingUpdate: { unit: 's' },
      statefulSetParallel: { unit: 's', target: PARALLEL_TARGET },
    },
    run: async (signal) => ({
      ...(await benchOrderedSteps({ replicas: 100, signal })),
      ...(await benchRollingUpdate({ replicas: 1_000, signal })),
      ...(await benchParallelSet({ replicas: 10_000, signal })),
    }),
  },
  {
    name: 'daemonsets',
    budgetMs: 300_000,
    reports: { daemonSetReady: { unit: 's', target: DAEMONSET_READY_TARGET }, daemonSetRollingUpdate: { unit: 's', target: DAEMONSET_ROLL_TARGET } },
    run: (signal) => benchDaemonSet({ nodes: 5_000, signal }),
  },
  {
    name: 'deployments',
    budgetMs: 300_000,
    reports: { deploymentAvailable: { unit: 's' }, deploymentRollingUpdate: { unit: 's' } },
    run: (signal) => benchDeployment({ replicas: 10_000, signal }),
  },
  {
    name: 'dns',
    budgetMs: 300_000,
    reports: {
      dnsQueriesPerSecond: { unit: 'qps', target: DNS_QPS_TARGET },
      dnsReadyToAnswerP99: { unit: 'ms', target: DNS_READY_LATENCY_TARGET },
      endpointSliceUpdateP99: { unit: 'ms', target: SLICE_UPDATE_TARGET },
    },
    run: (signal) => benchServicesDns({ pods: 10_000, services: 1_000, signal }),
  },
  {
    // The dashboard in Debian's Chromium (scripts/fetch-clients.mjs installs it).
    name: 'dashboard',
    budgetMs: 600_000,
    reports: {
      dashboardStatefulSetLoad: { unit: 'ms', target: DASHBOARD_LOAD_TARGET },
      dashboardStatefulSetUpdateP99: { unit: 'ms', target: DASHBOARD_UPDATE_TARGET },
      dashboardDaemonSetLoad: { unit: 'ms', target: DASHBOARD_LOAD_TARGET },
      dashboardDaemonSetUpdateP99: { unit: 'ms', target: DASHBOARD_UPDATE_TARGET },
    },
    run: async (signal) => ({ ...(await benchDashboardStatefulSet({ replicas: 1000, signal })), ...(await benchDashboardDaemonSet({ nodes: 5000, signal })) }),
  },
  {
    name: 'lifecycle',
    budgetMs: 300_000,
    reports: {
      idleRssOneCluster: { unit: 'MiB', target: IDLE_CLUSTER_RSS_TARGET },
      idleRssTenClusters: { unit: 'MiB' },
      snapshotSave: { unit: 's' },
      snapshotRestore: { unit: 's' },
    },
    run: async (signal) => ({ ...(await benchIdleClusters({ clusters: 10, signal })), ...(await benchSnapshot({ objects: 10_000, volumeMiB: 1024, signal })) }),
  },
  {
    name: 'soak',
    budgetMs: 400_000,
    reports: { leaseSoakDatabase: { unit: 'MiB', target: SOAK_DB_TARGET } },
    run: (signal) => benchLeaseSoak({ nodes: 5000, rounds: 360, signal }),
  },
  {
    // Real busybox pods with `k8ts up --runtime process`; skipped without root, bubblewrap or a static busybox.
    name: 'process',
    budgetMs: 180_000,
    reports: PROCESS_REPORTS,
    run: (signal) => benchProcessRuntime({ sequential: 100, bulk: 200, execs: 30, signal }),
  },
  {
    name: 'servers',
    budgetMs: 480_000,
    reports: SEVERAL_SERVERS_REPORTS,
    run: (signal) => benchSeveralServers({ signal }),
  },
];

function machine() {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/**
 * How busy the machine was apart from us: on a shared 2-core machine other work skews every
 * figure, so the run records the load average and Linux's CPU pressure (share of time some task
 * waited for a CPU, over the last minute).
 */
function conditions() {
  const psi = existsSync('/proc/pressure/cpu') ? /some avg10=[\d.]+ avg60=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'))?.[1] : undefined;
  return { loadAverage1m: Math.round(loadavg()[0]! * 100) / 100, ...(psi !== undefined && { cpuPressureSomeAvg60: Number(psi) }) };
}

function formatRow(name: string, r: BenchResult): string {
  const value = r.value === null ? (r.skipped ? `skipped: ${r.skipped}` : `error`) : `${r.value} ${r.unit}`;
  const verdict = r.pass === null ? (r.skipped ? 'skip' : '') : r.pass ? 'PASS' : 'MISS';
  return `  ${name.padEnd(32)} ${value.padEnd(28)} ${(r.target ?? '').padEnd(20)} ${verdict}${r.error ? `  (${r.error.split('\n')[0]})` : ''}`;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const write = argv.includes('--write');
  const only = argv.filter((a) => !a.startsWith('--'));
  const unknown = only.filter((o) => !steps.some((s) => s.name === o));
  if (unknown.length) throw new Error(`Unknown benchmark ${unknown.join(', ')}: choose from ${steps.map((s) => s.name).join(', ')}`);
  const chosen = only.length ? steps.filter((s) => only.includes(s.name)) : steps;
  const overall = AbortSignal.timeout(TOTAL_BUDGET_MS);
  const results: Results = {};
  const started = Date.now();
  const before = conditions();
  for (const step of chosen) {
    const t = performance.now();
    process.stdout.write(`bench: ${step.name} ...`);
    try {
      if (overall.aborted) throw new Error('the total time budget ran out');
      const signal = AbortSignal.any([overall, AbortSignal.timeout(step.budgetMs)]);
      setMaxListeners(0, signal); // every request in flight listens on it
      Object.assign(results, await step.run(signal, results));
    } catch (e) {
      const err = e instanceof Error && e.name === 'TimeoutError' ? new Error(`${step.name} did not finish within its time budget`) : e;
      for (const [name, r] of Object.entries(step.reports)) results[name] ??= failed(r.unit, r.target, err);
    }
    process.stdout.write(` ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  }
  const m = machine();
  console.log(`\nload average at start ${before.loadAverage1m}, at end ${conditions().loadAverage1m} (other work on the machine skews the figures)`);
  console.log(`\nk8ts benchmarks on ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  console.log(`  ${'figure'.padEnd(32)} ${'value'.padEnd(28)} ${'target'.padEnd(20)}`);
  for (const [name, r] of Object.entries(results)) console.log(formatRow(name, r));
  if (!only.length || write) {
    const dir = join(import.meta.dirname, 'results');
    mkdirSync(dir, { recursive: true });
    // A subset run updates its own figures and keeps the others from the last full run.
    const file = join(dir, 'latest.json');
    const kept = only.length && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { results?: Results }).results ?? {} : {};
    writeFileSync(file, JSON.stringify({ date: new Date(started).toISOString(), machine: m, conditions: { atStart: before, atEnd: conditions() }, results: { ...kept, ...results } }, null, 2) + '\n');
    console.log(`\nwritten to bench/results/latest.json`);
  }
  const errors = Object.values(results).filter((r) => r.error).length;
  return errors ? 1 : 0;
}

// Stop by ourselves whatever happens: children and temp dirs are removed on every exit path.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    cleanupNow();
    process.exit(130);
  });
}
const hardStop = setTimeout(() => {
  console.error('bench: the run overran its time budget; stopping');
  cleanupNow();
  process.exit(2);
}, TOTAL_BUDGET_MS + 20_000);
hardStop.unref();
main()
  .then((code) => {
    cleanupNow();
    process.exit(code);
  })
  .catch((e: unknown) => {
    console.error(`bench failed: ${e instanceof Error ? e.message : String(e)}`);
    cleanupNow();
    process.exit(1);
  });
