// The pod half of a node agent (pkg/kubelet/kubelet.go SyncPod / SyncTerminatingPod, the pod
// workers and the status manager): for each pod bound to the node, run the prober, plan
// (pod-plan.ts), carry the steps out against the runtime with the events a kubelet records,
// and post the status (pod-status.ts) when it changed. A deleted pod is stopped and then removed
// with gracePeriodSeconds 0 and its uid as precondition, as the status manager does.
import { ApiError } from '../api/errors.ts';
import type { KubeObject } from '../api/meta/types.ts';
import { semanticEqual } from '../api/validation/json.ts';
import type { ResourceClient } from '../client/client.ts';
import type { EventRecorder } from '../controllers/runtime/event-recorder.ts';
import type { Clock } from '../util/clock.ts';
import { formatGoDuration, pullBackoffMs } from './backoff.ts';
import type { IpAllocator } from './ip-allocator.ts';
import { planPod, podRef, type PodSpecLite, type Step } from './pod-plan.ts';
import { computeResolvConf, type PodDnsSpec } from '../dns/resolv-conf.ts';
import { buildPodStatus, statusPatch } from './pod-status.ts';
import { trackFromStatus, type ContainerTrack, type PodTrack } from './pod-track.ts';
import { probeContainer } from './probes.ts';
import { RuntimeError, type ContainerRuntime, type ContainerSpec } from './runtime.ts';
import type { TimerWheel } from './timer-wheel.ts';

export interface PodSyncDeps {
  nodeName: string;
  hostIP: string;
  /** The node's pod CIDR (the runtime's network puts pods in it). */
  podCIDR?: string;
  ips: IpAllocator;
  runtime: ContainerRuntime;
  pods: ResourceClient;
  clock: Clock;
  wheel: TimerWheel;
  /** Undefined when events are off. */
  recorder?: EventRecorder;
  /** Asks for another sync of the pod (the pool's queue). */
  enqueue(key: string): void;
  /**
   * Why the pod's volumes cannot be mounted yet (a claim missing, unbound or being deleted), or
   * undefined when they can. Asked until it says yes once; the pool re-syncs the pod when one of
   * its claims changes.
   */
  volumesBlocked?(pod: KubeObject, key: string): string | undefined;
  log(msg: string): void;
  /** Kubelet --cluster-domain / --cluster-dns / --resolv-conf: what pods' resolv.conf is formed from. */
  dns?: PodDnsSettings;
}

export interface PodDnsSettings {
  clusterDomain: string;
  clusterDNS: string[];
  /** The node's resolv.conf text (Default policy and extra search domains). */
  hostResolvConf?: string;
}

interface SyncedTrack extends PodTrack {
  lastSent?: Record<string, unknown>;
  ipReleased?: boolean;
  /** The pod's volumes were mounted: they stay so for its lifetime. */
  volumesMounted?: boolean;
  /** The FailedMount message last reported, so each is recorded once. */
  mountFailure?: string;
  /** The pod's /etc/resolv.conf, formed once when its sandbox is made (as the kubelet does). */
  resolvConf?: string;
}

const RETRY_MS = 1_000;

/** Image pull policy as API defaulting sets it: Always for :latest or no tag, else IfNotPresent. */
export function pullPolicy(c: ContainerSpec): string {
  if (c.imagePullPolicy) return c.imagePullPolicy;
  const image = c.image ?? '';
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  return !last.includes(':') || last.endsWith(':latest') ? 'Always' : 'IfNotPresent';
}

export class PodSync {
  readonly tracks = new Map<string, SyncedTrack>();

  constructor(private readonly d: PodSyncDeps) {}

