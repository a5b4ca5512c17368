// A container runtime that runs real processes: each container is a bubblewrap sandbox (mount,
// PID, UTS and IPC namespaces, the pod's hostname) over an overlay of its image's root
// filesystem, entered into its pod's network namespace (sandbox.ts) with nsenter. The kubelet
// half (pod-sync.ts) decides what runs; this only does it, as containerd does behind the CRI.
// The container's program is PID 1 of its PID namespace, as under containerd: a program that
// installs no SIGTERM handler ignores SIGTERM and is killed when the grace period ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { PassThrough, Writable, type Duplex } from 'node:stream';
import { join } from 'node:path';
import type { KubeObject } from '../api/meta/types.ts';
import type { ImageStore, StoredImage } from '../images/types.ts';
import { normalizeImage } from '../node/simulated-runtime.ts';
import {
  ContainerTable,
  RuntimeError,
  type ContainerRuntime,
  type ContainerSpec,
  type CreateRequest,
  type LogLine,
  type ProbeKind,
  type ProbeResult,
  type PullResult,
  type RuntimeContainer,
  type StreamOptions,
  type StreamSession,
  type StreamingOp,
  type StreamingRuntime,
} from '../node/runtime.ts';
import type { Clock } from '../util/clock.ts';
import { LogBuffer } from './log-buffer.ts';
import type { ClusterNetwork } from './network/cluster-network.ts';
import { runProbe, type ProbeHandler } from './probe-handlers.ts';
import { initialProbeState, recordProbe, type ProbeState } from './probe-state.ts';
import { PodSandboxes, type ContainerLaunch, type PodLookups, type Sandbox } from './sandbox.ts';
import { run } from './network/ip.ts';
import { spawnOnPty, type PtyProcess } from './tty.ts';

export const PROCESS_RUNTIME_VERSION = 'k8ts-process://0.1.0';

export interface ProcessRuntimeOptions {
  /** Pods' directories (volumes, etc files, container root filesystems) go under <dir>/pods. */
  dir: string;
  images: ImageStore;
  network: ClusterNetwork;
  lookups: PodLookups;
  clock: Clock;
  log?: (m: string) => void;
}

interface ProcContainer extends RuntimeContainer {
  launch: ContainerLaunch;
  sandbox: Sandbox;
  logs: LogBuffer;
  proc?: ChildProcess;
  /** PID of the container's program, as the host sees it. */
  pid?: number;
  exited?: Promise<void>;
  stopping?: Promise<RuntimeContainer>;
  probes: Map<ProbeKind, ProbeState>;
  cancelProbes?: () => void;
  stdin?: NodeJS.WritableStream | null;
  /** Listeners of the program's raw output (attach), beside the line-split logs. */
  raw: Set<(d: Buffer | string) => void>;
  /** The terminal of a tty container. */
  pty?: PtyProcess;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };

export class ProcessRuntime implements ContainerRuntime {
  readonly name = 'process';
  readonly version = PROCESS_RUNTIME_VERSION;
  readonly streaming: StreamingRuntime;
  private readonly table = new ContainerTable<ProcContainer>();
  private readonly byId = this.table.byId;
  private readonly exitListeners = new Set<(c: RuntimeContainer) => void>();
  private readonly probeListeners = new Set<(uid: string) => void>();
  private readonly sandboxes: PodSandboxes;
  private readonly log: (m: string) => void;

  constructor(private readonly o: ProcessRuntimeOptions) {
    this.log = o.log ?? (() => {});
    this.sandboxes = new PodSandboxes({ dir: join(o.dir, 'pods'), network: o.network, lookups: o.lookups, log: this.log });
    this.streaming = {
      exec: (id, command, so) => this.exec(id, command, so),
      attach: (id, so) => this.attach(id, so),
      portForward: (uid, port) => this.portForward(uid, port),
    };
  }

  // ---- images ----

  private image(ref: string): StoredImage | undefined {
    return this.o.images.find(ref) ?? this.o.images.find(normalizeImage(ref));
  }

  private refOf(img: StoredImage, requested: string): string {
    return img.digestRef ?? `${normalizeImage(requested).replace(/:[^:/]+$/, '')}@${img.id}`;
  }

