// A throwaway single-member etcd for tests and benchmarks: Debian's `etcd-server` binary (or
// $ETCD_BIN) on free loopback ports with a temporary data dir. It can be paused (SIGSTOP: the
// socket stays open but nothing answers), killed and restarted on the same ports and data, which
// is what the fault tests need.
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The etcd binary: $ETCD_BIN, else `etcd` on PATH; undefined when there is none. */
export function findEtcd(): string | undefined {
  const candidates = process.env.ETCD_BIN ? [process.env.ETCD_BIN] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'etcd'));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next candidate
    }
  }
  return undefined;
}

/** `etcd --version`'s server version, e.g. 3.4.23. */
export function etcdVersion(bin: string): string {
  return /etcd Version: (\S+)/.exec(execFileSync(bin, ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export interface EtcdServer {
  /** Client URL, e.g. http://127.0.0.1:41234 (https:// when started with TLS). */
  readonly endpoint: string;
  /** A plain-HTTP client URL on loopback, also served when TLS is on (for health checks and setup). */
  readonly plainEndpoint: string;
  readonly version: string;
  /** The running process's pid (changes on restart). */
  pid(): number;
  /** Freezes the process (SIGSTOP): connections stay open, nothing is answered. */
  pause(): void;
  resume(): void;
  /** Kills the process (SIGKILL) and waits for it to exit; data stays for restart(). */
  kill(): Promise<void>;
  /** Starts etcd again on the same ports and data dir; resolves once it is healthy. */
  restart(): Promise<void>;
  /** Stops etcd and removes its data. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

export interface StartEtcdOptions {
  bin?: string;
  name?: string;
  /** Serve clients over TLS with this PEM certificate and key (a plain URL stays open as well). */
  tls?: { certFile: string; keyFile: string };
}

/** Starts etcd and resolves once its /health answers true (rejects after 20 s with its log). */
export async function startEtcd(opts: StartEtcdOptions = {}): Promise<EtcdServer> {
  const bin = opts.bin ?? findEtcd();
  if (!bin) throw new Error("Start etcd failed: no etcd binary (install Debian's etcd-server or set ETCD_BIN)");
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-etcd-'));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const plainEndpoint = `http://127.0.0.1:${clientPort}`;
  const tlsEndpoint = opts.tls ? `https://127.0.0.1:${await freePort()}` : undefined;
  const endpoint = tlsEndpoint ?? plainEndpoint;
  const clientUrls = tlsEndpoint ? `${tlsEndpoint},${plainEndpoint}` : plainEndpoint;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const name = opts.name ?? 'k8ts-test';
  const args = [
    '--name', name, '--data-dir', join(dir, 'data'),
    '--listen-client-urls', clientUrls, '--advertise-client-urls', clientUrls,
    ...(opts.tls ? ['--cert-file', opts.tls.certFile, '--key-file', opts.tls.keyFile] : []),
    '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', `${name}=${peerUrl}`, '--initial-cluster-state', 'new',
    '--log-level', 'warn', '--logger', 'zap',
  ];
  let child: ChildProcess;
  let log = '';
  const launch = async () => {
    log = '';
    child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    child.once('exit', () => running.delete(child));
    const keep = (c: Buffer) => (log = (log + c.toString()).slice(-4000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    await waitHealthy(plainEndpoint, child, () => log);
  };
  const exit = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exited;
  };
  try {
    await launch();
  } catch (e) {
    await exit();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    endpoint,
    plainEndpoint,
    version: etcdVersion(bin),
    pid: () => child.pid!,
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    kill: exit,
    restart: async () => {
      await exit();
      await launch();
    },
    stop: async () => {
      await exit();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitHealthy(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = performance.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`Start etcd failed: it exited before it was healthy\n${log()}`);
    if (performance.now() > deadline) throw new Error(`Start etcd failed: not healthy after 20 s\n${log()}`);
    const ok = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) })
      .then(async (r) => r.ok && ((await r.json()) as { health?: string }).health === 'true')
      .catch(() => false);
    if (ok) return;
    await sleep(50);
  }
}