  /** Brings one pod (undefined: gone from the API) closer to what it should be. */
  async sync(key: string, pod: KubeObject | undefined): Promise<void> {
    let track = this.tracks.get(key);
    if (track && (!pod || pod.metadata.uid !== track.uid)) {
      this.forget(key);
      track = undefined;
    }
    if (!pod) return;
    track ??= this.admit(key, pod);
    if (!track.volumesMounted && !pod.metadata.deletionTimestamp && this.d.volumesBlocked) {
      // The kubelet's volume manager: containers wait (ContainerCreating) until every claim mounts.
      const why = this.d.volumesBlocked(pod, key);
      if (why) {
        if (track.mountFailure !== why) this.event(pod, 'Warning', 'FailedMount', why);
        track.mountFailure = why;
        return this.postStatus(pod, track, false);
      }
    }
    track.volumesMounted = true;
    const now = this.d.clock.now();
    this.runProbes(pod, track, now);
    const plan = planPod(pod, track, now);
    for (const step of plan.steps) this.execute(pod, track, step);
    if (plan.wakeAt !== undefined) this.wake(track, plan.wakeAt);
    if (plan.steps.some((s) => s.kind === 'finish')) return this.finish(pod, track);
    await this.postStatus(pod, track, false);
  }

  /** The pod is gone: stop what still runs and free its address. */
  forget(key: string): void {
    const track = this.tracks.get(key);
    if (!track) return;
    this.tracks.delete(key);
    track.cancelWake?.();
    for (const c of track.containers.values()) {
      if (c.current?.state === 'running') void this.d.runtime.stopContainer(c.current.id, 0).catch(() => {});
    }
    this.d.runtime.removePod(track.uid);
    if (!track.ipReleased) this.d.ips.release(track.podIP);
  }

