// The `k8ts` command line. This is the one place that wires implementations together.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_DNS_PORT, up, type UpOptions } from './up.ts';
import { DEFAULT_SERVICE_CIDR, parseServiceCidr } from '../registry/admission/service-ranges.ts';
import { registerNodeCommands } from './node-commands.ts';
import { registerImageCommands } from './image-commands.ts';
import { registerAgentCommands } from './agent-commands.ts';
import { registerMigrateCommand } from './migrate.ts';
import { registerClusterCommands } from './clusters/commands.ts';
import { registerConfigCommands } from './cluster-config/commands.ts';
import { registerSnapshotCommands } from '../snapshot/commands.ts';
import { parseDatastore } from '../store/datastore-url.ts';

const DEFAULT_DATA_DIR = '.k8ts';

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535');
  return n;
}

function count(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 10_000) throw new InvalidArgumentError('must be a whole number from 0 to 10000');
  return n;
}

function domain(v: string): string {
  const d = v.replace(/\.$/, '').toLowerCase();
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(d) || d.length > 253) {
    throw new InvalidArgumentError('must be a DNS domain such as cluster.local');
  }
  return d;
}

function cidr(v: string): string {
  try {
    return parseServiceCidr(v).cidr;
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

function datastore(v: string): string {
  try {
    // `sqlite` alone is resolved against the data dir later.
    parseDatastore(v, { dataDir: '.' });
    return v;
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

/** 8Gi, 500Mi, 0 → bytes. */
function byteSize(v: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti)?$/.exec(v.trim());
  if (!m) throw new InvalidArgumentError('must be a size such as 8Gi or 500Mi (0: no budget)');
  return Math.round(Number(m[1]) * 1024 ** ({ Ki: 1, Mi: 2, Gi: 3, Ti: 4 }[m[2] as 'Ki'] ?? 0));
}

function timeScale(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 1000) throw new InvalidArgumentError('must be a number above 0 and at most 1000, such as 60');
  return n;
}

/** 15s, 500ms, 1m → milliseconds. */
function duration(v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(v.trim());
  if (!m || Number(m[1]) <= 0) throw new InvalidArgumentError('must be a duration such as 15s, 500ms or 1m');
  return Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000 }[m[2] as 'ms']);
}

const program = new Command('k8ts')
  .description('A Kubernetes-compatible control plane in one Node.js process')
  .version('0.1.0')
  .showHelpAfterError();

