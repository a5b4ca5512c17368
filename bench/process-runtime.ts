// The process runtime's figures: real busybox processes in namespaces, against `k8ts up
// --runtime process` as a child (one node allowing 250 pods, the busybox image loaded into the
// data dir beforehand), watched over HTTPS by an informer:
// - pod start latency, from the create call to the pod's Ready condition as the watch sees it,
//   for pods created one after another (target p99 < 300 ms; upstream's SLO is 5 s);
// - 200 pods created together: time until all are Ready, k8ts's RSS with them running, and the
//   time from deleting them until all are gone;
// - `kubectl exec <pod> -- true` round trips with the pinned kubectl, and, for comparison, the
//   runtime's own exec in an in-process cluster (no HTTPS, no kubectl start-up).
// Skipped, saying why, on machines without root, bubblewrap, namespaces or a static busybox.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubeObject } from '../src/api/meta/types.ts';
import { startControlPlane, type ControlPlane } from '../src/cli/control-plane.ts';
import { addNodes } from '../src/cli/node-commands.ts';
import { Client, type ResourceClient } from '../src/client/client.ts';
import { httpsTransport } from '../src/client/https-transport.ts';
import { Informer } from '../src/client/informer.ts';
import { DiskImageStore } from '../src/images/store.ts';
import { networkIdFor } from '../src/process/network/cluster-network.ts';
import { checkHost } from '../src/process/process-runtime.ts';
import { systemClock } from '../src/util/clock.ts';
import { buildBusyboxImage, busyboxUnavailable } from '../test/fixtures/busybox-image.ts';
import { removeDir, tempDir } from './lib/cleanup.ts';
import { isReady, waiterOn } from './lib/cluster-session.ts';
import { repoRoot, startK8ts } from './lib/k8ts-process.ts';
import { measured, skipped, type Results, type Target } from './lib/result.ts';
import { quantile, round2 } from './lib/stats.ts';

export const POD_START_P99_TARGET: Target = { op: '<', value: 300 };

const IMAGE = 'busybox:1.36';
const NODE = 'proc-a';
const KUBECTL = join(repoRoot, '.tools/bin/kubectl');
const quiet = { out: () => {}, err: () => {} };
const run = promisify(execFile);

/** The figures this bench reports, with their units and targets (for skips and errors). */
export const PROCESS_REPORTS: Record<string, { unit: string; target?: Target }> = {
  processPodStartP50: { unit: 'ms' },
  processPodStartP99: { unit: 'ms', target: POD_START_P99_TARGET },
  process200PodsReady: { unit: 's' },
  process200PodsK8tsRss: { unit: 'MiB' },
  process200PodsDeleted: { unit: 's' },
  processKubectlExecP50: { unit: 'ms' },
  processKubectlExecP99: { unit: 'ms' },
  processRuntimeExecP50: { unit: 'ms' },
};

/** Why the process runtime cannot run here, or undefined when it can. */
export async function processRuntimeUnavailable(): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'the process runtime needs Linux';
  const missing = await checkHost();
  if (missing.length) return `this machine lacks ${missing.join(', ')}`;
  return busyboxUnavailable();
}

function allSkipped(why: string): Results {
  return Object.fromEntries(Object.entries(PROCESS_REPORTS).map(([name, r]) => [name, skipped(r.unit, r.target, why)]));
}

const podObject = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { bench: 'process', ...labels } },
  // A busybox `sleep` as PID 1 ignores SIGTERM (as under containerd): grace 0 kills it at once.
  spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image: IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }] },
});

/** Mounts under dir, and the network namespaces of clusters on these data dirs (`k8ts-<id>…`). */
async function leftovers(dir: string, dataDirs: string[]): Promise<{ mounts: string[]; netns: string[] }> {
  const mounts = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(`${dir}/`));
  const ids = dataDirs.map((d) => `k8ts-${networkIdFor(d)}`);
  const netns = (await run('ip', ['netns', 'list']).catch(() => ({ stdout: '' }))).stdout
    .split('\n')
    .map((l) => l.trim().split(' ')[0]!)
    .filter((n) => ids.some((id) => n === id || n.startsWith(`${id}-`)));
  return { mounts, netns };
}