  private admit(key: string, pod: KubeObject): SyncedTrack {
    const spec = (pod.spec ?? {}) as PodSpecLite;
    const containers = new Map<string, ContainerTrack>();
    // A pod whose status names containers was run by a previous run of this agent: they restart.
    const old = (pod.status ?? {}) as { initContainerStatuses?: { name: string }[]; containerStatuses?: { name: string }[] };
    const seen = (list: { name: string }[] | undefined, name: string) => list?.find((s) => s.name === name);
    const now = this.d.clock.now();
    const uid = pod.metadata.uid ?? '';
    for (const c of spec.initContainers ?? []) containers.set(c.name, trackFromStatus(c.name, true, uid, seen(old.initContainerStatuses, c.name), now));
    for (const c of spec.containers ?? []) containers.set(c.name, trackFromStatus(c.name, false, uid, seen(old.containerStatuses, c.name), now));
    // The sandbox: a host-network pod shares the node's address (the kubelet reports the node
    // IPs as pod IPs); any other gets one from the node's range (the one it had, after a restart).
    const hostNetwork = (pod.spec as { hostNetwork?: boolean } | undefined)?.hostNetwork === true;
    const had = (pod.status as { podIP?: string } | undefined)?.podIP;
    const podIP = hostNetwork ? this.d.hostIP : had && this.d.ips.claim(had) ? had : this.d.ips.allocate();
    const track: SyncedTrack = { key, uid: pod.metadata.uid ?? '', startTime: this.d.clock.now(), podIP, sandboxReady: podIP !== undefined, containers, finishing: false, wakeAt: Infinity, ipReleased: hostNetwork };
    // As the kubelet says when it finds a pod's sandbox gone after a reboot.
    if ([...containers.values()].some((c) => c.fromPreviousRun)) this.event(pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
    if (!podIP) this.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: no IP addresses available in range set for node ${this.d.nodeName}`);
    if (this.d.dns) {
      const dns = computeResolvConf({ spec: (pod.spec ?? {}) as PodDnsSpec, namespace: pod.metadata.namespace ?? 'default', ...this.d.dns });
      track.resolvConf = dns.text;
      for (const w of dns.warnings) this.event(pod, 'Warning', w.reason, w.message);
    }
    this.tracks.set(key, track);
    return track;
  }

  private specOf(pod: KubeObject, name: string): ContainerSpec {
    const spec = (pod.spec ?? {}) as PodSpecLite;
    return [...(spec.initContainers ?? []), ...(spec.containers ?? [])].find((c) => c.name === name) ?? { name };
  }

  private fieldPath(c: ContainerTrack): string {
    return `spec.${c.init ? 'initContainers' : 'containers'}{${c.name}}`;
  }

  private runProbes(pod: KubeObject, track: SyncedTrack, now: number): void {
    for (const c of track.containers.values()) {
      const cur = c.current;
      const v = probeContainer(this.specOf(pod, c.name), cur, now, (kind) => this.d.runtime.probe(cur!.id, kind, now));
      c.started = v.started;
      c.ready = v.ready;
      if (v.nextAt !== undefined) this.wake(track, v.nextAt);
      if (v.kill && cur?.state === 'running' && !c.killing) {
        // The prober's verdict: restart the container (pkg/kubelet/kuberuntime computePodActions).
        const what = v.kill.kind === 'liveness' ? 'Liveness' : 'Startup';
        c.killing = true;
        this.event(pod, 'Warning', 'Unhealthy', `${what} probe failed: ${v.kill.output}`, this.fieldPath(c));
        this.event(pod, 'Normal', 'Killing', `Container ${c.name} failed ${what.toLowerCase()} probe, will be restarted`, this.fieldPath(c));
        const grace = ((pod.spec as { terminationGracePeriodSeconds?: number } | undefined)?.terminationGracePeriodSeconds ?? 30) * 1000;
        this.stop(track, c, grace);
        continue;
      }
      if (v.failure && cur && c.unhealthyFor !== cur.id) {
        c.unhealthyFor = cur.id;
        this.event(pod, 'Warning', 'Unhealthy', `Readiness probe failed: ${v.failure}`, this.fieldPath(c));
      }
    }
  }

  private execute(pod: KubeObject, track: SyncedTrack, step: Step): void {
    if (step.kind === 'finish') return;
    const c = track.containers.get(step.name)!;
    const image = this.specOf(pod, step.name).image ?? '';
    if (step.kind === 'wait') {
      c.waiting = { reason: step.reason, message: step.message };
      if (c.backoffEventFor !== step.until) {
        c.backoffEventFor = step.until;
        if (step.reason === 'CrashLoopBackOff') this.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${podRef(pod)}`, this.fieldPath(c));
        else {
          this.event(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, this.fieldPath(c));
          this.event(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff', this.fieldPath(c));
        }
      }
      return;
    }
    if (step.kind === 'kill') {
      c.killing = true;
      c.waiting = undefined;
      this.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`, this.fieldPath(c));
      this.stop(track, c, step.graceMs);
      return;
    }
    c.busy = true;
    void this.start(pod, track, c, this.specOf(pod, c.name)).finally(() => {
      c.busy = false;
      this.d.enqueue(track.key);
    });
  }

  /** Stops the container's current run (marked killing by the caller); the pod syncs again once it has exited. */
  private stop(track: SyncedTrack, c: ContainerTrack, graceMs: number): void {
    this.d.runtime.stopContainer(c.current!.id, graceMs).then(
      () => this.d.enqueue(track.key),
      (e: unknown) => this.d.log(`stop ${track.key}/${c.name}: ${(e as Error).message}`),
    );
  }

  /** Pull as the policy says, create, start: the kubelet's startContainer with its events. */
  private async start(pod: KubeObject, track: SyncedTrack, c: ContainerTrack, spec: ContainerSpec): Promise<void> {
    const { runtime, nodeName } = this.d;
    const image = spec.image ?? '';
    const path = this.fieldPath(c);
    const policy = pullPolicy(spec);
    let imageRef = policy === 'Always' ? undefined : runtime.imageRef(nodeName, image);
    if (imageRef) this.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`, path);
    else if (policy === 'Never') {
      const message = `Container image "${image}" is not present with pull policy of Never`;
      c.waiting = { reason: 'ErrImageNeverPull', message };
      this.event(pod, 'Warning', 'ErrImageNeverPull', message, path);
      return;
    } else {
      this.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, path);
      try {
        const pulled = await runtime.pullImage(nodeName, pod, spec);
        imageRef = pulled.imageRef;
        c.pullFailures = 0;
        c.pullNotBefore = undefined;
        const took = formatGoDuration(pulled.ms);
        this.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${took} (${took} including waiting). Image size: ${pulled.size} bytes.`, path);
      } catch (e) {
        const message = e instanceof RuntimeError ? e.message : String(e);
        const now = this.d.clock.now();
        c.pullFailures++;
        c.pullFailedAt = now;
        c.pullNotBefore = now + pullBackoffMs(c.pullFailures);
        c.waiting = { reason: 'ErrImagePull', message };
        this.event(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${message}`, path);
        this.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull', path);
        this.wake(track, c.pullNotBefore);
        return;
      }
    }
    const restart = c.current !== undefined;
    const attempt = restart ? c.restartCount + 1 : 0;
    let created;
    try {
      created = await runtime.createContainer({ nodeName, pod, container: spec, init: c.init, attempt, imageRef, resolvConf: track.resolvConf, podIP: track.podIP, hostIP: this.d.hostIP, podCIDR: this.d.podCIDR });
    } catch (e) {
      c.waiting = { reason: e instanceof RuntimeError ? e.reason : 'CreateContainerError', message: (e as Error).message };
      this.event(pod, 'Warning', 'Failed', `Error: ${(e as Error).message}`, path);
      c.createNotBefore = this.d.clock.now() + RETRY_MS;
      this.wake(track, c.createNotBefore);
      return;
    }
    if (this.tracks.get(track.key) !== track) {
      runtime.removePod(track.uid);
      return;
    }
    if (restart) {
      c.previous = c.current;
      c.restartCount = attempt;
    }
    c.current = created;
    c.createNotBefore = undefined;
    c.waiting = undefined;
    c.killing = false;
    c.started = c.ready = false;
    c.fromPreviousRun = false;
    this.event(pod, 'Normal', 'Created', `Created container: ${c.name}`, path);
    await runtime.startContainer(created.id);
    this.event(pod, 'Normal', 'Started', `Started container ${c.name}`, path);
  }

  /** All containers stopped after a delete: final status, then remove the pod for good. */
  private async finish(pod: KubeObject, track: SyncedTrack): Promise<void> {
    track.finishing = true;
    for (const c of track.containers.values()) c.waiting = undefined;
    try {
      await this.postStatus(pod, track, true);
      await this.d.pods.delete(pod.metadata.namespace!, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: track.uid } });
    } catch (e) {
      // A uid conflict means the pod was replaced; anything else is retried.
      if (e instanceof ApiError && (e.code === 404 || e.code === 409)) return;
      track.finishing = false;
      this.d.log(`finish ${track.key}: ${(e as Error).message}`);
      this.wake(track, this.d.clock.now() + RETRY_MS);
    }
  }

  private async postStatus(pod: KubeObject, track: SyncedTrack, terminal: boolean): Promise<void> {
    const now = this.d.clock.now();
    const next = buildPodStatus(pod, track, { now, hostIP: this.d.hostIP, podIsTerminal: terminal });
    const phase = next.phase;
    if ((phase === 'Succeeded' || phase === 'Failed') && !track.ipReleased) {
      track.ipReleased = true;
      this.d.ips.release(track.podIP);
    }
    const patch = statusPatch(pod.status as Record<string, unknown> | undefined, next);
    if (!patch) {
      // The cache shows what was sent: nothing to remember (150,000 pods make this count).
      track.lastSent = undefined;
      return;
    }
    // Equal to what was last sent: the cache has not caught up yet, or the server keeps it its way.
    if (semanticEqual(track.lastSent, next)) return;
    track.lastSent = next;
    try {
      await this.d.pods.patch(pod.metadata.namespace!, pod.metadata.name!, 'merge', { status: patch }, { subresource: 'status' });
    } catch (e) {
      track.lastSent = undefined;
      if (e instanceof ApiError && e.code === 404) return;
      this.d.log(`status of ${track.key}: ${(e as Error).message}`);
      this.wake(track, now + RETRY_MS);
    }
  }

  /** Sync the pod again at `at` (one pending wake per pod, the earliest wins). */
  private wake(track: SyncedTrack, at: number): void {
    if (at >= track.wakeAt) return;
    track.cancelWake?.();
    track.wakeAt = at;
    track.cancelWake = this.d.wheel.at(at, () => {
      track.wakeAt = Infinity;
      track.cancelWake = undefined;
      this.d.enqueue(track.key);
    });
  }

  private event(pod: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void {
    this.d.recorder?.event(pod, type, reason, message, fieldPath);
  }
}