program
  .command('up')
  .description('Start a cluster in this process and write its admin kubeconfig')
  .option('--data-dir <dir>', 'where the datastore, certificates and kubeconfig live', DEFAULT_DATA_DIR)
  .option('--port <port>', 'HTTPS port of the API server (0 picks a free one)', port, 6443)
  .option('--host <address>', 'address to listen on', '127.0.0.1')
  .option('--datastore <url>', 'where objects are stored: sqlite (in the data dir), sqlite:<path>, memory, or etcd://host:port[,host:port] (etcds:// for TLS; several servers may share one)', datastore, 'sqlite')
  .option('--datastore-quota <size>', 'size budget of the SQLite datastore (default 8Gi): a warning past 80%, then creates and updates are refused until objects are deleted', byteSize)
  .option('--token <token>', "the cluster token, to join a datastore that already holds a cluster (another server's <data-dir>/token); a first server may choose it")
  .option('--leader-elect-lease-duration <duration>', 'with a shared datastore: how long a leader\'s lease lasts unrenewed', duration, 15_000)
  .option('--leader-elect-renew-deadline <duration>', 'how long a leader keeps trying to renew before it steps down', duration, 10_000)
  .option('--leader-elect-retry-period <duration>', 'how often candidates try to acquire and leaders renew', duration, 2_000)
  .option('--workers <n>', 'simulated worker nodes created on first start', count, 2)
  .option('--schedule-on-control-plane', 'leave the control-plane node untainted so ordinary pods run there', false)
  .option('--dns-port <port>', 'UDP and TCP port of the cluster DNS server (53 needs root; 0 picks a free one)', port, DEFAULT_DNS_PORT)
  .option('--cluster-domain <domain>', 'DNS zone of Services and pods', domain, 'cluster.local')
  .option('--service-cidr <cidr>', 'IPv4 range that Services get cluster IPs from', cidr, DEFAULT_SERVICE_CIDR)
  .addOption(new Option('--runtime <kind>', 'what runs containers: simulated (no processes, works everywhere) or process (real processes in namespaces; needs root and bubblewrap)').choices(['simulated', 'process']).default('simulated'))
  .option('--token-auth-file <file>', 'CSV of further bearer tokens, one `token,user,uid[,"group1,group2"]` a line (as kube-apiserver\'s); their users get what RBAC grants')
  .option('--time-scale <n>', 'simulated clusters: cluster time runs N times faster (heartbeats, lease expiry, grace periods, probes, minReadySeconds); timestamps then run ahead of the wall clock', timeScale)
  .option('--name <name>', 'a name for the cluster: its own data dir ($K8TS_HOME/clusters/<name>, K8TS_HOME defaulting to ~/.k8ts), free ports on first start, kubeconfig context k8ts-<name>')
  .option('--config <file>', 'a cluster config file (apiVersion: k8ts.io/v1alpha1, kind: Cluster): nodes with roles, labels, taints and capacity, networking, datastore, runtime, features; flags given here win over it')
  .option('--from-snapshot <snapshot>', 'start from a snapshot (its name or archive path) in a new data dir: a fork of the cluster it was taken from')
  .option('--merge-kubeconfig', "also add the cluster's context to your kubeconfig ($KUBECONFIG or ~/.kube/config) and make it current, as kind does", false)
  .option('-v, --verbose', 'log controller activity to stderr', false)
  .action(async function (this: Command, o: UpOptions & { config?: string; fromSnapshot?: string; leaderElectLeaseDuration: number; leaderElectRenewDeadline: number; leaderElectRetryPeriod: number }) {
    const leaderElection = { leaseDurationMs: o.leaderElectLeaseDuration, renewDeadlineMs: o.leaderElectRenewDeadline, retryPeriodMs: o.leaderElectRetryPeriod };
    if (leaderElection.renewDeadlineMs >= leaderElection.leaseDurationMs) throw new Error('--leader-elect-renew-deadline must be shorter than --leader-elect-lease-duration');
    if (leaderElection.retryPeriodMs >= leaderElection.renewDeadlineMs) throw new Error('--leader-elect-retry-period must be shorter than --leader-elect-renew-deadline');
    let argv = process.argv.slice(process.argv.indexOf('up') + 1);
    const given = (flag: string) => this.getOptionValueSource(flag) === 'cli';
    let custom: UpOptions['customNodes'];
    if (o.config !== undefined) {
      const { readClusterConfig, upOptionsFrom, customNodes } = await import('./cluster-config/apply.ts');
      const c = readClusterConfig(o.config);
      Object.assign(o, upOptionsFrom(c, given));
      custom = customNodes(c, o.scheduleOnControlPlane);
      // `start` reads the file again: it is kept by its absolute path.
      argv = [...argv.filter((a, i) => a !== '--config' && argv[i - 1] !== '--config' && !a.startsWith('--config=')), '--config', resolve(o.config)];
    }
    let recordPorts = false;
    if (o.name !== undefined) {
      const { checkClusterName, clusterDataDir, readClusterRecord } = await import('./clusters/registry.ts');
      checkClusterName(o.name);
      if (!given('dataDir')) o.dataDir = clusterDataDir({ name: o.name });
      // Side by side with other clusters: its own ports, chosen free on the first start and kept.
      const recorded = readClusterRecord(o.dataDir)?.args ?? [];
      const recordedPort = (flag: string) => {
        const i = recorded.indexOf(flag);
        return i >= 0 ? Number(recorded[i + 1]) : 0;
      };
      const fromFile = (flag: 'port' | 'dnsPort') => custom !== undefined && o[flag] !== (flag === 'port' ? 6443 : DEFAULT_DNS_PORT);
      if (!given('port') && !fromFile('port')) o.port = recordedPort('--port');
      if (!given('dnsPort') && !fromFile('dnsPort')) o.dnsPort = recordedPort('--dns-port');
      recordPorts = !given('port') || !given('dnsPort');
    }
    if (o.fromSnapshot !== undefined) {
      const { restoreForUp } = await import('../snapshot/commands.ts');
      await restoreForUp(o.fromSnapshot, resolve(o.dataDir));
    }
    await up({ ...o, leaderElection, argv, recordPorts, customNodes: custom });
  });