  imageRef(_nodeName: string, image: string): string | undefined {
    const img = this.image(image);
    return img ? this.refOf(img, image) : undefined;
  }

  async pullImage(_nodeName: string, pod: KubeObject, container: ContainerSpec): Promise<PullResult> {
    const image = container.image ?? '';
    const t0 = this.o.clock.now();
    try {
      const img = await this.o.images.pull(normalizeImage(image), { auth: this.o.lookups.pullSecrets(pod) });
      return { imageRef: this.refOf(img, image), ms: this.o.clock.now() - t0, size: img.size };
    } catch (e) {
      // An offline machine still runs what it holds: a registry that cannot be reached (as
      // opposed to one that answers no) falls back to a loaded image of that name.
      const local = this.image(image);
      const msg = (e as Error).message;
      if (local && /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|connect|getaddrinfo/i.test(msg)) {
        return { imageRef: this.refOf(local, image), ms: this.o.clock.now() - t0, size: local.size };
      }
      throw new RuntimeError('ErrImagePull', msg);
    }
  }

  // ---- containers ----

  async createContainer(req: CreateRequest): Promise<RuntimeContainer> {
    const image = this.image(req.imageRef) ?? this.image(req.container.image ?? '');
    if (!image) throw new RuntimeError('CreateContainerError', `image "${req.container.image}" is not in the node's image store: load it with \`k8ts image load\``);
    const sandbox = await this.sandboxes.ensure(req).catch((e: Error) => {
      throw e instanceof RuntimeError ? e : new RuntimeError('CreateContainerError', e.message);
    });
    const id = randomBytes(32).toString('hex');
    const launch = await this.sandboxes.prepareContainer(sandbox, req, image, id);
    const uid = req.pod.metadata.uid ?? '';
    const c: ProcContainer = {
      id: `k8ts-process://${id}`,
      podUid: uid,
      name: req.container.name,
      attempt: req.attempt,
      image: req.container.image ?? '',
      imageRef: req.imageRef,
      state: 'created',
      createdAt: this.o.clock.now(),
      launch,
      sandbox,
      logs: new LogBuffer(launch.logPath, () => this.o.clock.now()),
      probes: new Map(),
      raw: new Set(),
    };
    // The current and previous container of each name are kept (for --previous); older ones go.
    for (const old of this.table.add(c)) void this.sandboxes.removeContainer(old.launch);
    return c;
  }

