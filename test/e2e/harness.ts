// Helpers for end-to-end tests: start `k8ts up` as a child process on a temp data dir and a free
// port, wait until it is ready, and drive it with the pinned kubectl and helm
// (.tools/bin, put there by scripts/fetch-clients.mjs — never a kubectl found on PATH).
//
// Contract with the CLI: `k8ts up --data-dir D --port P` prints `k8ts: listening on https://H:PORT`
// and `k8ts: kubeconfig written to PATH` (stdout or stderr), and answers GET /readyz with 200
// once it serves. Readiness is polled with a deadline; no fixed sleeps.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, expect } from 'vitest';

export const repoRoot = join(import.meta.dirname, '../..');
export const kubectlBin = join(repoRoot, '.tools/bin/kubectl');
export const helmBin = join(repoRoot, '.tools/bin/helm');
export const chartsDir = join(import.meta.dirname, 'fixtures/charts');
/** Debian's dig (dnsutils), which scripts/fetch-clients.mjs installs when it can. */
export const digBin = (process.env.PATH ?? '').split(':').map((d) => join(d, 'dig')).find((p) => existsSync(p)) ?? 'dig (install Debian\'s dnsutils)';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the command's stdin (closed either way). */
  input?: string;
  /** Added to (and overriding) the cluster's client environment. */
  env?: Record<string, string>;
  /** Resolve with a non-zero code instead of throwing. */
  allowFail?: boolean;
  /** Kill the command after this long; default 90 s (beyond kubectl's usual --timeout=60s, so its own error shows). */
  timeoutMs?: number;
}

export interface StartOptions {
  /** Extra arguments after `up --data-dir D --port P`. */
  args?: string[];
  /** Added to the server's environment. */
  env?: Record<string, string>;
  /** How long to wait for readiness; default 60 s. */
  readyTimeoutMs?: number;
  /** Command that starts the server instead of `node bin/k8ts.mjs` (for testing the harness). */
  command?: string[];
}

export interface K8ts {
  /** The server's data dir (kept across restart(), removed by stop()). */
  readonly dataDir: string;
  /** Path of the kubeconfig the server wrote. */
  readonly kubeconfig: string;
  readonly port: number;
  /** UDP and TCP port of the cluster DNS server, as `k8ts: DNS on 127.0.0.1:<port>` printed it. */
  readonly dnsPort: number;
  /** `https://127.0.0.1:<port>` as printed by the server. */
  readonly url: string;
  /** Admin bearer token, from the kubeconfig. */
  readonly token: string;
  /** CA that signed the serving certificate, from the kubeconfig. */
  readonly caPem: string;
  /** Everything the server printed so far (all starts), for failure messages. */
  output(): string;
  /** kubectl with this cluster's KUBECONFIG and its own HOME and cache dir. */
  kubectl(args: string[], opts?: RunOptions): Promise<RunResult>;
  /** helm with this cluster's KUBECONFIG and its own config, cache and data dirs. */
  helm(args: string[], opts?: RunOptions): Promise<RunResult>;
  /** GET/POST/... against the API with the admin token; resolves with status and body text. */
  fetch(path: string, init?: { method?: string; body?: string; headers?: Record<string, string> }): Promise<{ status: number; body: string }>;
  /** SIGTERM, wait for exit (SIGKILL after 10 s), then remove the temp dirs. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL the server (a crash) and wait for it to exit; the data dir stays. */
  kill9(): Promise<void>;
  /** Stop (gracefully unless already dead) and start again on the same data dir and port. */
  restart(opts?: { graceful?: boolean }): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
});