/** Container root filesystems still mounted and pod network namespaces still present for a cluster. */
async function podResidue(dataDir: string): Promise<number> {
  const left = await leftovers(join(dataDir, 'pods'), []);
  const id = `k8ts-${networkIdFor(dataDir)}-`;
  const netns = (await run('ip', ['netns', 'list']).catch(() => ({ stdout: '' }))).stdout.split('\n').filter((l) => l.startsWith(id)).length;
  return left.mounts.length + netns;
}

/** Resolves (with the time it took) once the node has unmounted and removed every pod's sandbox. */
async function untilTornDown(dataDir: string, signal?: AbortSignal): Promise<number> {
  const t0 = performance.now();
  for (const deadline = Date.now() + 60_000; (await podResidue(dataDir)) > 0; await new Promise((r) => setTimeout(r, 50))) {
    signal?.throwIfAborted();
    if (Date.now() > deadline) throw new Error('pod sandboxes were still mounted a minute after their pods were gone');
  }
  return performance.now() - t0;
}

/** Memory of every descendant of pid (the pods' bwrap and busybox processes): summed RSS, and PSS (shared pages split between their users), in MiB. */
function descendantsMemory(pid: number): { processes: number; rssMiB: number; pssMiB: number } {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const isDescendant = (p: number): boolean => {
    for (let q = parent.get(p); q !== undefined && q > 1; q = parent.get(q)) if (q === pid) return true;
    return false;
  };
  let processes = 0;
  let rss = 0;
  let pss = 0;
  for (const p of parent.keys()) {
    if (!isDescendant(p)) continue;
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
      rss += Number(/^Rss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) / 1024;
      pss += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) / 1024;
      processes++;
    } catch {
      // gone meanwhile
    }
  }
  return { processes, rssMiB: round2(rss), pssMiB: round2(pss) };
}

/** Names of the pods seen, by uid, to name what is left behind. */
const podNames = new Map<string, string>();

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: round2(quantile(s, 0.5)), p90: round2(quantile(s, 0.9)), p99: round2(quantile(s, 0.99)), max: round2(s.at(-1) ?? 0), min: round2(s[0] ?? 0), count: s.length };
};

