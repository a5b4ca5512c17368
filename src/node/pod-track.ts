// What a node agent remembers about each pod it runs: per container, the runtime containers of
// the current and previous attempt, restart count, back-off and prober verdicts
// (pkg/kubelet/kuberuntime's view of a pod, the prober's results cache and the back-off map).
import type { RuntimeContainer } from './runtime.ts';

export interface Waiting {
  reason: string;
  message?: string;
}

export interface ContainerTrack {
  readonly name: string;
  readonly init: boolean;
  /** The latest container the runtime made for this name. */
  current?: RuntimeContainer;
  /** The one before it: lastState and `logs --previous`. */
  previous?: RuntimeContainer;
  restartCount: number;
  /** A pull, create or start is in flight. */
  busy: boolean;
  /** Shown instead of the current container's state (ErrImagePull, CrashLoopBackOff …). */
  waiting?: Waiting;
  /** Consecutive failed pulls and when the last one failed. */
  pullFailures: number;
  pullFailedAt?: number;
  /** No pull before this time (ImagePullBackOff). */
  pullNotBefore?: number;
  /** After a failed create: no new attempt before this time. */
  createNotBefore?: number;
  /** Prober verdicts for the current container. */
  started: boolean;
  ready: boolean;
  /** The container id an Unhealthy event was last recorded for, and the back-off end a BackOff event was. */
  unhealthyFor?: string;
  backoffEventFor?: number;
  /** A stop was requested for the current container. */
  killing: boolean;
  /**
   * The current container is one a previous run of this agent left (a node reboot, a k8ts
   * restart): it restarts at once, as a kubelet's back-off memory starts empty.
   */
  fromPreviousRun?: boolean;
}

export interface PodTrack {
  readonly key: string;
  readonly uid: string;
  /** When the agent first saw the pod (status.startTime). */
  startTime: number;
  podIP?: string;
  sandboxReady: boolean;
  containers: Map<string, ContainerTrack>;
  /** The final status is being written and the pod deleted. */
  finishing: boolean;
  /** The pending wake-up and when it fires. */
  wakeAt: number;
  cancelWake?: () => void;
}

export function newContainerTrack(name: string, init: boolean): ContainerTrack {
  return { name, init, restartCount: 0, busy: false, pullFailures: 0, started: false, ready: false, killing: false };
}

interface StatusSeen {
  name: string;
  containerID?: string;
  imageID?: string;
  image?: string;
  restartCount?: number;
  state?: { running?: { startedAt?: string }; terminated?: { exitCode?: number; reason?: string; startedAt?: string; finishedAt?: string; containerID?: string } };
  lastState?: { terminated?: { exitCode?: number; reason?: string; startedAt?: string; finishedAt?: string; containerID?: string } };
}

const at = (t: string | undefined, fallback: number) => (t ? Date.parse(t) || fallback : fallback);

/**
 * A container track for a pod this agent finds already run by a previous run of it (the pod's
 * status names a container): the container it had counts as exited — one that was running
 * ended with the node (exit code 255, reason Unknown, as a kubelet reports containers a reboot
 * killed) — so it is restarted with its restart count going on, as after a node reboot.
 */
export function trackFromStatus(name: string, init: boolean, podUid: string, seen: StatusSeen | undefined, now: number): ContainerTrack {
  const t = newContainerTrack(name, init);
  if (!seen) return t;
  const running = seen.state?.running;
  const ended = seen.state?.terminated ?? (running ? undefined : seen.lastState?.terminated);
  const id = seen.containerID ?? ended?.containerID;
  if (!id || (!running && !ended)) return t;
  t.restartCount = seen.restartCount ?? 0;
  t.fromPreviousRun = true;
  const startedAt = at(running?.startedAt ?? ended?.startedAt, now);
  t.current = {
    id,
    podUid,
    name,
    attempt: t.restartCount,
    image: seen.image ?? '',
    imageRef: seen.imageID ?? '',
    state: 'exited',
    createdAt: startedAt,
    startedAt,
    finishedAt: running ? now : at(ended?.finishedAt, now),
    exitCode: running ? 255 : (ended?.exitCode ?? 0),
    reason: running ? 'Unknown' : (ended?.reason ?? 'Completed'),
  };
  return t;
}
