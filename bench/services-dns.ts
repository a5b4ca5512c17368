// Issue 7's figures, against `k8ts up` over HTTPS with simulated nodes and its DNS server:
// - queries per second that dnsperf gets on a mix of Service, headless Service, per-pod hostname
//   and pod names, with 1,000 Services and 10,000 pods (target >= 20,000 qps);
// - from a pod turning Ready (as a watcher sees it) to its name answering (target p99 < 100 ms);
// - from one pod of a 5,000-endpoint Service changing to the EndpointSlice showing it (target
//   p99 < 50 ms).
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import dnsPacket from 'dns-packet';
import type { KubeObject } from '../src/api/meta/types.ts';
import type { ResourceClient } from '../src/client/client.ts';
import { Informer } from '../src/client/informer.ts';
import { systemClock } from '../src/util/clock.ts';
import { clusterSession, isReady, waiterOn, type ClusterSession } from './lib/cluster-session.ts';
import { closedLoop } from './lib/load.ts';
import { measured, skipped, type Results, type Target } from './lib/result.ts';
import { quantile } from './lib/stats.ts';

export const DNS_QPS_TARGET: Target = { op: '>=', value: 20_000 };
export const DNS_READY_LATENCY_TARGET: Target = { op: '<', value: 100 };
export const SLICE_UPDATE_TARGET: Target = { op: '<', value: 50 };

const run = promisify(execFile);
const podIP = (p: KubeObject) => (p.status as { podIP?: string } | undefined)?.podIP;

interface Session extends ClusterSession {
  podsApi: ResourceClient;
  services: ResourceClient;
}

async function session(workers: number, signal?: AbortSignal): Promise<Session> {
  const c = await clusterSession({ name: 'dns', workers, signal });
  return {
    ...c,
    podsApi: c.client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true }),
    services: c.client.resource({ apiVersion: 'v1', resource: 'services', namespaced: true }),
  };
}

/** Creates with 32 in flight. */
async function createAll(api: ResourceClient, objs: KubeObject[]): Promise<void> {
  await closedLoop({
    total: objs.length,
    concurrency: 32,
    maxMs: Infinity,
    op: async (i) => {
      await api.create('default', objs[i]!);
    },
  });
}

function pod(name: string, labels: Record<string, string>, subdomain?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { ...(subdomain && { hostname: name, subdomain }), containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 8080 }] }] },
  };
}

function service(name: string, selector: Record<string, string>, headless: boolean): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { selector, ...(headless && { clusterIP: 'None' }), ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  };
}

/** One A query over UDP; resolves with the answer's addresses (empty on NXDOMAIN). */
function queryA(port: number, name: string, timeoutMs = 1000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`no DNS answer for ${name} in ${timeoutMs} ms`));
    }, timeoutMs);
    sock.once('message', (msg) => {
      clearTimeout(timer);
      sock.close();
      const res = dnsPacket.decode(msg);
      resolve((res.answers ?? []).flatMap((a) => (a.type === 'A' ? [String(a.data)] : [])));
    });
    sock.send(dnsPacket.encode({ type: 'query', id: Math.floor(Math.random() * 65535), flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] }), port, '127.0.0.1');
  });
}

async function hasCommand(cmd: string): Promise<boolean> {
  return run('sh', ['-c', `command -v ${cmd}`]).then(
    () => true,
    () => false,
  );
}

/**
 * 1,000 Services (100 headless, each over 100 pods with hostname + subdomain; 900 ClusterIP) and
 * 10,000 pods; the first 5,000 pods also back one ClusterIP Service `big`. Then dnsperf, the
 * pod-Ready-to-name latency, and the slice update of `big`.
 */
