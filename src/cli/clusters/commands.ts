// The cluster lifecycle commands: `k8ts stop`, `start`, `list`, `delete` and `export logs`, each
// naming a cluster by --name (from the registry in $K8TS_HOME) or --data-dir (default ./.k8ts).
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { runningPid } from '../data-dir-lock.ts';
import { accessClient, kubeconfigPath, readClusterAccess } from '../remote-client.ts';
import { exportLogs } from './export-logs.ts';
import { serverLog, startCluster, stopCluster } from './lifecycle.ts';
import { clusterDataDir, contextName, readClusterRecord, readRegistry, unregister, UNNAMED } from './registry.ts';
import { removeFromUserKubeconfig } from './user-kubeconfig.ts';

const say = (l: string) => process.stdout.write(`${l}\n`);

interface Which {
  name?: string;
  dataDir?: string;
}

const which = (c: Command) => c.option('--name <name>', 'the cluster, by the name it was created with').option('--data-dir <dir>', 'the cluster, by its data dir (default ./.k8ts)');

/** A data dir that holds a cluster (so `delete` never removes a directory that is something else). */
function isClusterDir(dir: string): boolean {
  return ['cluster.json', 'state.db', 'kubeconfig', 'pki'].some((f) => existsSync(join(dir, f)));
}

async function nodeCount(dataDir: string): Promise<string> {
  try {
    const access = await readClusterAccess(join(dataDir, 'kubeconfig'));
    const { client, close } = accessClient(access, 'k8ts-list/v0.1.0');
    try {
      const res = await client.request('GET', '/api/v1/nodes?limit=500');
      if (res.status !== 200) return '?';
      const list = JSON.parse(String(res.body)) as { items: unknown[]; metadata?: { continue?: string; remainingItemCount?: number } };
      return String(list.items.length + (list.metadata?.remainingItemCount ?? 0));
    } finally {
      close();
    }
  } catch {
    return '?';
  }
}

async function server(dataDir: string): Promise<string> {
  try {
    return (await readClusterAccess(join(dataDir, 'kubeconfig'))).server;
  } catch {
    return '-';
  }
}

export function registerClusterCommands(program: Command): void {
  which(program.command('stop').description('Stop a running cluster cleanly (its objects, volumes and node set stay for `k8ts start`)')).action(async (o: Which) => {
    await stopCluster(clusterDataDir(o), { out: say });
  });

  which(program.command('start').description('Start a stopped cluster again in the background, with the options it was created with; waits until it is ready')).action(async (o: Which) => {
    await startCluster(clusterDataDir(o), { out: say });
  });

  program
    .command('list')
    .description('List the clusters `k8ts up` has made on this machine')
    .action(async () => {
      const rows = [['NAME', 'STATUS', 'SERVER', 'NODES', 'DATA DIR']];
      for (const e of readRegistry()) {
        if (!existsSync(e.dataDir)) continue;
        const pid = runningPid(e.dataDir);
        rows.push([e.name, pid ? 'Running' : 'Stopped', await server(e.dataDir), pid ? await nodeCount(e.dataDir) : '-', e.dataDir]);
      }
      if (rows.length === 1) {
        say('No clusters: start one with `k8ts up`');
        return;
      }
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) say(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd());
    });

  which(program.command('delete').description("Delete a cluster: stop it if it runs, remove its data dir and its context from your kubeconfig")).action(async (o: Which) => {
    const dataDir = clusterDataDir(o);
    if (!existsSync(dataDir)) throw new Error(`no cluster at ${dataDir}${o.name ? ` (named "${o.name}")` : ''}: \`k8ts list\` shows the clusters there are`);
    if (!isClusterDir(dataDir)) throw new Error(`${dataDir} does not look like a k8ts data dir: not removed`);
    const name = readClusterRecord(dataDir)?.name ?? UNNAMED;
    if (runningPid(dataDir) !== undefined) await stopCluster(dataDir, { out: say });
    if (removeFromUserKubeconfig(contextName(name))) say(`context ${contextName(name)} removed from your kubeconfig`);
    rmSync(dataDir, { recursive: true, force: true });
    unregister(dataDir);
    say(`deleted cluster "${name}" (${dataDir})`);
  });

  const exp = program.command('export').description('Export what a cluster knows');
  which(exp.command('logs <dir>').description("Gather the server's log, every pod's container logs and every object (Secret values redacted) into a folder"))
    .option('--kubeconfig <path>', 'reach the cluster through this kubeconfig instead (any cluster; no server log then)')
    .action(async (dir: string, o: Which & { kubeconfig?: string }) => {
      const dataDir = o.kubeconfig ? undefined : clusterDataDir(o);
      if (dataDir && runningPid(dataDir) === undefined) throw new Error(`the cluster in ${dataDir} is not running: \`k8ts start\` it first (the export reads pods' logs and objects through the API)`);
      const access = await readClusterAccess(o.kubeconfig ? kubeconfigPath(o.kubeconfig) : join(dataDir!, 'kubeconfig'));
      const { client, close } = accessClient(access, 'k8ts-export/v0.1.0');
      try {
        await exportLogs(client, dir, { serverLog: dataDir ? serverLog(dataDir) : undefined, out: say });
      } finally {
        close();
      }
    });
}
