// `k8ts up`: start a whole cluster in this process, write the admin kubeconfig, serve until a
// signal, then stop cleanly (the SQLite store is consistent at every commit anyway).
import { join, resolve } from 'node:path';
import { appendFileSync, fstatSync, mkdirSync, readFileSync } from 'node:fs';
import { tokenFileAuthenticator } from '../auth/token-file.ts';
import { listenHttps } from '../apiserver/https-server.ts';
import { streamingUpgrade } from '../apiserver/streaming/upgrade.ts';
import { startControlPlane } from './control-plane.ts';
import { checkHost } from '../process/process-runtime.ts';
import { lockDataDir } from './data-dir-lock.ts';
import type { DefaultNodesOptions } from '../node/node-object.ts';
import { contextName, readClusterRecord, recordedArgs, register, UNNAMED, withArg, writeClusterRecord } from './clusters/registry.ts';
import { mergeIntoUserKubeconfig } from './clusters/user-kubeconfig.ts';
import { clusterClock } from '../util/scaled-clock.ts';
import { nodeCreationProgress, nodesReadyProgress } from './nodes-ready-progress.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { openClusterStore } from './cluster-store.ts';
import { parseDatastore } from '../store/datastore-url.ts';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ElectionTimings } from '../leader-election/elector.ts';
import { DEFAULT_SERVICE_CIDR, nthAddress, parseServiceCidr } from '../registry/admission/service-ranges.ts';

export interface UpOptions {
  dataDir: string;
  port: number;
  host: string;
  /** sqlite (default), sqlite:<path>, memory, etcd://host:port[,…] or etcds://… (src/store/datastore-url.ts). */
  datastore: string;
  /** The cluster token of a server already on the datastore (k3s --token); a first server may choose it. */
  token?: string;
  /** Leader election timings (upstream: lease 15 s, renew deadline 10 s, retry 2 s). */
  leaderElection?: ElectionTimings;
  verbose?: boolean;
  workers: number;
  scheduleOnControlPlane: boolean;
  /** Cluster IP range of Services (default 10.96.0.0/16). */
  serviceCidr?: string;
  /** Port of the cluster DNS server (UDP and TCP); 0 picks a free one. */
  dnsPort?: number;
  /** DNS zone of Services and pods (default cluster.local). */
  clusterDomain?: string;
  /** What runs containers (default simulated). */
  runtime?: 'simulated' | 'process';
  /** CSV of further bearer tokens (`token,user,uid[,"groups"]`), as kube-apiserver's --token-auth-file. */
  tokenAuthFile?: string;
  /** Simulated clusters only: cluster time runs this many times faster than the wall clock. */
  timeScale?: number;
  /** The cluster's name (k8ts list, stop, start, delete; its kubeconfig context is k8ts-<name>). */
  name?: string;
  /** Also add the cluster's context to the user's kubeconfig and make it current (as kind does). */
  mergeKubeconfig?: boolean;
  /** The `up` arguments as given, kept in the data dir for `k8ts start`. */
  argv?: string[];
  /** Record the ports this start ended up on (a named cluster picks free ones on its first start). */
  recordPorts?: boolean;
  /** Size budget of the SQLite datastore in bytes (default 8 GiB; 0: none). */
  datastoreQuota?: number;
  /** The nodes a new cluster starts with, from a config file (instead of a control plane and --workers workers). */
  customNodes?: DefaultNodesOptions['custom'];
}

/** Unprivileged, so `k8ts up` needs no root; `--dns-port 53` when root and wanted. */
export const DEFAULT_DNS_PORT = 10053;

/**
 * Appends lines to <data-dir>/logs/server.log for `k8ts export logs`, unless stdout is that file
 * already (`k8ts start` sends the output there).
 */
function serverLogTee(dataDir: string): ((line: string) => void) | undefined {
  try {
    if (fstatSync(1).isFile()) return undefined;
    mkdirSync(join(dataDir, 'logs'), { recursive: true });
    const path = join(dataDir, 'logs', 'server.log');
    return (line) => {
      try {
        appendFileSync(path, `${new Date().toISOString()} ${line}\n`);
      } catch {
        // A log that cannot be written does not stop the cluster.
      }
    };
  } catch {
    return undefined;
  }
}