export async function benchServicesDns(opts: { pods?: number; services?: number; signal?: AbortSignal; seconds?: number } = {}): Promise<Results> {
  const podCount = opts.pods ?? 10_000;
  const serviceCount = opts.services ?? 1_000;
  const groups = Math.max(1, Math.floor(podCount / 100));
  const bigCount = Math.floor(podCount / 2);
  // Room for the latency phase's 100 pods too (110 pods a node).
  const s = await session(Math.ceil((podCount + 100) / 100), opts.signal);
  const results: Results = {};
  try {
    const dnsPort = s.k.dnsPort;
    if (!dnsPort) throw new Error('k8ts did not print its DNS address');
    const svcs: KubeObject[] = [];
    for (let g = 0; g < groups; g++) svcs.push(service(`h${g}`, { group: `h${g}` }, true));
    svcs.push(service('big', { tier: 'big' }, false));
    for (let i = svcs.length; i < serviceCount; i++) svcs.push(service(`c${i}`, { app: `c${i}` }, false));
    await createAll(s.services, svcs);
    const pods: KubeObject[] = [];
    for (let i = 0; i < podCount; i++) {
      const g = Math.floor(i / 100);
      pods.push(pod(`h${g}-${i % 100}`, { group: `h${g}`, ...(i < bigCount && { tier: 'big' }) }, `h${g}`));
    }
    const t0 = performance.now();
    await createAll(s.podsApi, pods);
    await s.until(() => s.pods.list('default').filter(isReady).length >= podCount, opts.signal);
    const readySeconds = (performance.now() - t0) / 1000;
    // Every per-pod name answers before the load starts (the slices have caught up).
    const last = pods[podCount - 1]!;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      if ((await queryA(dnsPort, `${last.metadata.name}.${(last.spec as { subdomain: string }).subdomain}.default.svc.cluster.local`)).length) break;
    }

    results.dnsQueriesPerSecond = await dnsperf(s, dnsPort, { groups, serviceCount, seconds: opts.seconds ?? 15, readySeconds });
    results.dnsReadyToAnswerP99 = await readyToAnswer(s, dnsPort, opts.signal);
    results.endpointSliceUpdateP99 = await sliceUpdate(s, bigCount, opts.signal);
    return results;
  } finally {
    await s.stop();
  }
}

