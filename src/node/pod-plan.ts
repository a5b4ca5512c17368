// What a node agent does next for one pod: a pure function of the pod, what the agent knows
// about its containers and the time (pkg/kubelet/kuberuntime/kuberuntime_manager.go
// computePodActions, with the init-container ordering of computeInitContainerActions and the
// restart rules of pkg/kubelet/container ShouldContainerBeRestarted). The agent carries the
// steps out and calls again when anything changes or at wakeAt.
import type { KubeObject } from '../api/meta/types.ts';
import { pullBackoffMs, restartDelayMs, formatGoDuration } from './backoff.ts';
import type { ContainerTrack, PodTrack } from './pod-track.ts';
import type { ContainerSpec } from './runtime.ts';

export type Step =
  /** Pull as needed, create and start the container (a restart when one ran before). */
  | { kind: 'start'; name: string }
  /** Stop the container, SIGKILL after graceMs. */
  | { kind: 'kill'; name: string; graceMs: number }
  /** Show the container as waiting (CrashLoopBackOff, ErrImagePull, ImagePullBackOff) until `until`. */
  | { kind: 'wait'; name: string; reason: string; message: string; until: number }
  /** Everything stopped after a delete: write the final status, then remove the pod. */
  | { kind: 'finish' };

export interface Plan {
  steps: Step[];
  /** The earliest time something changes by itself. */
  wakeAt?: number;
}

export interface PodSpecLite {
  containers?: ContainerSpec[];
  initContainers?: ContainerSpec[];
  restartPolicy?: string;
}

/** How long ErrImagePull shows before it turns into ImagePullBackOff. */
export const ERR_IMAGE_PULL_SHOWN_MS = 5_000;

export function podRef(pod: KubeObject): string {
  return `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
}

export function planPod(pod: KubeObject, track: PodTrack, now: number): Plan {
  const spec = (pod.spec ?? {}) as PodSpecLite;
  const policy = spec.restartPolicy ?? 'Always';
  const steps: Step[] = [];
  let wakeAt: number | undefined;
  const wake = (t: number) => (wakeAt = wakeAt === undefined ? t : Math.min(wakeAt, t));
  const t = (name: string) => track.containers.get(name)!;

  if (pod.metadata.deletionTimestamp) {
    const deadline = Date.parse(pod.metadata.deletionTimestamp);
    const graceMs = Math.max(0, (Number.isNaN(deadline) ? now : deadline) - now);
    let live = false;
    for (const c of track.containers.values()) {
      if (c.busy) live = true;
      const state = c.current?.state;
      if (state === 'running' || state === 'created') {
        live = true;
        if (!c.killing) steps.push({ kind: 'kill', name: c.name, graceMs });
      }
    }
    if (!live && !track.finishing) steps.push({ kind: 'finish' });
    return { steps };
  }

  // A finished pod stays finished (pods never leave a terminal phase).
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return { steps };

  // Starting a container, honouring pull back-off.
  const start = (c: ContainerTrack, image: string): void => {
    if (c.pullNotBefore !== undefined && now < c.pullNotBefore) {
      const shownUntil = (c.pullFailedAt ?? now) + Math.min(ERR_IMAGE_PULL_SHOWN_MS, c.pullNotBefore - (c.pullFailedAt ?? now));
      if (now < shownUntil) wake(shownUntil);
      else {
        steps.push({ kind: 'wait', name: c.name, reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"`, until: c.pullNotBefore });
        wake(c.pullNotBefore);
      }
      return;
    }
    // A create that failed (CreateContainerConfigError …) is retried after a pause, the waiting reason kept.
    if (c.createNotBefore !== undefined && now < c.createNotBefore) {
      wake(c.createNotBefore);
      return;
    }
    steps.push({ kind: 'start', name: c.name });
  };

  // Restart after an exit once the crash back-off has passed.
  const restart = (c: ContainerTrack, image: string): void => {
    if (c.fromPreviousRun) return start(c, image);
    const cur = c.current!;
    const ran = (cur.finishedAt ?? now) - (cur.startedAt ?? now);
    const at = (cur.finishedAt ?? now) + restartDelayMs(c.restartCount, ran);
    if (now >= at) return start(c, image);
    const delay = restartDelayMs(c.restartCount, ran);
    steps.push({
      kind: 'wait',
      name: c.name,
      reason: 'CrashLoopBackOff',
      message: `back-off ${formatGoDuration(delay)} restarting failed container=${c.name} pod=${podRef(pod)}`,
      until: at,
    });
    wake(at);
  };

  // Init containers one at a time, in order; sidecars (restartPolicy Always) count once started.
  for (const s of spec.initContainers ?? []) {
    const c = t(s.name);
    const sidecar = s.restartPolicy === 'Always';
    if (c.busy) return { steps, wakeAt };
    const cur = c.current;
    if (!cur) {
      start(c, s.image ?? '');
      return { steps, wakeAt };
    }
    if (cur.state !== 'exited') {
      if (sidecar && c.started) continue;
      return { steps, wakeAt };
    }
    if (!sidecar && cur.exitCode === 0) continue;
    if (!sidecar && policy === 'Never') return { steps, wakeAt };
    restart(c, s.image ?? '');
    return { steps, wakeAt };
  }

  for (const s of spec.containers ?? []) {
    const c = t(s.name);
    if (c.busy) continue;
    const cur = c.current;
    if (!cur) {
      start(c, s.image ?? '');
      continue;
    }
    if (cur.state !== 'exited') continue;
    const again = policy === 'Always' || (policy === 'OnFailure' && cur.exitCode !== 0);
    if (again) restart(c, s.image ?? '');
  }
  return { steps, wakeAt };
}

/** After a failed pull: when the next may happen. */
export function nextPullAt(failures: number, now: number): number {
  return now + pullBackoffMs(failures);
}
