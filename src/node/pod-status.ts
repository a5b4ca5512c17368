// The pod status a kubelet reports, computed from the pod, the agent's record of its containers
// and the time: container statuses (pkg/kubelet/kubelet_pods.go convertToAPIContainerStatuses),
// phase (getPhase), conditions (pkg/kubelet/status/generate.go), QoS class, IPs and start time.
// Pure, so the table in pod-status.test.ts pins the upstream reasons and messages.
import type { KubeObject } from '../api/meta/types.ts';
import { semanticEqual } from '../api/validation/json.ts';
import { rfc3339 } from '../util/clock.ts';
import type { PodSpecLite } from './pod-plan.ts';
import type { ContainerTrack, PodTrack } from './pod-track.ts';
import { podQosClass } from './qos.ts';
import type { ContainerSpec, RuntimeContainer } from './runtime.ts';
import { normalizeImage } from './simulated-runtime.ts';

type Obj = Record<string, unknown>;

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastProbeTime: null;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface ContainerStatus {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  started: boolean;
  ready: boolean;
  restartCount: number;
  state: Obj;
  lastState: Obj;
}

/** Conditions the kubelet owns (pkg/kubelet/types PodConditionByKubelet); others are kept. */
const KUBELET_CONDITIONS = new Set(['PodScheduled', 'Ready', 'Initialized', 'ContainersReady', 'PodReadyToStartContainers']);

function terminated(c: RuntimeContainer): Obj {
  return {
    terminated: {
      exitCode: c.exitCode ?? 0,
      reason: c.reason ?? 'Completed',
      ...(c.message ? { message: c.message } : {}),
      startedAt: rfc3339(c.startedAt ?? c.finishedAt ?? 0),
      finishedAt: rfc3339(c.finishedAt ?? 0),
      containerID: c.id,
    },
  };
}

export function containerStatus(spec: ContainerSpec, t: ContainerTrack, hasInit: boolean): ContainerStatus {
  const cur = t.current;
  const image = normalizeImage(spec.image ?? '');
  let state: Obj;
  let lastState: Obj = t.previous?.state === 'exited' ? terminated(t.previous) : {};
  if (t.waiting) {
    state = { waiting: { reason: t.waiting.reason, ...(t.waiting.message ? { message: t.waiting.message } : {}) } };
    // Waiting to restart: the exited container is the last state.
    if (cur?.state === 'exited') lastState = terminated(cur);
  } else if (cur?.state === 'running') state = { running: { startedAt: rfc3339(cur.startedAt ?? 0) } };
  else if (cur?.state === 'exited') state = terminated(cur);
  else state = { waiting: { reason: hasInit ? 'PodInitializing' : 'ContainerCreating' } };
  const shown = t.waiting && cur?.state === 'exited' ? cur : cur;
  const completedInit = t.init && cur?.state === 'exited' && cur.exitCode === 0 && !t.waiting;
  return {
    name: spec.name,
    image,
    imageID: shown?.imageRef ?? '',
    ...(shown ? { containerID: shown.id } : {}),
    started: cur?.state === 'running' && t.started && !t.waiting,
    ready: (cur?.state === 'running' && t.ready && !t.waiting) || !!completedInit,
    restartCount: t.restartCount,
    state,
    lastState,
  };
}

