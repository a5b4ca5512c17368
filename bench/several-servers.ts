// Beyond one machine: failover after kill -9 of the leading server (two servers on one local
// etcd, upstream's election timings), and 1,000 nodes spread over 4 `k8ts agent` processes, with
// each agent's steady-state CPU and RSS once every node is Ready.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEtcd } from '../src/store/etcd/etcd-server.ts';
import { findEtcd } from '../src/store/etcd/etcd-server.ts';
import { removeDir, stopChild, tempDir, trackChild } from './lib/cleanup.ts';
import { readCpuSeconds, readRssMiB, repoRoot, startK8ts, type K8tsProcess } from './lib/k8ts-process.ts';
import { measured, skipped, type Results, type Target } from './lib/result.ts';
import { round2 } from './lib/stats.ts';

export const FAILOVER_TARGET: Target = { op: '<', value: 15_000 };
export const SEVERAL_SERVERS_REPORTS = {
  failover: { unit: 'ms', target: FAILOVER_TARGET },
  agentCpu: { unit: '% of a core' },
  agentRss: { unit: 'MiB' },
} as const;

const AGENTS = 4;
const NODES_PER_AGENT = 250;

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms: number, signal?: AbortSignal): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end || signal?.aborted) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function holder(k: K8tsProcess, lease: string): Promise<string | undefined> {
  const c = k.client(1);
  try {
    const r = await c.request('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${lease}`);
    return r.status === 200 ? (JSON.parse(r.body) as { spec?: { holderIdentity?: string } }).spec?.holderIdentity : undefined;
  } finally {
    c.close();
  }
}

async function readyNodes(k: K8tsProcess): Promise<number> {
  const c = k.client(1);
  try {
    const r = await c.request('GET', '/api/v1/nodes');
    const items = (JSON.parse(r.body) as { items: { status?: { conditions?: { type: string; status: string }[] } }[] }).items;
    return items.filter((n) => n.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')).length;
  } finally {
    c.close();
  }
}

export async function benchSeveralServers(o: { signal?: AbortSignal } = {}): Promise<Results> {
  if (!findEtcd()) {
    const why = "no etcd binary (Debian's etcd-server, or ETCD_BIN)";
    return { failover: skipped('ms', FAILOVER_TARGET, why), agentCpu: skipped('% of a core', undefined, why), agentRss: skipped('MiB', undefined, why) };
  }
  const etcd = await startEtcd();
  const dirs = [tempDir('k8ts-bench-a-'), tempDir('k8ts-bench-b-')];
  const agents: ChildProcess[] = [];
  let a: K8tsProcess | undefined;
  let b: K8tsProcess | undefined;
  const results: Results = {};
  try {
    const store = ['--datastore', `etcd://${etcd.endpoint.replace('http://', '')}`, '--workers', '0'];
    a = await startK8ts({ dataDir: dirs[0]!, args: store, signal: o.signal });
    const first = await until('server 1 to lead', async () => holder(a!, 'kube-controller-manager'), 30_000, o.signal);
    b = await startK8ts({ dataDir: dirs[1]!, args: [...store, '--token', a.token], signal: o.signal });

    // 1,000 nodes over 4 agent processes, joined through server 2.
    for (let i = 0; i < AGENTS; i++) {
      const child = spawn(process.execPath, [join(repoRoot, 'bin/k8ts.mjs'), 'agent', '--server', b.url, '--token', a.token, '--name', `agent${i}`, '--count', String(NODES_PER_AGENT)], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      trackChild(child);
      agents.push(child);
    }
    const t0 = performance.now();
    await until('1,000 agent nodes Ready', async () => ((await readyNodes(b!)) >= AGENTS * NODES_PER_AGENT ? true : undefined), 300_000, o.signal);
    const joinMs = performance.now() - t0;
    // Steady state: heartbeats (leases every 10 s, status every minute) and nothing else.
    await sleep(10_000);
    const cpu0 = agents.map((c) => readCpuSeconds(c.pid!));
    const w0 = performance.now();
    await sleep(30_000);
    const wall = (performance.now() - w0) / 1000;
    const cpu = agents.map((c, i) => ((readCpuSeconds(c.pid!) - cpu0[i]!) / wall) * 100);
    const rss = agents.map((c) => readRssMiB(c.pid!));
    const detail = { agents: AGENTS, nodesPerAgent: NODES_PER_AGENT, allReadyMs: Math.round(joinMs), perAgent: cpu.map((c, i) => ({ cpuPercent: round2(c), rssMiB: round2(rss[i]!) })), serverRssMiB: { a: round2(a.rssMiB()), b: round2(b.rssMiB()) }, note: 'bench/several-servers.ts: 30 s steady state after all nodes were Ready' };
    results.agentCpu = measured(round2(cpu.reduce((s, x) => s + x, 0) / AGENTS), '% of a core', undefined, detail);
    results.agentRss = measured(round2(rss.reduce((s, x) => s + x, 0) / AGENTS), 'MiB', undefined, detail);

    // kill -9 of the leader (server 1, which has led since it started): time until server 2 leads.
    const killedAt = performance.now();
    await stopChild(a.child, { signal: 'SIGKILL' });
    a = undefined;
    const next = await until('server 2 to lead', async () => {
      const h = await holder(b!, 'kube-controller-manager');
      return h && h !== first ? h : undefined;
    }, 60_000, o.signal);
    results.failover = measured(Math.round(performance.now() - killedAt), 'ms', FAILOVER_TARGET, { from: first, to: next, note: 'bench/several-servers.ts: kill -9 of the leader until the other server holds kube-controller-manager (lease 15 s, renew deadline 10 s, retry 2 s)' });
    return results;
  } finally {
    for (const c of agents) await stopChild(c, { signal: 'SIGKILL' });
    await a?.stop();
    await b?.stop();
    await etcd.stop();
    for (const d of dirs) removeDir(d);
  }
}