async function inParallel(n: number, concurrency: number, op: (i: number) => Promise<unknown>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      signal?.throwIfAborted();
      await op(next++);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export interface ProcessBenchOptions {
  /** Pods created one after another for the start latency (default 100, after one warm-up pod). */
  sequential?: number;
  /** Pods created together on the one node (default 200). */
  bulk?: number;
  /** Exec round trips (default 30, after two warm-ups). */
  execs?: number;
  signal?: AbortSignal;
}

export async function benchProcessRuntime(opts: ProcessBenchOptions = {}): Promise<Results> {
  const why = await processRuntimeUnavailable();
  if (why) return allSkipped(why);
  const dir = tempDir('k8ts-bench-proc-');
  const childDir = join(dir, 'child');
  const inProcessDir = join(dir, 'in-process');
  const results: Results = {};
  try {
    const archive = join(dir, 'busybox.tar');
    await buildBusyboxImage(archive, { format: 'docker', tag: IMAGE });
    Object.assign(results, await againstChild(childDir, archive, opts));
    Object.assign(results, await inProcessExec(inProcessDir, archive, opts));
    return results;
  } finally {
    // Both clusters have stopped: nothing of theirs should be mounted or left in /run/netns. What
    // is left is reported, then removed so that the machine is left clean.
    const left = await leftovers(dir, [childDir, inProcessDir]);
    if (left.mounts.length || left.netns.length) {
      const named = left.mounts.map((m) => {
        const uid = /\/pods\/([0-9a-f-]{36})\//.exec(m)?.[1];
        return uid && podNames.has(uid) ? `${m} (pod ${podNames.get(uid)})` : m;
      });
      const note = `left behind after the clusters stopped: mounts ${named.join(', ') || 'none'}; network namespaces ${left.netns.join(', ') || 'none'}`;
      console.warn(`\nbench: process runtime ${note}`);
      for (const r of Object.values(results)) r.detail = { ...r.detail, leftovers: note };
      for (const m of left.mounts.reverse()) await run('umount', ['-l', m]).catch(() => {});
      for (const n of left.netns) await run('ip', ['netns', 'del', n]).catch(() => {});
    }
    removeDir(dir);
  }
}

/** Figures 1-3 against `k8ts up --runtime process` as a child process, over HTTPS. */
async function againstChild(dataDir: string, archive: string, opts: ProcessBenchOptions): Promise<Results> {
  const sequential = opts.sequential ?? 100;
  const bulk = opts.bulk ?? 200;
  const execs = opts.execs ?? 30;
  const signal = opts.signal;
  await DiskImageStore.inDataDir(dataDir).load(archive);
  const k = await startK8ts({ dataDir, signal, cpuProfDir: process.env.BENCH_CPU_PROF, args: ['--runtime', 'process', '--workers', '0'], readyTimeoutMs: 60_000 });
  const transport = httpsTransport({ server: k.url, caPem: k.caPem, token: k.token, maxSockets: 16 });
  const stopInformer = new AbortController();
  let informerRunning: Promise<void> | undefined;
  let pods: ResourceClient | undefined;
  const results: Results = {};
  try {
    const client = new Client(transport, { userAgent: 'bench/process-runtime' });
    pods = client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true });
    const nodes = client.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false });
    // When each pod turned Ready, as the watch delivered it.
    const readyAt = new Map<string, number>();
    const informer = new Informer(pods, { clock: systemClock, namespace: 'default' });
    const seen = (p: KubeObject) => {
      podNames.set(p.metadata.uid!, p.metadata.name!);
      if (isReady(p) && !readyAt.has(p.metadata.uid!)) readyAt.set(p.metadata.uid!, performance.now());
    };
    informer.addHandlers({ add: seen, update: (_o, p) => seen(p) });
    const until = waiterOn(informer);
    informerRunning = informer.run(stopInformer.signal);
    await informer.waitForSync();
    await addNodes(client, { name: NODE, pods: '250' }, quiet);
    for (const deadline = Date.now() + 60_000; ; await new Promise((r) => setTimeout(r, 100))) {
      const n = await nodes.find('', NODE);
      if (n && isReady(n)) break;
      if (Date.now() > deadline) throw new Error(`node ${NODE} did not turn Ready`);
      signal?.throwIfAborted();
    }
    const idleRssMiB = round2(k.rssMiB());
    const cpu0 = k.cpuSeconds();

    // 1. Start latency: one pod at a time, from the create call to Ready seen by the watch.
    const startOne = async (name: string) => {
      const t0 = performance.now();
      const created = await pods!.create('default', podObject(name, { phase: 'start' }));
      const createMs = performance.now() - t0;
      const uid = created.metadata.uid!;
      await until(() => readyAt.has(uid), signal);
      return { ms: readyAt.get(uid)! - t0, createMs };
    };
    const warmup = await startOne('start-warmup');
    const latencies: number[] = [];
    const createMs: number[] = [];
    for (let i = 0; i < sequential; i++) {
      const r = await startOne(`start-${i}`);
      latencies.push(r.ms);
      createMs.push(r.createMs);
    }
    const start = stats(latencies);
    const startDetail = {
      pods: sequential,
      ...start,
      firstPodMs: round2(warmup.ms),
      createCallP50Ms: stats(createMs).p50,
      serverCpuMsPerPod: round2(((k.cpuSeconds() - cpu0) * 1000) / (sequential + 1)),
      note: 'bench/process-runtime.ts: busybox `sleep 3600` pods (image loaded beforehand, IfNotPresent) created one after another against k8ts up --runtime process (one node); from the create call to Ready as an HTTPS watch sees it; after one warm-up pod (firstPodMs)',
    };
    results.processPodStartP50 = measured(start.p50, 'ms', undefined, startDetail);
    results.processPodStartP99 = measured(start.p99, 'ms', POD_START_P99_TARGET, startDetail);

    // 3. kubectl exec round trips, into a pod from above (the other pods idle meanwhile).
    if (existsSync(KUBECTL)) {
      const env = { ...process.env, KUBECONFIG: join(dataDir, 'kubeconfig'), HOME: join(dataDir, 'home') };
      const once = async () => {
        const t0 = performance.now();
        await run(KUBECTL, ['exec', 'start-0', '-c', 'main', '--', 'true'], { env, signal });
        return performance.now() - t0;
      };
      await once();
      await once();
      const rt: number[] = [];
      for (let i = 0; i < execs; i++) rt.push(await once());
      const s = stats(rt);
      const detail = { runs: execs, ...s, note: `bench/process-runtime.ts: \`kubectl exec start-0 -- true\` with the pinned kubectl (${kubectlVersion()}) against k8ts up --runtime process over HTTPS, process spawn to exit (includes kubectl's start-up and its GET of the pod)` };
      results.processKubectlExecP50 = measured(s.p50, 'ms', undefined, detail);
      results.processKubectlExecP99 = measured(s.p99, 'ms', undefined, detail);
    } else {
      results.processKubectlExecP50 = skipped('ms', undefined, `${KUBECTL} is missing: npm run clients installs it`);
      results.processKubectlExecP99 = skipped('ms', undefined, `${KUBECTL} is missing: npm run clients installs it`);
    }

    // Clear the node for the 200.
    const tDel = performance.now();
    const startNames = informer.list('default').map((p) => p.metadata.name!);
    await inParallel(startNames.length, 16, (i) => pods!.delete('default', startNames[i]!), signal);
    await until(() => informer.list('default').length === 0, signal);
    await untilTornDown(dataDir, signal);
    const deleteSequentialMs = performance.now() - tDel;

    // 2. 200 pods together on the node: until all Ready, RSS, then deleted until all gone.
    const cpu1 = k.cpuSeconds();
    // A GET of the node every 100 ms meanwhile: how responsive the API server stays.
    const getMs: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const t = performance.now();
        await nodes.get('', NODE);
        getMs.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const t0 = performance.now();
    await inParallel(bulk, 16, (i) => pods!.create('default', podObject(`bulk-${i}`, { phase: 'bulk' })), signal);
    const createdMs = performance.now() - t0;
    await until(() => informer.list('default').filter(isReady).length >= bulk, signal);
    const readyMs = performance.now() - t0;
    sampling = false;
    await sampler;
    const gets = stats(getMs);
    const serverCpuMs = (k.cpuSeconds() - cpu1) * 1000;
    // Let the start-up settle (status writes, probes) before reading memory.
    await new Promise((r) => setTimeout(r, 2000));
    const rssMiB = k.rssMiB();
    const children = descendantsMemory(k.pid);
    results.process200PodsReady = measured(readyMs / 1000, 's', undefined, {
      pods: bulk,
      createsSeconds: round2(createdMs / 1000),
      podsPerSec: round2((bulk / readyMs) * 1000),
      serverCpuMsPerPod: round2(serverCpuMs / bulk),
      nodeGetWhileStartingMs: { p50: gets.p50, p99: gets.p99, max: gets.max, samples: gets.count },
      note: 'bench/process-runtime.ts: 200 busybox pods created over HTTPS (16 in flight) on one node of k8ts up --runtime process; from the first create until all Ready as the watch sees them',
    });
    results.process200PodsK8tsRss = measured(rssMiB, 'MiB', undefined, {
      idleRssMiB,
      rssPerPodKiB: round2(((rssMiB - idleRssMiB) * 1024) / bulk),
      podProcesses: children.processes,
      podProcessesRssMiB: children.rssMiB,
      podProcessesPssMiB: children.pssMiB,
      note: "bench/process-runtime.ts: VmRSS of the k8ts up child process with 200 busybox pods running (idleRssMiB: with its node and no pods); the processes it started (the pods' bwrap and busybox, the netns proxy) are counted apart: podProcessesRssMiB sums their RSS (shared pages counted once per process), podProcessesPssMiB their PSS",
    });
    const tGone = performance.now();
    await inParallel(bulk, 16, (i) => pods!.delete('default', `bulk-${i}`), signal);
    const deleteCallsMs = performance.now() - tGone;
    await until(() => informer.list('default').length === 0, signal);
    const goneMs = performance.now() - tGone;
    await untilTornDown(dataDir, signal);
    const tornDownMs = performance.now() - tGone;
    results.process200PodsDeleted = measured(goneMs / 1000, 's', undefined, {
      pods: bulk,
      deleteCallsSeconds: round2(deleteCallsMs / 1000),
      sandboxesTornDownSeconds: round2(tornDownMs / 1000),
      earlierPodsDeletedAndTornDownSeconds: round2(deleteSequentialMs / 1000),
      note: "bench/process-runtime.ts: the 200 pods deleted over HTTPS (16 in flight, terminationGracePeriodSeconds 0); from the first delete until the watch has seen every pod removed; sandboxesTornDownSeconds: until the node has also unmounted every container root and removed every pod network namespace",
    });
    return results;
  } finally {
    stopInformer.abort();
    await informerRunning?.catch(() => {});
    transport.close();
    await k.stop();
  }
}