/** pkg/kubelet/kubelet_pods.go getPhase. */
export function podPhase(spec: PodSpecLite, init: ContainerStatus[], app: ContainerStatus[], podIsTerminal: boolean): string {
  let pendingInit = 0;
  let failedInit = 0;
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  const initSpecs = spec.initContainers ?? [];
  initSpecs.forEach((s, i) => {
    const st = init[i]?.state ?? {};
    const last = init[i]?.lastState ?? {};
    if (s.restartPolicy === 'Always') {
      if (st.running) {
        if (!init[i]!.started) pendingInit++;
        running++;
      } else if (st.waiting && !last.terminated) {
        pendingInit++;
        waiting++;
      }
      return;
    }
    if (st.running) pendingInit++;
    else if (st.terminated) {
      if ((st.terminated as Obj).exitCode !== 0) failedInit++;
    } else if (st.waiting && last.terminated) {
      if ((last.terminated as Obj).exitCode !== 0) failedInit++;
    } else pendingInit++;
  });
  for (const cs of app) {
    const st = cs.state;
    if (st.running) running++;
    else if (st.terminated) {
      stopped++;
      if ((st.terminated as Obj).exitCode === 0) succeeded++;
    } else if (st.waiting) {
      if (cs.lastState.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  const policy = spec.restartPolicy ?? 'Always';
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  const anyAppStarted = app.some((c) => c.state.running || c.state.terminated || c.lastState.terminated);
  if ((pendingInit > 0 && !anyAppStarted) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

type Cond = Omit<PodCondition, 'lastProbeTime' | 'lastTransitionTime'>;

function readiness(spec: PodSpecLite & { readinessGates?: { conditionType: string }[] }, init: ContainerStatus[], app: ContainerStatus[], phase: string, others: PodCondition[]): { containersReady: Cond; ready: Cond } {
  let containersReady: Cond;
  if (phase === 'Succeeded' || phase === 'Failed') {
    containersReady = { type: 'ContainersReady', status: 'False', reason: phase === 'Failed' ? 'PodFailed' : 'PodCompleted' };
  } else {
    const unready = [
      ...(spec.initContainers ?? []).filter((s, i) => s.restartPolicy === 'Always' && !init[i]?.ready).map((s) => s.name),
      ...app.filter((c) => !c.ready).map((c) => c.name),
    ];
    containersReady = unready.length
      ? { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` }
      : { type: 'ContainersReady', status: 'True' };
  }
  if (containersReady.status !== 'True') return { containersReady, ready: { ...containersReady, type: 'Ready' } };
  const gates: string[] = [];
  for (const g of spec.readinessGates ?? []) {
    const c = others.find((o) => o.type === g.conditionType);
    if (!c) gates.push(`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`);
    else if (c.status !== 'True') gates.push(`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`);
  }
  const ready: Cond = gates.length ? { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: gates.join(', ') } : { type: 'Ready', status: 'True' };
  return { containersReady, ready };
}

function initialized(spec: PodSpecLite, init: ContainerStatus[], app: ContainerStatus[], phase: string): Cond {
  if (phase === 'Succeeded') return { type: 'Initialized', status: 'True', reason: 'PodCompleted' };
  if (app.some((c) => c.started || c.state.terminated || c.lastState.terminated)) return { type: 'Initialized', status: 'True' };
  const incomplete = (spec.initContainers ?? []).filter((s, i) => (s.restartPolicy === 'Always' ? !init[i]?.started : !init[i]?.ready)).map((s) => s.name);
  return incomplete.length
    ? { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: `containers with incomplete status: [${incomplete.join(' ')}]` }
    : { type: 'Initialized', status: 'True' };
}

export interface StatusContext {
  now: number;
  hostIP: string;
  /** All containers stopped after a delete: the phase becomes terminal. */
  podIsTerminal?: boolean;
}

/** The full status the agent wants the pod to have; conditions keep their transition times. */
export function buildPodStatus(pod: KubeObject, track: PodTrack, ctx: StatusContext): Obj {
  const spec = (pod.spec ?? {}) as PodSpecLite & { readinessGates?: { conditionType: string }[] };
  const old = (pod.status ?? {}) as Obj & { conditions?: PodCondition[]; phase?: string; startTime?: string };
  const hasInit = (spec.initContainers ?? []).length > 0;
  const initStatuses = (spec.initContainers ?? []).map((s) => containerStatus(s, track.containers.get(s.name)!, hasInit));
  const appStatuses = (spec.containers ?? []).map((s) => containerStatus(s, track.containers.get(s.name)!, hasInit));
  let phase = podPhase(spec, initStatuses, appStatuses, !!ctx.podIsTerminal);
  // Pods never leave a terminal phase.
  if (old.phase === 'Succeeded' || old.phase === 'Failed') phase = old.phase;
  const oldConds = old.conditions ?? [];
  const others = oldConds.filter((c) => !KUBELET_CONDITIONS.has(c.type));
  const { containersReady, ready } = readiness(spec, initStatuses, appStatuses, phase, others);
  const generated: Cond[] = [
    { type: 'PodReadyToStartContainers', status: track.sandboxReady ? 'True' : 'False' },
    initialized(spec, initStatuses, appStatuses, phase),
    ready,
    containersReady,
    { type: 'PodScheduled', status: 'True' },
  ];
  const stamp = rfc3339(ctx.now);
  const conditions: PodCondition[] = [
    ...others,
    ...generated.map((c) => {
      const prev = oldConds.find((o) => o.type === c.type);
      const since = prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : stamp;
      return { ...c, lastProbeTime: null, lastTransitionTime: since };
    }),
  ];
  const status: Obj = {
    phase,
    conditions,
    hostIP: ctx.hostIP,
    hostIPs: [{ ip: ctx.hostIP }],
    ...(track.podIP ? { podIP: track.podIP, podIPs: [{ ip: track.podIP }] } : {}),
    startTime: old.startTime ?? rfc3339(track.startTime),
    ...(initStatuses.length ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: appStatuses,
    qosClass: podQosClass(spec),
  };
  // Phase reason and message (Evicted, …) belong to whoever set them; keep them while the phase holds.
  if (old.phase === phase) {
    if (old.reason !== undefined) status.reason = old.reason;
    if (old.message !== undefined) status.message = old.message;
  }
  for (const k of ['nominatedNodeName', 'resize', 'resourceClaimStatuses', 'ephemeralContainerStatuses'] as const) if (old[k] !== undefined) status[k] = old[k];
  return status;
}

/** A merge patch turning `old` into `next` (removed keys set to null), or undefined when equal. */
export function statusPatch(old: Obj | undefined, next: Obj): Obj | undefined {
  const prev = old ?? {};
  if (semanticEqual(prev, next)) return undefined;
  const patch: Obj = { ...next };
  for (const k of Object.keys(prev)) if (!(k in next)) patch[k] = null;
  return patch;
}