export async function up(opts: UpOptions): Promise<void> {
  const dataDir = resolve(opts.dataDir);
  const release = lockDataDir(dataDir);
  const logFile = serverLogTee(dataDir);
  const say = (m: string) => {
    process.stdout.write(`k8ts: ${m}\n`);
    logFile?.(`k8ts: ${m}`);
  };
  const log = opts.verbose ? (m: string) => process.stderr.write(`k8ts: ${m}\n`) : (m: string) => { if (/internal error/.test(m)) process.stderr.write(`k8ts: ${m}\n`); };
  const t0 = performance.now();
  const entered = Math.round(t0);
  const phases: string[] = [];
  const mark = (name: string) => phases.push(`${name} ${Math.round(performance.now() - t0)} ms`);
  try {
    if (opts.timeScale !== undefined && opts.runtime === 'process') {
      throw new Error('--time-scale is for simulated clusters: real processes run in real time (their sleeps, timeouts and probes cannot be sped up); leave out --runtime process or --time-scale');
    }
    if (opts.timeScale !== undefined && parseDatastore(opts.datastore, { dataDir }).kind === 'etcd') {
      throw new Error('--time-scale needs the cluster on one server: servers sharing a datastore must agree on the time; use the embedded SQLite datastore');
    }
    if (opts.runtime === 'process') {
      // Said before anything starts, so a machine that cannot run it is left as it was.
      const missing = await checkHost();
      if (missing.length) throw new Error(`the process runtime cannot start on this machine: it needs ${missing.join(', ')}. \`--runtime simulated\` (the default) works everywhere`);
    }
    if (opts.runtime === 'process' && parseDatastore(opts.datastore, { dataDir }).kind === 'etcd') {
      throw new Error('the process runtime runs pods on this server\'s own machine: it cannot be used with a datastore several servers share; run `k8ts agent` nodes instead');
    }
    // In-cluster clients reach the API through the kubernetes Service's address.
    // The datastore first: one that holds a cluster already hands this server its CA and token.
    const store = await openClusterStore({ datastore: opts.datastore, dataDir, token: opts.token, quotaBytes: opts.datastoreQuota, pki: { extraSans: [nthAddress(parseServiceCidr(opts.serviceCidr ?? DEFAULT_SERVICE_CIDR), 1)] } });
    const { pki } = store;
    mark('datastore and pki');
    const time = clusterClock(dataDir, opts.timeScale);
    if (opts.timeScale) say(`cluster time runs ${opts.timeScale}× faster than the wall clock`);
    const cp = await startControlPlane({
      clock: time.clock,
      serviceCidr: opts.serviceCidr,
      clusterDomain: opts.clusterDomain,
      serviceAccountKeyPem: pki.serviceAccountKeyPem,
      dns: { host: opts.host, port: opts.dnsPort ?? DEFAULT_DNS_PORT },
      processRuntime: opts.runtime === 'process',
      authenticators: opts.tokenAuthFile ? [tokenFileAuthenticator(readFileSync(opts.tokenAuthFile, 'utf8'))] : undefined,
      // Several servers on one datastore: controllers and the scheduler each run on one leader.
      leaderElection: store.shared ? { identity: `${hostname()}_${randomUUID()}`, timings: opts.leaderElection } : undefined,
      backend: store.backend,
      dataDir, token: pki.token, caCertPem: pki.caCertPem, log, serverAddress: `${opts.host}:${opts.port}`, defaultNodes: { workers: opts.workers, scheduleOnControlPlane: opts.scheduleOnControlPlane, onProgress: nodeCreationProgress(), custom: opts.customNodes } });
    mark('control plane');
    let http;
    try {
      // Exec, attach and port-forward arrive as protocol upgrades, and so do agents' tunnels.
      const onUpgrade = streamingUpgrade({ api: cp.api, pool: () => cp.pool, log, remote: cp.tunnels });
      http = await listenHttps(cp.api, { cert: pki.certPem, key: pki.keyPem, port: opts.port, host: opts.host, onUpgrade });
    } catch (e) {
      await cp.stop();
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(code === 'EADDRINUSE' ? `port ${opts.port} on ${opts.host} is already in use: pass --port with a free port (0 picks one)` : (e as Error).message);
    }
    mark('serving');
    cp.processCluster?.setBackends({ apiPort: http.port });
    const server = `https://${opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host}:${http.port}`;
    const name = opts.name ?? UNNAMED;
    const kubeconfig = await writeKubeconfig({ dataDir, server, caCertPem: pki.caCertPem, token: pki.token, contextName: contextName(name) });
    // What `k8ts start` needs to bring this cluster back, and where `k8ts list` finds it.
    let args = recordedArgs(opts.argv ?? []);
    if (opts.recordPorts) {
      args = withArg(args, '--port', String(http.port));
      if (cp.dns) args = withArg(args, '--dns-port', String(cp.dns.port));
    }
    writeClusterRecord(dataDir, { name, args, createdAt: readClusterRecord(dataDir)?.createdAt || new Date().toISOString() });
    register({ name, dataDir });
    if (cp.dns) {
      say(`DNS on ${cp.dns.host}:${cp.dns.port} (zone ${opts.clusterDomain ?? 'cluster.local'})`);
      // Names outside the zone go to the host's resolvers; without any they are refused, said once here.
      if (cp.dns.upstreams.length === 0) say('DNS: no name servers in /etc/resolv.conf: names outside the cluster zone are answered REFUSED');
    }
    say(`listening on ${server}`);
    say(`kubeconfig written to ${kubeconfig}`);
    say(`run: export KUBECONFIG=${kubeconfig}`);
    say(`dashboard: ${server}/dashboard/ (sign in with the kubeconfig's token)`);
    if (opts.mergeKubeconfig) {
      const merged = mergeIntoUserKubeconfig(kubeconfig);
      say(`context ${merged.context} added to ${merged.path} and made current`);
    }
    // Thousands of simulated nodes take seconds to report Ready: show them coming.
    const readiness = new AbortController();
    void nodesReadyProgress(cp.client, readiness.signal);
    if (opts.verbose) log(`started after ${phases.join(', ')} (entered at ${entered} ms, process up ${Math.round(performance.now())} ms)`);
    // Build the OpenAPI documents soon rather than on kubectl's first apply, but after start-up
    // work (readiness) has had the CPU.
    setTimeout(() => void cp.api.handle({ method: 'GET', url: '/openapi/v3', headers: { authorization: `Bearer ${pki.token}` } }), 300).unref();
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      say(`${signal} received, stopping`);
      readiness.abort();
      await http.close();
      await cp.stop();
      time.stop();
      release();
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  } catch (e) {
    release();
    throw e;
  }
}