/** The runtime's own exec round trip, in an in-process cluster: no HTTPS, no kubectl. */
async function inProcessExec(dataDir: string, archive: string, opts: ProcessBenchOptions): Promise<Results> {
  const execs = opts.execs ?? 30;
  let cp: ControlPlane | undefined;
  try {
    mkdirSync(dataDir, { recursive: true });
    cp = await startControlPlane({ datastore: 'sqlite', dataDir, processRuntime: true, dns: { host: '127.0.0.1', port: 0 } });
    await cp.processCluster!.images.load(archive);
    await addNodes(cp.client, { name: NODE }, quiet);
    const pods = cp.client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true });
    await pods.create('default', podObject('exec-target'));
    let pod: KubeObject | undefined;
    for (const deadline = Date.now() + 30_000; !(pod && isReady(pod)); await new Promise((r) => setTimeout(r, 20))) {
      if (Date.now() > deadline) throw new Error('the exec target pod did not turn Ready');
      opts.signal?.throwIfAborted();
      pod = await pods.get('default', 'exec-target');
    }
    const agent = cp.pool!.agent((pod.spec as { nodeName: string }).nodeName)!;
    const id = agent.pods.tracks.get('default/exec-target')!.containers.get('main')!.current!.id;
    const streaming = cp.pool!.runtime.streaming!;
    const once = async () => {
      const t0 = performance.now();
      const s = await streaming.exec(id, ['true'], { stdin: false, stdout: true, stderr: true, tty: false });
      s.stdout?.resume();
      s.stderr?.resume();
      const code = await s.done;
      if (code !== 0) throw new Error(`exec true exited with ${code}`);
      return performance.now() - t0;
    };
    await once();
    await once();
    const rt: number[] = [];
    for (let i = 0; i < execs; i++) rt.push(await once());
    const s = stats(rt);
    await pods.delete('default', 'exec-target');
    for (const deadline = Date.now() + 30_000; await pods.find('default', 'exec-target'); await new Promise((r) => setTimeout(r, 50))) {
      if (Date.now() > deadline) break;
    }
    return {
      processRuntimeExecP50: measured(s.p50, 'ms', undefined, { runs: execs, ...s, note: "bench/process-runtime.ts: the runtime's streaming exec of `true` in a busybox pod, in process (startControlPlane with the process runtime): call to exit code, no API server or kubectl" }),
    };
  } finally {
    await cp?.stop();
  }
}

function kubectlVersion(): string {
  try {
    const out = execFileSync(KUBECTL, ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
    return (JSON.parse(out) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion ?? 'kubectl';
  } catch {
    return 'kubectl';
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = (i: number) => (process.argv[i] ? Number(process.argv[i]) : undefined);
  const r = await benchProcessRuntime({ sequential: n(2), bulk: n(3), execs: n(4) });
  console.log(JSON.stringify(r, null, 2));
  process.exit(0);
}
