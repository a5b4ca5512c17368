// The pod network of a process-runtime cluster. Everything lives in one network namespace that
// k8ts creates for the cluster (`k8ts-<id>`): a bridge carrying each node's pod gateway (.1 of its
// pod CIDR) and node IP, a veth per pod into the pod's own namespace, the whole Service range
// routed locally, and the proxy (netns-proxy.ts) serving cluster IPs. The host's own namespace
// routes nothing to pods: k8ts reaches them only through the proxy's Unix socket.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ipBatch, run } from './ip.ts';
import { readLine, writeLine, type ProxiedPort, type ProxyReply, type ProxyRequest } from './protocol.ts';

export interface ClusterNetworkOptions {
  /** Short id that names the cluster's namespaces (`k8ts-<id>`, `k8ts-<id>-<pod>`). */
  id: string;
  /** The Service range, routed locally so the proxy can bind any cluster IP. */
  serviceCidr: string;
  /** Where the proxy's Unix socket goes. */
  runDir: string;
  log?: (m: string) => void;
}

const BRIDGE = 'k8ts0';
const NETNS_DIR = '/run/netns';

/** The id of a data dir: stable across restarts, so leftovers of a killed run are found again. */
export function networkIdFor(dataDir: string): string {
  return createHash('sha256').update(dataDir).digest('hex').slice(0, 8);
}

/** How to start the proxy: the built file beside the bundle, or the TypeScript source under tsx. */
function proxyCommand(): string[] {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return [process.execPath, '--import', 'tsx', join(dirname(here), 'netns-proxy-main.ts')];
  return [process.execPath, join(dirname(here), 'netns-proxy.mjs')];
}

export class ClusterNetwork {
  readonly netns: string;
  readonly socketPath: string;
  private proxy?: ChildProcess;
  private readonly nodes = new Set<string>();
  private readonly log: (m: string) => void;

  private constructor(private readonly o: ClusterNetworkOptions) {
    this.netns = `k8ts-${o.id}`;
    this.socketPath = join(o.runDir, 'netns-proxy.sock');
    this.log = o.log ?? (() => {});
  }

  /** Path of the cluster namespace: the network of nodes and of hostNetwork pods. */
  get netnsPath(): string {
    return join(NETNS_DIR, this.netns);
  }