program
  .command('kubeconfig')
  .description('Print the admin kubeconfig of a cluster started with `k8ts up`')
  .option('--name <name>', 'the cluster, by name')
  .option('--data-dir <dir>', 'the cluster data dir (default ./.k8ts)')
  .action(async (o: { name?: string; dataDir?: string }) => {
    const { clusterDataDir } = await import('./clusters/registry.ts');
    const path = join(clusterDataDir(o), 'kubeconfig');
    try {
      process.stdout.write(await readFile(path, 'utf8'));
    } catch {
      throw new Error(`no kubeconfig at ${path}: start a cluster with \`k8ts up${o.name ? ` --name ${o.name}` : o.dataDir ? ` --data-dir ${o.dataDir}` : ''}\` first`);
    }
  });

program
  .command('dashboard')
  .description('Serve the dashboard for the cluster a kubeconfig points to (any Kubernetes cluster) on a local port')
  .option('--kubeconfig <path>', 'kubeconfig to use (default: $KUBECONFIG, else .k8ts/kubeconfig)')
  .option('--port <port>', 'local HTTP port (0 picks a free one)', port, 8001)
  .action(async (o: { kubeconfig?: string; port: number }) => {
    const { kubeconfigPath, readClusterAccess } = await import('./remote-client.ts');
    const { startDashboardProxy } = await import('../dashboard/proxy.ts');
    const path = kubeconfigPath(o.kubeconfig);
    const access = await readClusterAccess(path);
    const proxy = await startDashboardProxy(access, { port: o.port }).catch((e: NodeJS.ErrnoException) => {
      throw new Error(e.code === 'EADDRINUSE' ? `port ${o.port} is already in use: pass --port with a free port (0 picks one)` : e.message);
    });
    process.stdout.write(`dashboard for ${access.server} (kubeconfig ${path}): ${proxy.url}\n`);
    const stop = () => void proxy.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

program
  .command('watch')
  .description('A live terminal view of a StatefulSet, DaemonSet or Deployment (sts/NAME, ds/NAME, deploy/NAME) on the cluster a kubeconfig points to; plain lines when not a terminal')
  .argument('<workload>', 'sts/NAME, ds/NAME or deploy/NAME')
  .option('-n, --namespace <namespace>', "the workload's namespace (default: the context's, else default)")
  .option('--kubeconfig <path>', 'kubeconfig to use (default: $KUBECONFIG, else .k8ts/kubeconfig)')
  .option('--plain', 'print changed rows as lines even on a terminal', false)
  .action(async (workload: string, o: { namespace?: string; kubeconfig?: string; plain: boolean }) => {
    const { runWatch } = await import('../dashboard/terminal/watch-command.ts');
    await runWatch(workload, o);
    process.exit(0);
  });

registerClusterCommands(program);
registerConfigCommands(program);
registerSnapshotCommands(program);
registerNodeCommands(program);
registerImageCommands(program, DEFAULT_DATA_DIR);
registerAgentCommands(program);
registerMigrateCommand(program, DEFAULT_DATA_DIR);

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`k8ts: ${(e as Error).message}\n`);
  process.exit(1);
});
