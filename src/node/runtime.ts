// The container runtime behind a node agent, shaped after the CRI calls the kubelet makes
// (k8s.io/cri-api RuntimeService and ImageService: PullImage, CreateContainer, StartContainer,
// StopContainer, ContainerStatus, logs, Exec/Attach/PortForward) and PLEG's container-died
// events. The agent decides what should run and when (pkg/kubelet/kuberuntime
// kuberuntime_manager.go SyncPod); a runtime only does it. SimulatedRuntime runs nothing; a
// process runtime will run real commands behind the same interface.
import type { Duplex, Readable, Writable } from 'node:stream';
import type { KubeObject } from '../api/meta/types.ts';

export interface ContainerSpec {
  name: string;
  image?: string;
  imagePullPolicy?: string;
  readinessProbe?: ProbeSpec;
  startupProbe?: ProbeSpec;
  livenessProbe?: ProbeSpec;
  restartPolicy?: string;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
}

export interface ProbeSpec {
  initialDelaySeconds?: number;
  periodSeconds?: number;
  failureThreshold?: number;
  successThreshold?: number;
}

export type RuntimeState = 'created' | 'running' | 'exited';

/** A container as the runtime knows it; one per start attempt. */
export interface RuntimeContainer {
  /** `<runtime>://<64 hex>`, as containerStatuses[].containerID shows it. */
  readonly id: string;
  readonly podUid: string;
  readonly name: string;
  /** The restart count this container was created with. */
  readonly attempt: number;
  readonly image: string;
  readonly imageRef: string;
  state: RuntimeState;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  /** Completed, Error, OOMKilled, StartError … */
  reason?: string;
  /** Why it ended, when the runtime can say (StartError's message). */
  message?: string;
}

export interface LogLine {
  at: number;
  text: string;
}

export interface PullResult {
  /** The digest reference (containerStatuses[].imageID). */
  imageRef: string;
  /** Time the pull took. */
  ms: number;
  /** Image size in bytes, as the Pulled event reports it. */
  size: number;
}

/** A runtime operation failed with a kubelet waiting reason (ErrImagePull, CreateContainerError …). */
export class RuntimeError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ProbeResult {
  ok: boolean;
  /** What a failed probe printed (Unhealthy event). */
  output: string;
  /** When the outcome may change without anything else happening; undefined = not by itself. */
  changesAt?: number;
  /** A liveness probe failed, or a startup probe ran out of attempts: the container must be restarted. */
  kill?: boolean;
}

export type ProbeKind = 'startup' | 'readiness' | 'liveness';
export type StreamingOp = 'exec' | 'attach' | 'portforward';

export interface CreateRequest {
  nodeName: string;
  pod: KubeObject;
  container: ContainerSpec;
  init: boolean;
  attempt: number;
  imageRef: string;
  /** The pod's /etc/resolv.conf as the kubelet forms it (dnsPolicy, dnsConfig); undefined without cluster DNS settings. */
  resolvConf?: string;
  /** The sandbox's address (the node's for hostNetwork pods), the node's IP and pod CIDR. */
  podIP?: string;
  hostIP?: string;
  podCIDR?: string;
}

/** What an exec or attach session asks for (the stdin/stdout/stderr/tty query options). */
export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/**
 * A running exec or attach: its streams (absent when not asked for; with a tty, stderr is merged
 * into stdout), terminal resizing, and how it ended.
 */
export interface StreamSession {
  stdin?: Writable;
  stdout?: Readable;
  stderr?: Readable;
  /** The terminal's new size (tty sessions; ignored otherwise). */
  resize(cols: number, rows: number): void;
  /** Exit code of the command (exec) once it ended; attach resolves when the container exits. */
  readonly done: Promise<number>;
  /** Ends the session (the client went away): kills an exec'd command, detaches an attach. */
  close(): void;
}

/** The runtime's streaming calls (CRI Exec/Attach/PortForward); a runtime without them leaves them out. */
export interface StreamingRuntime {
  /** Runs command in a running container; rejects with RuntimeError when it cannot start. */
  exec(id: string, command: string[], o: StreamOptions): Promise<StreamSession>;
  /** Attaches to a running container's main process. */
  attach(id: string, o: StreamOptions): Promise<StreamSession>;
  /** A connection to port inside the pod's network namespace. */
  portForward(podUid: string, port: number): Promise<Duplex>;
}

export interface ContainerRuntime {
  /** Short name for messages ("simulated"). */
  readonly name: string;
  /** Node status containerRuntimeVersion, e.g. `k8ts-sim://0.1.0`. */
  readonly version: string;
  /** The digest reference when the node already holds the image (IfNotPresent skips the pull). */
  imageRef(nodeName: string, image: string): string | undefined;
  /** Pulls onto the node; rejects with RuntimeError('ErrImagePull') on failure. */
  pullImage(nodeName: string, pod: KubeObject, container: ContainerSpec): Promise<PullResult>;
  /** Creates a container (ContainerCreating lasts until this resolves); rejects with RuntimeError. */
  createContainer(req: CreateRequest): Promise<RuntimeContainer>;
  /** Starts a created container; resolves once it runs. Its exit is reported through onExit. */
  startContainer(id: string): Promise<RuntimeContainer>;
  /** SIGTERM, then SIGKILL when graceMs has passed; resolves once the container has exited. */
  stopContainer(id: string, graceMs: number): Promise<RuntimeContainer>;
  /** Forgets a pod's containers and logs (the pod is gone). */
  removePod(podUid: string): void;
  container(id: string): RuntimeContainer | undefined;
  /** Runs a probe against a running container now. */
  probe(id: string, kind: ProbeKind, now: number): ProbeResult;
  /** Everything the container wrote so far. */
  logs(id: string): readonly LogLine[];
  /** Calls onLine for each new line, then with undefined once the container has exited. */
  follow(id: string, onLine: (line: LogLine | undefined) => void): () => void;
  /** PLEG: tells about every container that exits by itself or is stopped. */
  onExit(listener: (c: RuntimeContainer) => void): () => void;
  /** Probe results that changed by themselves (runtimes that probe on their own schedule). */
  onProbeChange?(listener: (podUid: string) => void): () => void;
  /** Streaming operations this runtime cannot serve answer with this message. */
  unsupported(op: StreamingOp, nodeName: string): string | undefined;
  /** Exec, attach and port-forward, for runtimes that run something. */
  readonly streaming?: StreamingRuntime;
}

/**
 * A runtime's containers by id and by pod, keeping the current and the previous container of each
 * name (enough for `kubectl logs --previous`); older ones are handed back to be disposed of.
 */
export class ContainerTable<C extends RuntimeContainer> {
  readonly byId = new Map<string, C>();
  readonly byPod = new Map<string, Set<string>>();

  /** Adds c; returns the containers of its name that it pushes out. */
  add(c: C): C[] {
    this.byId.set(c.id, c);
    let ids = this.byPod.get(c.podUid);
    if (!ids) this.byPod.set(c.podUid, (ids = new Set()));
    ids.add(c.id);
    const same = [...ids].map((i) => this.byId.get(i)!).filter((o) => o.name === c.name);
    const dropped = same.slice(0, -2);
    for (const old of dropped) {
      ids.delete(old.id);
      this.byId.delete(old.id);
    }
    return dropped;
  }

  /** Forgets a pod's containers, returning them. */
  removePod(uid: string): C[] {
    const out = [...(this.byPod.get(uid) ?? [])].map((id) => this.byId.get(id)).filter((c): c is C => c !== undefined);
    for (const c of out) this.byId.delete(c.id);
    this.byPod.delete(uid);
    return out;
  }
}