  async startContainer(id: string): Promise<RuntimeContainer> {
    const c = this.byId.get(id);
    if (!c) throw new RuntimeError('RunContainerError', `container ${id} not found`);
    if (c.state !== 'created') return c;
    c.state = 'running';
    c.startedAt = this.o.clock.now();
    const missing = this.sandboxes.missingProgram(c.launch);
    if (missing) {
      // runc fails before the program runs: exit code 128 with containerd's message.
      c.logs.end();
      this.exit(c, 128, 'StartError', `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "${missing}": executable file not found in $PATH: unknown`);
      return c;
    }
    const { command, args } = this.sandboxes.bwrapCommand(c.launch);
    if (c.launch.tty) {
      const onPty = await this.startOnPty(c, command, args);
      if (onPty) return c;
    }
    const proc = spawn(command, args, { stdio: [c.launch.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'], env: {} });
    c.proc = proc;
    c.stdin = proc.stdin;
    proc.stdout!.on('data', (d: Buffer) => this.output(c, 'stdout', d));
    proc.stderr!.on('data', (d: Buffer) => this.output(c, 'stderr', d));
    // bwrap's --info-fd tells the program's host PID (exec and signals need it).
    const info = proc.stdio[3] as NodeJS.ReadableStream;
    let infoText = '';
    const pidKnown = new Promise<void>((resolve) => {
      info.on('data', (d) => {
        infoText += d;
        const m = /"child-pid":\s*(\d+)/.exec(infoText);
        if (m && c.pid === undefined) {
          c.pid = Number(m[1]);
          resolve();
        }
      });
      info.on('end', resolve);
      proc.on('exit', () => resolve());
    });
    c.exited = new Promise<void>((resolve) => {
      proc.on('exit', (code, signal) => {
        c.logs.end();
        this.exit(c, signal ? 128 + (SIGNALS[signal] ?? 0) : (code ?? 0));
        resolve();
      });
      proc.on('error', (e) => {
        c.logs.write('stderr', `k8ts: ${e.message}\n`);
        c.logs.end();
        this.exit(c, 128, 'StartError', e.message);
        resolve();
      });
    });
    await pidKnown;
    if (c.pid !== undefined) await programStarted(c.pid);
    this.startProbes(c);
    return c;
  }

  private output(c: ProcContainer, stream: 'stdout' | 'stderr', d: Buffer | string): void {
    c.logs.write(stream, d);
    for (const f of c.raw) f(d);
  }

  /**
   * A tty container: bwrap runs on a terminal (no --info-fd there, so the program's PID is read
   * from bwrap's children list). False when no terminal can be had: then it runs on pipes.
   */
  private async startOnPty(c: ProcContainer, command: string, args: string[]): Promise<boolean> {
    const infoAt = args.indexOf('--info-fd');
    const noInfo = infoAt >= 0 ? [...args.slice(0, infoAt), ...args.slice(infoAt + 2)] : args;
    const p = await spawnOnPty(command, noInfo, {}, { stdin: c.launch.stdin });
    if (!p) return false;
    c.pty = p;
    c.stdin = p.session.stdin;
    p.session.stdout!.on('data', (d: Buffer) => this.output(c, 'stdout', d));
    c.exited = p.exited.then((code) => {
      c.logs.end();
      this.exit(c, code);
    });
    for (let i = 0; i < 200 && c.pid === undefined && c.state === 'running'; i++) {
      try {
        const kids = readFileSync(`/proc/${p.pid}/task/${p.pid}/children`, 'utf8').trim();
        if (kids) c.pid = Number(kids.split(' ')[0]);
      } catch {
        break;
      }
      if (c.pid === undefined) await new Promise((r) => setTimeout(r, 5));
    }
    this.startProbes(c);
    return true;
  }

  stopContainer(id: string, graceMs: number): Promise<RuntimeContainer> {
    const c = this.byId.get(id);
    if (!c) return Promise.reject(new RuntimeError('KillContainerError', `container ${id} not found`));
    return this.stop(c, graceMs);
  }

  private stop(c: ProcContainer, graceMs: number): Promise<RuntimeContainer> {
    if (c.state === 'created') {
      this.exit(c, 0, 'Created');
      return Promise.resolve(c);
    }
    if (c.state === 'exited') return Promise.resolve(c);
    if (c.stopping) return c.stopping;
    c.stopping = (async () => {
      if (graceMs > 0) {
        await this.runPreStop(c, graceMs);
        this.signal(c, 'SIGTERM');
        const deadline = new Promise((r) => setTimeout(r, graceMs).unref());
        await Promise.race([c.exited, deadline]);
      }
      if (c.state !== 'exited') {
        this.signal(c, 'SIGKILL');
        await c.exited;
      }
      return c;
    })();
    return c.stopping;
  }

  removePod(podUid: string): void {
    const stops: Promise<unknown>[] = [];
    for (const c of this.table.removePod(podUid)) {
      c.cancelProbes?.();
      if (c.state === 'running') stops.push(this.stop(c, 0).catch(() => {}));
    }
    void Promise.all(stops).then(() => this.sandboxes.remove(podUid)).catch((e: Error) => this.log(`remove pod ${podUid}: ${e.message}`));
  }

  container(id: string): RuntimeContainer | undefined {
    return this.byId.get(id);
  }

  probe(id: string, kind: ProbeKind): ProbeResult {
    const c = this.byId.get(id);
    if (!c || c.state !== 'running') return { ok: false, output: 'container is not running' };
    const s = c.probes.get(kind);
    // No probe of that kind: readiness and startup follow the container, liveness never fails.
    if (!s) return { ok: true, output: '' };
    if (kind === 'liveness') return { ok: s.ok, output: s.output, kill: !s.ok };
    if (kind === 'startup' && !s.ok && s.lastOutcome === false) {
      const threshold = (c.launch.spec as { startupProbe?: { failureThreshold?: number } }).startupProbe?.failureThreshold ?? 3;
      return { ok: false, output: s.output, kill: s.streak >= threshold };
    }
    return { ok: s.ok, output: s.output };
  }

  logs(id: string): readonly LogLine[] {
    return this.byId.get(id)?.logs.lines ?? [];
  }

  follow(id: string, onLine: (line: LogLine | undefined) => void): () => void {
    const c = this.byId.get(id);
    if (!c) {
      queueMicrotask(() => onLine(undefined));
      return () => {};
    }
    return c.logs.follow(onLine);
  }

  onExit(listener: (c: RuntimeContainer) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  onProbeChange(listener: (podUid: string) => void): () => void {
    this.probeListeners.add(listener);
    return () => this.probeListeners.delete(listener);
  }

  unsupported(_op: StreamingOp): undefined {
    return undefined;
  }

  /** Stops every container and removes every sandbox (k8ts is stopping). */
  async close(): Promise<void> {
    const uids = [...this.table.byPod.keys()];
    await Promise.all(
      [...this.byId.values()].map((c) => {
        c.cancelProbes?.();
        return c.state === 'running' ? this.stopContainer(c.id, 0).catch(() => {}) : undefined;
      }),
    );
    for (const uid of uids) await this.sandboxes.remove(uid).catch(() => {});
  }

  // ---- streaming ----

  private running(id: string): ProcContainer {
    const c = this.byId.get(id);
    if (!c || c.state !== 'running' || c.pid === undefined) throw new RuntimeError('ContainerNotRunning', `container not running (${c?.name ?? id})`);
    return c;
  }

  /** nsenter into every namespace of the container's program, with its environment. */
  private enter(c: ProcContainer, command: string[]): { cmd: string; args: string[]; env: Record<string, string> } {
    const { uid, gid } = c.launch.user;
    // A container of another user lives in its own user namespace: enter it as that user.
    const user = uid !== 0 ? ['-U', '-S', String(uid), '-G', String(gid)] : [];
    const args = ['-t', String(c.pid), ...user, '-m', '-u', '-i', '-n', '-p', '-r', '-w', '--', ...command];
    return { cmd: 'nsenter', args, env: Object.fromEntries(c.launch.env) };
  }

  private async exec(id: string, command: string[], so: StreamOptions): Promise<StreamSession> {
    const c = this.running(id);
    if (!command.length) throw new RuntimeError('ExecError', 'you must specify at least one command for the container');
    const { cmd, args, env } = this.enter(c, command);
    if (so.tty) {
      const onPty = await spawnOnPty(cmd, args, env, { stdin: so.stdin });
      if (onPty) return onPty.session;
    }
    const proc = spawn(cmd, args, { stdio: [so.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'], env });
    const done = new Promise<number>((resolve) => {
      // 'close', not 'exit': the exit code is final only once its output has all been read.
      proc.on('close', (code, signal) => resolve(signal ? 128 + (SIGNALS[signal] ?? 0) : (code ?? 0)));
      proc.on('error', () => resolve(126));
    });
    // nsenter's own failure to find the program reads like runc's.
    // A tty without a terminal to run on: stderr joins stdout, as a terminal would show both.
    let stdout: NodeJS.ReadableStream = proc.stdout!;
    if (so.tty) {
      const merged = new PassThrough();
      let open = 2;
      for (const r of [proc.stdout!, proc.stderr!]) {
        r.on('data', (d) => merged.write(d));
        r.on('end', () => --open === 0 && merged.end());
      }
      stdout = merged;
    }
    return {
      stdin: so.stdin ? proc.stdin! : undefined,
      stdout: stdout as PassThrough,
      stderr: so.tty ? undefined : proc.stderr!,
      resize: () => {},
      done,
      close: () => proc.kill('SIGKILL'),
    };
  }

  private async attach(id: string, so: StreamOptions): Promise<StreamSession> {
    const c = this.running(id);
    const stdout = new PassThrough();
    const onRaw = (d: Buffer | string) => stdout.write(d);
    c.raw.add(onRaw);
    const done = c.exited!.then(() => c.exitCode ?? 0);
    void done.then(() => stdout.end());
    // The client's end of input ends the program's only with stdinOnce; otherwise it just detaches.
    let stdin: Writable | undefined;
    if (so.stdin && c.stdin) {
      const target = c.stdin;
      stdin = new Writable({
        write: (chunk, _e, cb) => (target.write(chunk), cb()),
        final: (cb) => (c.launch.stdinOnce ? target.end() : undefined, cb()),
      });
    }
    return {
      stdin,
      stdout,
      // A tty merges stderr; without one, stderr's bytes came through the same raw feed.
      stderr: undefined,
      resize: (cols, rows) => c.pty?.session.resize(cols, rows),
      done,
      close: () => {
        c.raw.delete(onRaw);
        stdout.end();
      },
    };
  }

  private async portForward(podUid: string, port: number): Promise<Duplex> {
    const sb = this.sandboxes.get(podUid);
    if (!sb) throw new RuntimeError('NotFound', `pod sandbox of ${podUid} not found`);
    return this.o.network.connect(sb.podIP, port);
  }

  // ---- probes, hooks, exits ----

  private startProbes(c: ProcContainer): void {
    const spec = c.launch.spec as ContainerSpec & Record<string, ProbeSpecFull | undefined>;
    const kinds: [ProbeKind, ProbeSpecFull | undefined][] = [
      ['startup', spec.startupProbe],
      ['liveness', spec.livenessProbe],
      ['readiness', spec.readinessProbe],
    ];
    const timers = new Set<NodeJS.Timeout>();
    let cancelled = false;
    c.cancelProbes = () => {
      cancelled = true;
      for (const t of timers) clearTimeout(t);
    };
    const target = {
      podIP: c.sandbox.podIP,
      ports: c.launch.namedPorts,
      connect: (host: string, port: number, timeoutMs: number) => this.o.network.connect(host, port, timeoutMs),
      exec: (command: string[], timeoutMs: number) => this.execCapture(c, command, timeoutMs),
    };
    const started = () => !spec.startupProbe || c.probes.get('startup')?.ok === true;
    for (const [kind, p] of kinds) {
      if (!p) continue;
      c.probes.set(kind, initialProbeState(kind));
      const period = (p.periodSeconds ?? 10) * 1000;
      const tick = async () => {
        if (cancelled || c.state !== 'running') return;
        const s = c.probes.get(kind)!;
        if (kind === 'startup' && s.ok) return; // done once it succeeded
        if (kind !== 'startup' && !started()) return schedule(period);
        const r = await runProbe(p, target);
        if (cancelled || c.state !== 'running') return;
        const next = recordProbe(c.probes.get(kind)!, p, r.ok, r.output);
        c.probes.set(kind, next.state);
        if (next.changed) for (const l of this.probeListeners) l(c.podUid);
        schedule(period);
      };
      const schedule = (ms: number) => {
        const t = setTimeout(() => {
          timers.delete(t);
          void tick();
        }, ms);
        timers.add(t);
      };
      // The first run comes right after initialDelaySeconds (a short beat when 0, so a server has begun to listen).
      schedule(Math.max((p.initialDelaySeconds ?? 0) * 1000, 100));
    }
  }

  /** Runs a command inside the container, collecting its output (exec probes and hooks). */
  private execCapture(c: ProcContainer, command: string[], timeoutMs: number): Promise<{ code: number; output: string }> {
    if (c.pid === undefined) return Promise.reject(new Error('container is not running'));
    const { cmd, args, env } = this.enter(c, command);
    return new Promise((resolve, reject) => {
      const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
      let output = '';
      proc.stdout.on('data', (d) => (output.length < 10_240 ? (output += d) : undefined));
      proc.stderr.on('data', (d) => (output.length < 10_240 ? (output += d) : undefined));
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`command ${JSON.stringify(command)} timed out after ${timeoutMs / 1000}s`));
      }, timeoutMs);
      proc.on('error', (e) => (clearTimeout(timer), reject(e)));
      proc.on('close', (code) => (clearTimeout(timer), resolve({ code: code ?? 1, output })));
    });
  }

  /** lifecycle.preStop, bounded by the grace period (the kubelet runs it before SIGTERM). */
  private async runPreStop(c: ProcContainer, graceMs: number): Promise<void> {
    const hook = (c.launch.spec as { lifecycle?: { preStop?: ProbeHandler & { sleep?: { seconds: number } } } }).lifecycle?.preStop;
    if (!hook) return;
    const deadline = new Promise<void>((r) => setTimeout(r, graceMs).unref());
    const work = (async () => {
      if (hook.sleep) await new Promise((r) => setTimeout(r, hook.sleep!.seconds * 1000).unref());
      else if (hook.exec) await this.execCapture(c, hook.exec.command ?? [], graceMs).catch(() => {});
      else if (hook.httpGet) await runProbe({ httpGet: hook.httpGet, timeoutSeconds: graceMs / 1000 }, { podIP: c.sandbox.podIP, ports: c.launch.namedPorts, connect: (h, p, t) => this.o.network.connect(h, p, t), exec: () => Promise.reject(new Error('no exec')) });
    })();
    await Promise.race([work, deadline]);
  }

  private signal(c: ProcContainer, sig: 'SIGTERM' | 'SIGKILL'): void {
    if (c.pid === undefined) return void c.proc?.kill(sig);
    try {
      process.kill(c.pid, sig);
    } catch {
      c.proc?.kill(sig);
    }
  }

  private exit(c: ProcContainer, code: number, reason?: string, message?: string): void {
    if (c.state === 'exited') return;
    c.cancelProbes?.();
    c.state = 'exited';
    c.finishedAt = this.o.clock.now();
    c.startedAt ??= c.finishedAt;
    c.exitCode = code;
    c.reason = reason ?? (this.sandboxes.oomKilled(c.launch) ? 'OOMKilled' : code === 0 ? 'Completed' : 'Error');
    if (message) c.message = message;
    for (const l of [...this.exitListeners]) l(c);
  }
}

interface ProbeSpecFull extends ProbeHandler {
  initialDelaySeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

/** Host facts the process runtime needs, checked before the cluster starts. */
export async function checkHost(): Promise<string[]> {
  const missing: string[] = [];
  if (process.platform !== 'linux') return ['Linux (namespaces, overlayfs)'];
  if (process.getuid?.() !== 0) missing.push('root (run k8ts as root: network namespaces and mounts need it)');
  for (const [tool, pkg] of [['bwrap', 'bubblewrap'], ['nsenter', 'util-linux'], ['ip', 'iproute2'], ['mount', 'mount']] as const) {
    const found = (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').some((d) => existsSync(join(d, tool)));
    if (!found) missing.push(`${tool} (Debian package ${pkg})`);
  }
  if (!missing.length) {
    try {
      const fs = readFileSync('/proc/filesystems', 'utf8');
      if (!/\toverlay\n/.test(fs)) missing.push('overlayfs in the kernel');
    } catch {
      missing.push('/proc/filesystems');
    }
  }
  if (!missing.length) await run('unshare', ['--net', '--mount', '--pid', '--fork', 'true']).catch((e: Error) => missing.push(`namespaces (${e.message})`));
  return missing;
}

/**
 * Resolves once `pid` runs the container's program rather than bwrap: bwrap reports the child's
 * PID before the child has mounted and pivoted into the container's root, and an exec entering
 * that mount namespace earlier would find the host's files half set up. The child execs the
 * program (--as-pid-1, or no PID namespace) once its setup is done; a child that is gone or
 * still bwrap after two seconds is left to the exit handler.
 */
async function programStarted(pid: number): Promise<void> {
  const end = Date.now() + 2000;
  for (;;) {
    let exe: string;
    try {
      exe = readlinkSync(`/proc/${pid}/exe`);
    } catch {
      return;
    }
    if (!/\/bwrap( \(deleted\))?$/.test(exe) || Date.now() > end) return;
    await new Promise((r) => setTimeout(r, 1));
  }
}
