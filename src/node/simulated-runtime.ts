// A runtime that runs nothing, in the manner of KWOK (kubernetes-sigs/kwok): containers are
// records that move through created → running → exited on a shared timer wheel, following the
// pod's sim.k8ts.io/* annotations (sim-annotations.ts). Logs are the runtime's own account of
// what it did, so `kubectl logs` shows something useful and deterministic.
import { createHash, randomBytes } from 'node:crypto';
import type { KubeObject } from '../api/meta/types.ts';
import type { Clock } from '../util/clock.ts';
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
  type StreamingOp,
} from './runtime.ts';
import { behaviourFor, SIM, type ContainerBehaviour } from './sim-annotations.ts';
import type { TimerWheel } from './timer-wheel.ts';
import { normalizeImage } from '../images/reference.ts';

export const SIMULATED_RUNTIME_VERSION = 'k8ts-sim://0.1.0';

export interface Range {
  min: number;
  max: number;
}

export interface SimulatedRuntimeOptions {
  clock: Clock;
  wheel: TimerWheel;
  /** ContainerCreating time per container (default 0–100 ms, fixed per pod and container). */
  startDelayMs?: Range;
  /** Time an image pull takes (default 0–50 ms). */
  pullDelayMs?: Range;
}

interface SimContainer extends RuntimeContainer {
  behaviour: ContainerBehaviour;
  logs: LogLine[];
  followers: Set<(l: LogLine | undefined) => void>;
  cancelExit?: () => void;
  stopping?: Promise<RuntimeContainer>;
}

// Kept here for the modules that import it from the runtime.
export { normalizeImage };

/** The digest reference of an image: stable per name, `docker.io/library/nginx@sha256:…`. */
export function imageRefFor(image: string): string {
  const full = normalizeImage(image);
  if (full.includes('@')) return full;
  const repo = full.slice(0, full.lastIndexOf(':'));
  return `${repo}@sha256:${createHash('sha256').update(full).digest('hex')}`;
}

/** A value in range, fixed for a key (so a pod behaves the same on every run). */
function jitter(range: Range, key: string): number {
  if (range.max <= range.min) return range.min;
  const h = createHash('sha1').update(key).digest().readUInt32BE(0);
  return range.min + (h % (range.max - range.min + 1));
}

export class SimulatedRuntime implements ContainerRuntime {
  readonly name = 'simulated';
  readonly version = SIMULATED_RUNTIME_VERSION;
  private readonly table = new ContainerTable<SimContainer>();
  private readonly byId = this.table.byId;
  private readonly images = new Map<string, Set<string>>();
  private readonly exitListeners = new Set<(c: RuntimeContainer) => void>();
  private readonly clock: Clock;
  private readonly wheel: TimerWheel;
  private readonly startDelay: Range;
  private readonly pullDelay: Range;

  constructor(opts: SimulatedRuntimeOptions) {
    this.clock = opts.clock;
    this.wheel = opts.wheel;
    this.startDelay = opts.startDelayMs ?? { min: 0, max: 100 };
    this.pullDelay = opts.pullDelayMs ?? { min: 0, max: 50 };
  }

  imageRef(nodeName: string, image: string): string | undefined {
    return this.images.get(nodeName)?.has(normalizeImage(image)) ? imageRefFor(image) : undefined;
  }

  pullImage(nodeName: string, pod: KubeObject, container: ContainerSpec): Promise<PullResult> {
    const image = container.image ?? '';
    const behaviour = behaviourFor(pod.metadata.annotations, container.name, this.isInit(pod, container.name));
    const ms = jitter(this.pullDelay, `${pod.metadata.uid}/${container.name}/pull`);
    return this.sleep(ms).then(() => {
      if (behaviour.imagePullError) {
        throw new RuntimeError(
          'ErrImagePull',
          `failed to pull and unpack image "${normalizeImage(image)}": simulated pull failure (${SIM.imagePullError})`,
        );
      }
      let set = this.images.get(nodeName);
      if (!set) this.images.set(nodeName, (set = new Set()));
      set.add(normalizeImage(image));
      return { imageRef: imageRefFor(image), ms, size: 0 };
    });
  }

  createContainer(req: CreateRequest): Promise<RuntimeContainer> {
    const { pod, container } = req;
    const behaviour = behaviourFor(pod.metadata.annotations, container.name, req.init);
    const uid = pod.metadata.uid ?? '';
    const ms = behaviour.startMs ?? jitter(this.startDelay, `${uid}/${container.name}`);
    return this.sleep(ms).then(() => {
      const c: SimContainer = {
        id: `k8ts-sim://${randomBytes(32).toString('hex')}`,
        podUid: uid,
        name: container.name,
        attempt: req.attempt,
        image: container.image ?? '',
        imageRef: req.imageRef,
        state: 'created',
        createdAt: this.clock.now(),
        behaviour,
        logs: [],
        followers: new Set(),
      };
      this.table.add(c);
      return c;
    });
  }