async function dnsperf(s: Session, port: number, o: { groups: number; serviceCount: number; seconds: number; readySeconds: number }) {
  if (!(await hasCommand('dnsperf'))) return skipped('qps', DNS_QPS_TARGET, "dnsperf is not installed (Debian's dnsperf package; npm test's setup installs it as root)");
  const lines: string[] = [];
  const ips = s.pods.list('default').map(podIP).filter((ip): ip is string => !!ip);
  for (let i = 0; i < 4000; i++) {
    const g = i % o.groups;
    switch (i % 4) {
      case 0:
        lines.push(`c${o.groups + 1 + (i % Math.max(1, o.serviceCount - o.groups - 1))}.default.svc.cluster.local A`);
        break;
      case 1:
        lines.push(`h${g}.default.svc.cluster.local A`);
        break;
      case 2:
        lines.push(`h${g}-${i % 100}.h${g}.default.svc.cluster.local A`);
        break;
      default:
        lines.push(`${ips[i % ips.length]!.replaceAll('.', '-')}.default.pod.cluster.local A`);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-dnsperf-'));
  try {
    const file = join(dir, 'queries.txt');
    writeFileSync(file, lines.join('\n') + '\n');
    const { stdout } = await run('dnsperf', ['-s', '127.0.0.1', '-p', String(port), '-d', file, '-l', String(o.seconds), '-c', '8', '-q', '200', '-T', '1'], { maxBuffer: 1 << 24 });
    const qps = Number(/Queries per second:\s+([\d.]+)/.exec(stdout)?.[1]);
    const lost = /Queries lost:\s+(\d+)/.exec(stdout)?.[1];
    const completed = /Queries completed:\s+(\d+)/.exec(stdout)?.[1];
    const latency = /Average Latency \(s\):\s+([\d.]+)/.exec(stdout)?.[1];
    if (!Number.isFinite(qps)) throw new Error(`dnsperf printed no rate:\n${stdout}`);
    return measured(qps, 'qps', DNS_QPS_TARGET, {
      completed: Number(completed),
      lost: Number(lost),
      averageLatencyMs: latency ? Math.round(Number(latency) * 100000) / 100 : undefined,
      services: o.serviceCount,
      pods: s.pods.list('default').length,
      podsReadySeconds: Math.round(o.readySeconds * 10) / 10,
      note: 'bench/services-dns.ts: dnsperf -c 8 -q 200 -T 1 over UDP for 15 s; a quarter each ClusterIP Service, headless Service (100 addresses), per-pod hostname and pod A names',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** New pods behind a headless Service, one at a time: from Ready (watch) to the name answering. */
async function readyToAnswer(s: Session, port: number, signal?: AbortSignal) {
  await s.services.create('default', service('lat', { group: 'lat' }, true));
  const samples: number[] = [];
  const readyAt = new Map<string, number>();
  for (let i = 0; i < 100; i++) {
    if (signal?.aborted) throw new Error('aborted');
    const name = `lat-${i}`;
    await s.podsApi.create('default', pod(name, { group: 'lat' }, 'lat'));
    await s.until(() => {
      const p = s.pods.get('default', name);
      if (p && isReady(p) && !readyAt.has(name)) readyAt.set(name, performance.now());
      return readyAt.has(name);
    }, signal);
    const fqdn = `${name}.lat.default.svc.cluster.local`;
    for (const deadline = Date.now() + 10_000; ; ) {
      if ((await queryA(port, fqdn)).length) break;
      if (Date.now() > deadline) throw new Error(`${fqdn} did not answer within 10 s of Ready`);
      await new Promise((r) => setImmediate(r));
    }
    samples.push(performance.now() - readyAt.get(name)!);
  }
  samples.sort((a, b) => a - b);
  return measured(quantile(samples, 0.99), 'ms', DNS_READY_LATENCY_TARGET, {
    samples: samples.length,
    p50Ms: Math.round(quantile(samples, 0.5) * 100) / 100,
    maxMs: Math.round(samples.at(-1)! * 100) / 100,
    note: 'bench/services-dns.ts: 100 pods created one at a time behind a headless Service; from the Ready status seen by an HTTPS watch to <pod>.<svc> answering A',
  });
}

/** One pod of `big` leaves its selector and comes back: from the patch to the slice watch showing it. */
async function sliceUpdate(s: Session, bigCount: number, signal?: AbortSignal) {
  const slicesApi = s.client.resource({ apiVersion: 'discovery.k8s.io/v1', resource: 'endpointslices', namespaced: true });
  const slices = new Informer(slicesApi, { clock: systemClock, namespace: 'default', labelSelector: 'kubernetes.io/service-name=big' });
  const stop = new AbortController();
  const running = slices.run(stop.signal);
  try {
    await slices.waitForSync();
    const listed = () => slices.list('default').flatMap((sl) => ((sl.endpoints ?? []) as { targetRef?: { name: string } }[]).map((e) => e.targetRef?.name));
    const until = waiterOn(slices);
    const waitSlices = (pred: () => boolean) => until(pred, signal);
    await waitSlices(() => listed().length >= bigCount);
    const samples: number[] = [];
    for (let i = 0; i < 50; i++) {
      const name = `h${Math.floor((i * 97) / 100) % Math.max(1, Math.floor(bigCount / 100))}-${(i * 37) % 100}`;
      for (const tier of ['off', 'big']) {
        const t0 = performance.now();
        await s.podsApi.patch('default', name, 'merge', { metadata: { labels: { tier } } });
        await waitSlices(() => listed().includes(name) === (tier === 'big'));
        samples.push(performance.now() - t0);
      }
    }
    samples.sort((a, b) => a - b);
    return measured(quantile(samples, 0.99), 'ms', SLICE_UPDATE_TARGET, {
      endpoints: bigCount,
      slices: slices.list('default').length,
      samples: samples.length,
      p50Ms: Math.round(quantile(samples, 0.5) * 100) / 100,
      note: 'bench/services-dns.ts: a pod of a 5,000-endpoint Service leaves the selector and comes back; from the label patch sent to the EndpointSlice change seen by an HTTPS watch',
    });
  } finally {
    stop.abort();
    await running;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const pods = process.argv[2] ? Number(process.argv[2]) : undefined;
  const services = process.argv[3] ? Number(process.argv[3]) : undefined;
  console.log(JSON.stringify(await benchServicesDns({ pods, services }), null, 2));
}
