// Starts `k8ts up` as a child process (as a user would: `node bin/k8ts.mjs up --data-dir D
// --port 0`) and measures the time from spawn to the first 200 from /readyz.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopChild, trackChild } from './cleanup.ts';
import { ApiClient } from './https-client.ts';
import { RawHttpClient } from './raw-http.ts';

export const repoRoot = join(import.meta.dirname, '../..');

export interface K8tsProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly url: string;
  readonly token: string;
  readonly caPem: string;
  /** Milliseconds from spawn to the first /readyz 200. */
  readonly readyMs: number;
  /** Milliseconds from spawn to the `listening on` line. */
  readonly listeningMs: number;
  /** UDP/TCP port of the cluster DNS server, from the `DNS on` line (undefined if none printed). */
  readonly dnsPort?: number;
  /** A client with its own keep-alive pool (close it when done). */
  client(maxSockets?: number): ApiClient;
  /** A lean keep-alive load client with this many connections (close it when done). */
  raw(connections?: number): RawHttpClient;
  /** Resident set size of the server process, from /proc/<pid>/status. */
  rssMiB(): number;
  /** CPU time (user + system) the server has used so far, in seconds. */
  cpuSeconds(): number;
  /** Everything the server printed. */
  output(): string;
  /** SIGTERM (SIGKILL after 10 s); resolves once the process has exited. */
  stop(): Promise<void>;
}

export interface StartK8tsOptions {
  dataDir: string;
  signal?: AbortSignal;
  /** Write a V8 CPU profile of the server into this directory (node --cpu-prof). */
  cpuProfDir?: string;
  /** Give up waiting for readiness after this long; default 30 s. */
  readyTimeoutMs?: number;
  /** More `k8ts up` arguments (e.g. --workers). */
  args?: string[];
  /** Added to the server's environment. */
  env?: Record<string, string>;
}

export async function startK8ts(opts: StartK8tsOptions): Promise<K8tsProcess> {
  const nodeArgs = opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : [];
  const t0 = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, join(repoRoot, 'bin/k8ts.mjs'), 'up', '--data-dir', opts.dataDir, '--port', '0', '--dns-port', '0', ...(opts.args ?? [])], {
    cwd: repoRoot,
    // The cluster registry beside the data dir, not in the user's home.
    env: { ...process.env, K8TS_HOME: join(opts.dataDir, '..', 'k8ts-home'), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  trackChild(child);
  let log = '';
  let url: string | undefined;
  let listeningMs = 0;
  let exited: string | undefined;
  child.once('exit', (code, sig) => (exited = `exited with ${sig ?? `code ${code}`}`));
  const onData = (chunk: Buffer) => {
    log += chunk.toString('utf8');
    if (url) return;
    url = /k8ts: listening on (https:\/\/\S+)/.exec(log)?.[1];
    if (url) listeningMs = performance.now() - t0;
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);

  const deadline = t0 + (opts.readyTimeoutMs ?? 30_000);
  const fail = async (why: string): Promise<never> => {
    await stopChild(child, { signal: 'SIGKILL' });
    throw new Error(`k8ts did not become ready: ${why}\n--- output ---\n${log.slice(-2000)}`);
  };
  let probe: ApiClient | undefined;
  let readyMs = 0;
  try {
    for (;;) {
      if (exited) await fail(exited);
      if (opts.signal?.aborted) await fail('the benchmark deadline passed');
      if (performance.now() > deadline) await fail('timed out');
      if (url) {
        probe ??= new ApiClient({ url, token: readFileSync(join(opts.dataDir, 'token'), 'utf8').trim(), caPem: readFileSync(join(opts.dataDir, 'pki/ca.crt'), 'utf8'), maxSockets: 1 });
        const res = await probe.request('GET', '/readyz').catch(() => undefined);
        if (res?.status === 200) {
          readyMs = performance.now() - t0;
          break;
        }
      }
      await sleep(url ? 5 : 2);
    }
  } finally {
    probe?.close();
  }

  const token = readFileSync(join(opts.dataDir, 'token'), 'utf8').trim();
  const caPem = readFileSync(join(opts.dataDir, 'pki/ca.crt'), 'utf8');
  return {
    child,
    pid: child.pid!,
    url: url!,
    token,
    caPem,
    readyMs,
    listeningMs,
    dnsPort: Number(/k8ts: DNS on [\d.]+:(\d+)/.exec(log)?.[1]) || undefined,
    client: (maxSockets = 32) => new ApiClient({ url: url!, token, caPem, maxSockets }),
    raw: (connections = 32) => new RawHttpClient({ url: url!, token, caPem, connections }),
    rssMiB: () => readRssMiB(child.pid!),
    cpuSeconds: () => readCpuSeconds(child.pid!),
    output: () => log,
    stop: () => stopChild(child, { signal: 'SIGTERM', graceMs: 10_000 }),
  };
}

/** Starts k8ts, runs fn against it, and stops it however fn ends. */
export async function withK8ts<T>(opts: StartK8tsOptions, fn: (k: K8tsProcess) => Promise<T>): Promise<T> {
  const k = await startK8ts(opts);
  try {
    return await fn(k);
  } finally {
    await k.stop();
  }
}

export function readRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
  if (!Number.isFinite(kb)) throw new Error(`Cannot read VmRSS of process ${pid}`);
  return kb / 1024;
}

/** User + system CPU seconds of a process, from /proc/<pid>/stat (clock ticks of 1/100 s). */
export function readCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Runs fn and reports the CPU seconds the server and this (client) process used meanwhile: on a
 * small machine both share the cores, so this shows which side is the bottleneck.
 */
export async function withCpu<T>(k: K8tsProcess, fn: () => Promise<T>): Promise<T & { cpu: { serverSeconds: number; clientSeconds: number; wallSeconds: number } }> {
  const s0 = k.cpuSeconds();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = await fn();
  const c = process.cpuUsage(c0);
  const r = (x: number) => Math.round(x * 100) / 100;
  return Object.assign(out as object, { cpu: { serverSeconds: r(k.cpuSeconds() - s0), clientSeconds: r((c.user + c.system) / 1e6), wallSeconds: r((performance.now() - t0) / 1000) } }) as T & { cpu: { serverSeconds: number; clientSeconds: number; wallSeconds: number } };
}
