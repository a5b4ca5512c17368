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