  static async start(o: ClusterNetworkOptions): Promise<ClusterNetwork> {
    const net = new ClusterNetwork(o);
    await net.removeLeftovers();
    await run('ip', ['netns', 'add', net.netns]);
    await ipBatch([`link add ${BRIDGE} type bridge`, `link set ${BRIDGE} up`, 'link set lo up', `route add local ${o.serviceCidr} dev lo`], net.netns);
    // Pods of different nodes sit in different /24s: the namespace routes between them.
    await run('ip', ['netns', 'exec', net.netns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    mkdirSync(o.runDir, { recursive: true });
    await net.startProxy();
    return net;
  }

  /** A node's gateway (.1 of its pod CIDR) and its InternalIP on the bridge; once per node. */
  async addNode(podCidr: string, nodeIP: string): Promise<void> {
    if (this.nodes.has(podCidr)) return;
    this.nodes.add(podCidr);
    const gw = podCidr.replace(/\.0\/24$/, '.1/24');
    await this.batch([`addr add ${gw} dev ${BRIDGE}`, `addr add ${nodeIP}/32 dev ${BRIDGE}`], this.netns).catch((e: Error) => {
      if (!/File exists/.test(e.message)) throw e;
    });
  }

  podNetnsName(uid: string): string {
    return `${this.netns}-${uid.replace(/-/g, '').slice(0, 12)}`;
  }

  /** The pod's namespace with eth0 at ip in its node's /24, default route via the node's gateway. */
  async createPod(uid: string, ip: string, podCidr: string, nodeIP: string): Promise<string> {
    await this.addNode(podCidr, nodeIP);
    const ns = this.podNetnsName(uid);
    const veth = `k8${createHash('sha1').update(ns).digest('hex').slice(0, 10)}`;
    if (existsSync(join(NETNS_DIR, ns))) await this.deletePod(uid);
    await this.run('ip', ['netns', 'add', ns]);
    try {
      await this.batch([`link add ${veth} type veth peer name eth0 netns ${ns}`, `link set ${veth} master ${BRIDGE} up`], this.netns);
      const gw = podCidr.replace(/\.0\/24$/, '.1');
      await this.batch(['link set lo up', `addr add ${ip}/24 dev eth0`, 'link set eth0 up', `route add default via ${gw}`], ns);
      // Any user may bind any port in a pod, as containerd's CRI sets it up.
      await this.run('nsenter', [`--net=${join(NETNS_DIR, ns)}`, 'sysctl', '-qw', 'net.ipv4.ip_unprivileged_port_start=0']);
    } catch (e) {
      await this.deletePod(uid);
      throw e;
    }
    return join(NETNS_DIR, ns);
  }

  /** Removes the pod's namespace; its veth goes with it. */
  async deletePod(uid: string): Promise<void> {
    await this.run('ip', ['netns', 'del', this.podNetnsName(uid)]).catch(() => {});
  }

  /**
   * Runs a host command. Once the proxy runs, it forks the command: forking k8ts itself (hundreds
   * of MiB) costs milliseconds of its event loop per command, and a pod takes several.
   */
  readonly run = async (cmd: string, args: string[], input?: string): Promise<string> => {
    if (!this.proxy) return run(cmd, args, input);
    const sock = await this.request({ op: 'run', cmd, args, input }, true);
    return sock;
  };

  private batch(commands: string[], netns?: string): Promise<string> {
    const args = netns ? ['-n', netns, '-batch', '-'] : ['-batch', '-'];
    return this.run('ip', args, commands.join('\n') + '\n');
  }

  /** A TCP connection to host:port inside the cluster network, through the proxy. */
  async connect(host: string, port: number, timeoutMs = 10_000): Promise<Socket> {
    const sock = await this.request({ op: 'connect', host, port, timeoutMs });
    sock.resume();
    return sock;
  }

  /** Serve exactly these Service ports. */
  async setServices(ports: ProxiedPort[]): Promise<void> {
    const sock = await this.request({ op: 'services', ports });
    sock.destroy();
  }

  async stop(): Promise<void> {
    const proxy = this.proxy;
    this.proxy = undefined;
    if (proxy && proxy.exitCode === null) {
      const exited = new Promise((r) => proxy.once('exit', r));
      proxy.kill('SIGTERM');
      await exited;
    }
    await this.removeLeftovers();
  }

  private async request(req: ProxyRequest, stdout: true): Promise<string>;
  private async request(req: ProxyRequest): Promise<Socket>;
  private async request(req: ProxyRequest, stdout?: true): Promise<Socket | string> {
    const sock = connect(this.socketPath);
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', (e) => reject(new Error(`cluster network proxy unreachable: ${e.message}`)));
    });
    writeLine(sock, req);
    const reply = (await readLine(sock)) as ProxyReply;
    if (!reply.ok) {
      sock.destroy();
      throw new Error(reply.error);
    }
    if (stdout) {
      sock.destroy();
      return reply.stdout ?? '';
    }
    return sock;
  }

  private async startProxy(): Promise<void> {
    const [cmd, ...args] = ['nsenter', `--net=${this.netnsPath}`, ...proxyCommand(), this.socketPath];
    const proxy = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    this.proxy = proxy;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      proxy.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('ready\n')) resolve();
      });
      proxy.once('error', reject);
      proxy.once('exit', (code) => reject(new Error(`cluster network proxy exited (code ${code}) before it was ready`)));
    });
    proxy.on('exit', (code) => {
      if (this.proxy === proxy) this.log(`cluster network proxy exited with code ${code}`);
    });
  }

  /** Namespaces of this cluster left by a previous run (a kill -9 leaves them behind). */
  private async removeLeftovers(): Promise<void> {
    const list = await run('ip', ['netns', 'list']).catch(() => '');
    const mine = list
      .split('\n')
      .map((l) => l.split(' ')[0]!)
      .filter((n) => n === this.netns || n.startsWith(`${this.netns}-`));
    for (const n of mine) await run('ip', ['netns', 'del', n]).catch(() => {});
  }
}
