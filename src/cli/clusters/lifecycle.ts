// `k8ts stop` and `k8ts start`: a cluster's `up` process is found through its data dir's pid file
// and stopped with SIGTERM (the clean stop `up` does on Ctrl-C), and started again in the
// background from its record with the arguments it was created with, its output going to
// `<data-dir>/logs/server.log`.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processAlive, runningPid } from '../data-dir-lock.ts';
import { readClusterAccess } from '../remote-client.ts';
import { readClusterRecord, UNNAMED } from './registry.ts';

export const serverLog = (dataDir: string) => join(dataDir, 'logs', 'server.log');

const describe = (name: string, dataDir: string) => `cluster "${name}" (${dataDir})`;

function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** SIGTERM to the cluster's process, then waits until it has exited. */
export async function stopCluster(dataDir: string, o: { timeoutMs?: number; out?: (l: string) => void } = {}): Promise<void> {
  const name = readClusterRecord(dataDir)?.name ?? UNNAMED;
  const pid = runningPid(dataDir);
  if (pid === undefined) throw new Error(`${describe(name, dataDir)} is not running`);
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  while (processAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`${describe(name, dataDir)} did not stop within ${Math.round((o.timeoutMs ?? 60_000) / 1000)} s; \`kill -9 ${pid}\` ends it (nothing acknowledged is lost)`);
    await sleep(50);
  }
  o.out?.(`stopped ${describe(name, dataDir)}`);
}

function readyz(server: string, caPem: string): Promise<boolean> {
  return new Promise((resolve) => {
    const r = request(`${server}/readyz`, { ca: caPem, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    r.once('error', () => resolve(false));
    r.once('timeout', () => r.destroy());
    r.end();
  });
}

/**
 * Starts the cluster's `up` in the background and resolves once it answers /readyz; an `up`
 * that ends first is reported with the end of its log.
 */
export async function startCluster(dataDir: string, o: { bin?: string; timeoutMs?: number; out?: (l: string) => void } = {}): Promise<void> {
  const out = o.out ?? (() => {});
  const record = readClusterRecord(dataDir);
  if (!record) throw new Error(`no cluster in ${dataDir}: create one with \`k8ts up${dataDir.endsWith('/.k8ts') ? '' : ` --data-dir ${dataDir}`}\``);
  const kubeconfig = join(dataDir, 'kubeconfig');
  const running = runningPid(dataDir);
  if (running !== undefined) {
    out(`${describe(record.name, dataDir)} is already running (process ${running})`);
    out(`run: export KUBECONFIG=${kubeconfig}`);
    return;
  }
  const log = serverLog(dataDir);
  mkdirSync(join(dataDir, 'logs'), { recursive: true });
  const fd = openSync(log, 'a');
  const args = [o.bin ?? process.argv[1]!, 'up', '--data-dir', dataDir, ...(record.name !== UNNAMED ? ['--name', record.name] : []), ...record.args];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  child.unref();
  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  for (;;) {
    if (exited !== undefined) throw new Error(`${describe(record.name, dataDir)} did not start (exit code ${exited}); the end of ${log}:\n${tail(log)}`);
    if (Date.now() > deadline) throw new Error(`${describe(record.name, dataDir)} did not answer /readyz within ${Math.round((o.timeoutMs ?? 120_000) / 1000)} s (process ${child.pid} still runs); see ${log}`);
    // The kubeconfig is written once the server listens; it may be last run's until then.
    if (runningPid(dataDir) === child.pid && existsSync(kubeconfig)) {
      const access = await readClusterAccess(kubeconfig).catch(() => undefined);
      if (access && (await readyz(access.server, access.caPem))) break;
    }
    await sleep(100);
  }
  out(`started ${describe(record.name, dataDir)} (process ${child.pid}, log ${log})`);
  out(`run: export KUBECONFIG=${kubeconfig}`);
}