  startContainer(id: string): Promise<RuntimeContainer> {
    const c = this.byId.get(id);
    if (!c) return Promise.reject(new RuntimeError('RunContainerError', `container ${id} not found`));
    if (c.state !== 'created') return Promise.resolve(c);
    c.state = 'running';
    c.startedAt = this.clock.now();
    this.write(c, `k8ts-sim: container ${c.name} started (image ${c.image})`);
    if (c.attempt > 0) this.write(c, `k8ts-sim: restart ${c.attempt}`);
    const b = c.behaviour;
    if (b.neverReady) this.write(c, `k8ts-sim: readiness will never succeed (${SIM.neverReady})`);
    else if (b.readyAfterMs) this.write(c, `k8ts-sim: ready after ${b.readyAfterMs / 1000}s (${SIM.readyAfterSeconds})`);
    if (b.exit) {
      const { code, afterMs } = b.exit;
      c.cancelExit = this.wheel.after(afterMs, () => {
        this.write(c, code === 0 ? `k8ts-sim: container ${c.name} finished` : `k8ts-sim: container ${c.name} failing with exit code ${code}`);
        this.exit(c, code);
      });
    }
    return Promise.resolve(c);
  }

  stopContainer(id: string, graceMs: number): Promise<RuntimeContainer> {
    const c = this.byId.get(id);
    if (!c) return Promise.reject(new RuntimeError('KillContainerError', `container ${id} not found`));
    if (c.state !== 'running') {
      if (c.state === 'created') this.exit(c, 0, 'Created');
      return Promise.resolve(c);
    }
    if (c.stopping) return c.stopping;
    c.stopping = new Promise<RuntimeContainer>((resolve) => {
      if (c.behaviour.ignoreSigterm && graceMs > 0) {
        this.write(c, `k8ts-sim: received SIGTERM, ignoring it (${SIM.ignoreSigterm})`);
        const cancel = this.wheel.after(graceMs, () => {
          if (c.state !== 'running') return resolve(c);
          this.write(c, 'k8ts-sim: killed by SIGKILL at the end of the grace period');
          this.exit(c, 137);
          resolve(c);
        });
        // An exit of its own before the deadline ends the wait too.
        const prev = c.cancelExit;
        c.cancelExit = () => {
          prev?.();
          cancel();
        };
        this.whenExited(c, () => {
          cancel();
          resolve(c);
        });
        return;
      }
      if (graceMs > 0) {
        this.write(c, 'k8ts-sim: received SIGTERM, shutting down');
        this.exit(c, 0);
      } else {
        this.write(c, 'k8ts-sim: killed by SIGKILL');
        this.exit(c, 137);
      }
      resolve(c);
    });
    return c.stopping;
  }

  removePod(podUid: string): void {
    for (const c of this.table.removePod(podUid)) {
      c.cancelExit?.();
      for (const f of c.followers) f(undefined);
      c.followers.clear();
    }
  }

  container(id: string): RuntimeContainer | undefined {
    return this.byId.get(id);
  }

  probe(id: string, kind: ProbeKind, now: number): ProbeResult {
    const c = this.byId.get(id);
    if (!c || c.state !== 'running') return { ok: false, output: 'container is not running' };
    if (kind !== 'readiness') return { ok: true, output: '' };
    if (c.behaviour.neverReady) return { ok: false, output: `k8ts-sim: readiness held back by ${SIM.neverReady}` };
    const readyAt = (c.startedAt ?? now) + c.behaviour.readyAfterMs;
    if (now < readyAt) return { ok: false, output: `k8ts-sim: not ready for another ${Math.ceil((readyAt - now) / 1000)}s (${SIM.readyAfterSeconds})`, changesAt: readyAt };
    return { ok: true, output: '' };
  }

  logs(id: string): readonly LogLine[] {
    return this.byId.get(id)?.logs ?? [];
  }

  follow(id: string, onLine: (line: LogLine | undefined) => void): () => void {
    const c = this.byId.get(id);
    if (!c || c.state === 'exited') {
      queueMicrotask(() => onLine(undefined));
      return () => {};
    }
    c.followers.add(onLine);
    return () => c.followers.delete(onLine);
  }

  onExit(listener: (c: RuntimeContainer) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  unsupported(op: StreamingOp, nodeName: string): string {
    const what = op === 'portforward' ? 'port forwarding' : op;
    const fix = op === 'portforward' ? 'forward ports to pods' : op === 'exec' ? 'exec into containers' : 'attach to containers';
    return `${what} is not supported by the simulated runtime of node ${nodeName}: start k8ts with the process runtime to ${fix}`;
  }

  private isInit(pod: KubeObject, name: string): boolean {
    const spec = pod.spec as { initContainers?: { name: string }[] } | undefined;
    return spec?.initContainers?.some((c) => c.name === name) ?? false;
  }

  private write(c: SimContainer, text: string): void {
    const line = { at: this.clock.now(), text };
    c.logs.push(line);
    for (const f of c.followers) f(line);
  }

  private whenExited(c: SimContainer, fn: () => void): void {
    const listener = (x: RuntimeContainer) => {
      if (x === c) {
        this.exitListeners.delete(listener);
        fn();
      }
    };
    this.exitListeners.add(listener);
  }

  private exit(c: SimContainer, code: number, reason?: string): void {
    if (c.state === 'exited') return;
    c.cancelExit?.();
    c.state = 'exited';
    c.finishedAt = this.clock.now();
    c.startedAt ??= c.finishedAt;
    c.exitCode = code;
    c.reason = reason ?? (code === 0 ? 'Completed' : 'Error');
    for (const f of c.followers) f(undefined);
    c.followers.clear();
    for (const l of [...this.exitListeners]) l(c);
  }

  private sleep(ms: number): Promise<void> {
    return ms <= 0 ? Promise.resolve() : new Promise((resolve) => this.wheel.after(ms, resolve));
  }
}