/** Starts `k8ts up` on a fresh temp data dir and resolves once /readyz answers 200. */
export async function startK8ts(opts: StartOptions = {}): Promise<K8ts> {
  const root = mkdtempSync(join(tmpdir(), 'k8ts-e2e-'));
  const dataDir = join(root, 'data');
  const home = join(root, 'home');
  mkdirSync(home, { recursive: true });
  const command = opts.command ?? [process.execPath, join(repoRoot, 'bin/k8ts.mjs')];
  if (!opts.command && !existsSync(join(repoRoot, 'dist/k8ts.mjs'))) {
    throw new Error('Cannot start k8ts: dist/k8ts.mjs is missing: run `npm run build` first');
  }

  let log = '';
  let child: ChildProcess | undefined;
  let state: { port: number; url: string; kubeconfig: string; token: string; caPem: string; dnsPort: number } | undefined;
  let stopped = false;

  const launch = async (port: number, dnsPort = 0) => {
    // A free DNS port unless the test picks one; a restart keeps the one it had.
    const dnsArgs = (opts.args ?? []).includes('--dns-port') ? [] : ['--dns-port', String(dnsPort)];
    const args = [...command.slice(1), 'up', '--data-dir', dataDir, '--port', String(port), ...dnsArgs, ...(opts.args ?? [])];
    const proc = spawn(command[0]!, args, {
      cwd: repoRoot,
      // Its own K8TS_HOME: the cluster registry stays in the test's temp dir.
      env: { ...process.env, K8TS_HOME: join(root, 'k8ts-home'), ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group, so stop() also ends anything it started
    });
    child = proc;
    live.add(proc);
    proc.once('exit', () => live.delete(proc));
    const seen: { url?: string; port?: number; kubeconfig?: string; dnsPort?: number } = {};
    let pending = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log += text;
      if (process.env.K8TS_E2E_VERBOSE) process.stderr.write(text);
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const listen = /k8ts: listening on (https:\/\/\S+):(\d+)/.exec(line);
        if (listen) Object.assign(seen, { url: `${listen[1]}:${listen[2]}`, port: Number(listen[2]) });
        const kc = /k8ts: kubeconfig written to (\S+)/.exec(line);
        if (kc) seen.kubeconfig = kc[1];
        const dns = /k8ts: DNS on [\d.]+:(\d+)/.exec(line);
        if (dns) seen.dnsPort = Number(dns[1]);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    let exited: string | undefined;
    proc.once('exit', (code, signal) => (exited = `exited with ${signal ?? `code ${code}`}`));

    const shown = () => `${command.join(' ')} ${args.slice(command.length - 1).join(' ')}`;
    await waitFor(
      async () => {
        if (exited) throw new StopWaiting(`k8ts ${exited} before it was ready`);
        if (!seen.url || !seen.kubeconfig) return false;
        if (!state || state.kubeconfig !== seen.kubeconfig || state.port !== seen.port || state.dnsPort !== (seen.dnsPort ?? 0)) {
          state = { port: seen.port!, url: seen.url, kubeconfig: seen.kubeconfig, dnsPort: seen.dnsPort ?? 0, ...readKubeconfig(seen.kubeconfig) };
        }
        const res = await httpsRequest(state.url + '/readyz', { caPem: state.caPem, token: state.token, timeoutMs: 2000 }).catch(() => undefined);
        return res?.status === 200;
      },
      { timeoutMs: opts.readyTimeoutMs ?? 60_000, intervalMs: 50, message: () => `k8ts did not become ready (${shown()})\n--- output ---\n${tail(log)}` },
    ).catch((err: Error) => {
      killGroup(proc, 'SIGKILL');
      throw err instanceof StopWaiting ? new Error(`${err.message} (${shown()})\n--- output ---\n${tail(log)}`) : err;
    });
  };

  const halt = async (signal: NodeJS.Signals) => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const done = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    if (signal === 'SIGKILL') {
      proc.kill('SIGKILL'); // the server only: a crash leaves what it started running
    } else {
      proc.kill(signal);
      const timer = setTimeout(() => killGroup(proc, 'SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
    }
    await done;
  };

  const groups: ChildProcess[] = [];
  const need = () => {
    if (!state) throw new Error('k8ts is not running');
    return state;
  };
  const env = (): Record<string, string> => ({
    KUBECONFIG: need().kubeconfig,
    HOME: home,
    KUBECACHEDIR: join(home, '.kube/cache'),
    HELM_CONFIG_HOME: join(home, '.config/helm'),
    HELM_CACHE_HOME: join(home, '.cache/helm'),
    HELM_DATA_HOME: join(home, '.local/share/helm'),
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local/share'),
  });

  await launch(0);
  groups.push(child!);

  return {
    dataDir,
    get kubeconfig() {
      return need().kubeconfig;
    },
    get port() {
      return need().port;
    },
    get url() {
      return need().url;
    },
    get dnsPort() {
      return need().dnsPort;
    },
    get token() {
      return need().token;
    },
    get caPem() {
      return need().caPem;
    },
    output: () => log,
    kubectl: (args, o = {}) => run(kubectlBin, args, { ...o, env: { ...env(), ...o.env } }),
    helm: (args, o = {}) => run(helmBin, args, { ...o, env: { ...env(), ...o.env } }),
    fetch: (path, init = {}) => httpsRequest(need().url + path, { ...init, caPem: need().caPem, token: need().token, timeoutMs: 30_000 }),
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt('SIGTERM');
      for (const g of groups) killGroup(g, 'SIGKILL');
      rmSync(root, { recursive: true, force: true });
    },
    async kill9() {
      await halt('SIGKILL');
    },
    async restart({ graceful = true } = {}) {
      if (stopped) throw new Error('Cannot restart k8ts: it was stopped');
      await halt(graceful ? 'SIGTERM' : 'SIGKILL');
      await launch(need().port, need().dnsPort);
      groups.push(child!);
    },
  };
}

/** Runs the pinned kubectl with the given environment (no cluster needed; see K8ts.kubectl). */
export function kubectl(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return run(kubectlBin, args, opts);
}

/** Runs the pinned helm with the given environment (no cluster needed; see K8ts.helm). */
export function helm(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return run(helmBin, args, opts);
}

/**
 * Runs a command to completion. Rejects on a non-zero exit (with its output in the message)
 * unless `allowFail`, and on timeout always.
 */
export function run(bin: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  if (!existsSync(bin)) {
    return Promise.reject(new Error(`Cannot run ${bin}: not found: run \`node scripts/fetch-clients.mjs\``));
  }
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, args, { env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    proc.stdin.on('error', () => {}); // the command may exit without reading its input
    proc.stdin.end(opts.input ?? '');
    const timeoutMs = opts.timeoutMs ?? 90_000;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      proc.kill('SIGKILL');
    }, timeoutMs);
    proc.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    proc.once('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code: code ?? 128, stdout, stderr };
      const shown = `${bin.split('/').pop()} ${args.join(' ')}`;
      if (timedOut) reject(new Error(`${shown} timed out after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
      else if (code !== 0 && !opts.allowFail) reject(new Error(`${shown} failed with ${signal ?? `code ${code}`}\nstdout: ${stdout}\nstderr: ${stderr}`));
      else resolve(result);
    });
  });
}

export interface WaitOptions {
  /** Default 30 s. */
  timeoutMs?: number;
  /** Pause between attempts; default 100 ms. */
  intervalMs?: number;
  /** Text for the timeout error (a function is called only on failure). */
  message?: string | (() => string);
}

/** Thrown inside a waitFor callback to give up at once instead of retrying. */
export class StopWaiting extends Error {}

/**
 * Calls `fn` until it returns a value other than false, null or undefined, and resolves with
 * that value. A throw counts as "not yet" (the last error is reported on timeout) except
 * StopWaiting, which rejects at once. Rejects when `timeoutMs` passes.
 */
export async function waitFor<T>(fn: () => T | Promise<T>, opts: WaitOptions = {}): Promise<Exclude<T, false | null | undefined>> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const intervalMs = opts.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  let lastError: unknown;
  for (;;) {
    try {
      last = await fn();
      lastError = undefined;
      if (last !== false && last !== null && last !== undefined) return last as Exclude<T, false | null | undefined>;
    } catch (err) {
      if (err instanceof StopWaiting) throw err;
      lastError = err;
    }
    if (Date.now() + intervalMs > deadline) break;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const msg = typeof opts.message === 'function' ? opts.message() : (opts.message ?? 'Condition not met');
  const detail = lastError ? `last error: ${(lastError as Error).message ?? String(lastError)}` : `last value: ${JSON.stringify(last)}`;
  throw new Error(`${msg} within ${timeoutMs} ms (${detail})`, { cause: lastError });
}

/** The CA and token of a kubeconfig written by `k8ts up` (its first cluster and user). */
export function readKubeconfig(path: string): { caPem: string; token: string } {
  const cfg = parse(readFileSync(path, 'utf8')) as {
    clusters?: { cluster?: { 'certificate-authority-data'?: string } }[];
    users?: { user?: { token?: string } }[];
  };
  const caData = cfg.clusters?.[0]?.cluster?.['certificate-authority-data'];
  const token = cfg.users?.[0]?.user?.token;
  if (!caData || !token) throw new Error(`Kubeconfig ${path} lacks certificate-authority-data or a token`);
  return { caPem: Buffer.from(caData, 'base64').toString('utf8'), token };
}

/** One HTTPS request trusting only `caPem`, with a bearer token. */
export function httpsRequest(
  url: string,
  opts: { caPem: string; token?: string; method?: string; body?: string; headers?: Record<string, string>; timeoutMs?: number },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const req = request(url, { method: opts.method ?? 'GET', ca: opts.caPem, headers, timeout: opts.timeoutMs ?? 30_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`Request to ${url} timed out`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

function killGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (proc.pid === undefined) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // already gone
  }
}

function tail(text: string, max = 8000): string {
  return text.length > max ? '…' + text.slice(-max) : text;
}

/**
 * Starts one cluster for the calling test file (beforeAll) and stops it afterwards (afterAll);
 * `cluster()` returns it inside tests.
 */
export function useK8ts(opts: StartOptions = {}): () => K8ts {
  let k: K8ts | undefined;
  beforeAll(async () => {
    k = await startK8ts(opts);
  });
  afterAll(async () => {
    await k?.stop();
  });
  return () => {
    if (!k) throw new Error('the cluster is not started: call useK8ts() at the top of the test file');
    return k;
  };
}

/** kubectl that must succeed: fails the test with kubectl's stderr and the server's last output otherwise. */
export async function kubectlOk(k: K8ts, args: string[], input?: string): Promise<string> {
  const r = await k.kubectl(args, { input, allowFail: true });
  expect(r.code, `kubectl ${args.join(' ')}\n${r.stderr}\n${k.output().slice(-2000)}`).toBe(0);
  return r.stdout;
}
