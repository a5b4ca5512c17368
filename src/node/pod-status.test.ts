import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/meta/types.ts';
import { newContainerTrack, type ContainerTrack, type PodTrack } from './pod-track.ts';
import { buildPodStatus, statusPatch } from './pod-status.ts';
import type { RuntimeContainer } from './runtime.ts';

const T0 = Date.UTC(2026, 0, 1);
const s = (n: number) => T0 + n * 1000;
const iso = (n: number) => new Date(s(n)).toISOString().replace('.000Z', 'Z');

function ctr(name: string, state: 'running' | 'exited', startedAt: number, exit?: { code: number; at: number }, attempt = 0): RuntimeContainer {
  return {
    id: `k8ts-sim://${name}${attempt}`,
    podUid: 'u1',
    name,
    attempt,
    image: 'nginx',
    imageRef: 'docker.io/library/nginx@sha256:abc',
    state,
    createdAt: startedAt,
    startedAt,
    ...(exit ? { finishedAt: exit.at, exitCode: exit.code, reason: exit.code === 0 ? 'Completed' : 'Error' } : {}),
  };
}

function pod(spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'default', uid: 'u1' }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec }, status };
}

function track(p: KubeObject, set: Record<string, Partial<ContainerTrack>> = {}, extra: Partial<PodTrack> = {}): PodTrack {
  const spec = p.spec as { containers: { name: string }[]; initContainers?: { name: string }[] };
  const containers = new Map<string, ContainerTrack>();
  for (const c of spec.initContainers ?? []) containers.set(c.name, { ...newContainerTrack(c.name, true), ...set[c.name] });
  for (const c of spec.containers) containers.set(c.name, { ...newContainerTrack(c.name, false), ...set[c.name] });
  return { key: 'default/web-0', uid: 'u1', startTime: s(0), sandboxReady: true, podIP: '10.244.1.2', containers, finishing: false, wakeAt: Infinity, ...extra };
}

const cond = (status: Record<string, unknown>, type: string) => (status.conditions as { type: string; status: string; reason?: string; message?: string }[]).find((c) => c.type === type);

interface Case {
  name: string;
  pod: KubeObject;
  track: (p: KubeObject) => PodTrack;
  terminal?: boolean;
  want: { phase: string; ready: [string, string?, string?]; initialized?: [string, string?, string?]; state?: Record<string, unknown>; lastState?: Record<string, unknown>; containersReady?: string };
}

describe('buildPodStatus', () => {
  const cases: Case[] = [
    {
      name: 'creating',
      pod: pod({}),
      track: (p) => track(p, {}, { sandboxReady: false, podIP: undefined }),
      want: { phase: 'Pending', ready: ['False', 'ContainersNotReady', 'containers with unready status: [c]'], state: { waiting: { reason: 'ContainerCreating' } } },
    },
    {
      name: 'running, not yet ready',
      pod: pod({}),
      track: (p) => track(p, { c: { current: ctr('c', 'running', s(1)), started: true } }),
      want: { phase: 'Running', ready: ['False', 'ContainersNotReady', 'containers with unready status: [c]'], state: { running: { startedAt: iso(1) } } },
    },
    {
      name: 'running and ready',
      pod: pod({}),
      track: (p) => track(p, { c: { current: ctr('c', 'running', s(1)), started: true, ready: true } }),
      want: { phase: 'Running', ready: ['True'], containersReady: 'True' },
    },
    {
      name: 'init container running: others PodInitializing',
      pod: pod({ initContainers: [{ name: 'i1', image: 'busybox' }, { name: 'i2', image: 'busybox' }] }),
      track: (p) => track(p, { i1: { current: ctr('i1', 'running', s(1)) } }),
      want: { phase: 'Pending', ready: ['False', 'ContainersNotReady'], initialized: ['False', 'ContainersNotInitialized', 'containers with incomplete status: [i1 i2]'], state: { waiting: { reason: 'PodInitializing' } } },
    },
    {
      name: 'init done, app running',
      pod: pod({ initContainers: [{ name: 'i1', image: 'busybox' }] }),
      track: (p) => track(p, { i1: { current: ctr('i1', 'exited', s(1), { code: 0, at: s(2) }) }, c: { current: ctr('c', 'running', s(3)), started: true, ready: true } }),
      want: { phase: 'Running', ready: ['True'], initialized: ['True'] },
    },
    {
      name: 'init failed with restartPolicy Never',
      pod: pod({ restartPolicy: 'Never', initContainers: [{ name: 'i1', image: 'busybox' }] }),
      track: (p) => track(p, { i1: { current: ctr('i1', 'exited', s(1), { code: 2, at: s(2) }) } }),
      want: { phase: 'Failed', ready: ['False', 'PodFailed'], initialized: ['False', 'ContainersNotInitialized'] },
    },
    {
      name: 'crash loop: waiting with the exit as last state, phase Running',
      pod: pod({}),
      track: (p) =>
        track(p, {
          c: { current: ctr('c', 'exited', s(1), { code: 1, at: s(1) }, 1), restartCount: 1, waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=c pod=web-0_default(u1)' } },
        }),
      want: {
        phase: 'Running',
        ready: ['False', 'ContainersNotReady'],
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=c pod=web-0_default(u1)' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: iso(1), finishedAt: iso(1), containerID: 'k8ts-sim://c1' } },
      },
    },
    {
      name: 'restartPolicy Never, exit 1: Failed',
      pod: pod({ restartPolicy: 'Never' }),
      track: (p) => track(p, { c: { current: ctr('c', 'exited', s(1), { code: 1, at: s(5) }) } }),
      want: { phase: 'Failed', ready: ['False', 'PodFailed'], state: { terminated: { exitCode: 1, reason: 'Error', startedAt: iso(1), finishedAt: iso(5), containerID: 'k8ts-sim://c0' } } },
    },
    {
      name: 'restartPolicy OnFailure, exit 0: Succeeded',
      pod: pod({ restartPolicy: 'OnFailure' }),
      track: (p) => track(p, { c: { current: ctr('c', 'exited', s(1), { code: 0, at: s(5) }) } }),
      want: { phase: 'Succeeded', ready: ['False', 'PodCompleted'], initialized: ['True', 'PodCompleted'] },
    },
    {
      name: 'restartPolicy Always, exited while deleting: terminal',
      pod: pod({}),
      terminal: true,
      track: (p) => track(p, { c: { current: ctr('c', 'exited', s(1), { code: 137, at: s(31) }) } }),
      want: { phase: 'Failed', ready: ['False', 'PodFailed'] },
    },
    {
      name: 'readiness gate missing',
      pod: pod({ readinessGates: [{ conditionType: 'example.com/gate' }] }),
      track: (p) => track(p, { c: { current: ctr('c', 'running', s(1)), started: true, ready: true } }),
      want: { phase: 'Running', ready: ['False', 'ReadinessGatesNotReady', 'corresponding condition of pod readiness gate "example.com/gate" does not exist.'], containersReady: 'True' },
    },
  ];
  it.each(cases)('$name', (c) => {
    const st = buildPodStatus(c.pod, c.track(c.pod), { now: s(10), hostIP: '172.18.0.3', podIsTerminal: c.terminal });
    expect(st.phase).toBe(c.want.phase);
    const ready = cond(st, 'Ready') as { status: string; reason?: string; message?: string };
    expect([ready.status, ready.reason, ready.message].slice(0, c.want.ready.length)).toEqual(c.want.ready);
    if (c.want.initialized) {
      const i = cond(st, 'Initialized') as { status: string; reason?: string; message?: string };
      expect([i.status, i.reason, i.message].slice(0, c.want.initialized.length)).toEqual(c.want.initialized);
    }
    if (c.want.containersReady) expect((cond(st, 'ContainersReady') as { status: string }).status).toBe(c.want.containersReady);
    const cs = (st.containerStatuses as { state: unknown; lastState: unknown }[])[0]!;
    if (c.want.state) expect(cs.state).toEqual(c.want.state);
    if (c.want.lastState) expect(cs.lastState).toEqual(c.want.lastState);
  });

  it('reports IPs, start time, QoS and image names as containerd does', () => {
    const p = pod({});
    const st = buildPodStatus(p, track(p, { c: { current: ctr('c', 'running', s(1)), started: true, ready: true } }), { now: s(10), hostIP: '172.18.0.3' });
    expect(st).toMatchObject({ hostIP: '172.18.0.3', hostIPs: [{ ip: '172.18.0.3' }], podIP: '10.244.1.2', podIPs: [{ ip: '10.244.1.2' }], startTime: iso(0), qosClass: 'BestEffort' });
    expect((st.containerStatuses as unknown[])[0]).toMatchObject({ name: 'c', image: 'docker.io/library/nginx:latest', imageID: 'docker.io/library/nginx@sha256:abc', containerID: 'k8ts-sim://c0', started: true, ready: true, restartCount: 0 });
    expect((st.conditions as { type: string }[]).map((c) => c.type)).toEqual(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
  });

  it('keeps transition times of unchanged conditions and conditions it does not own', () => {
    const p = pod({}, { conditions: [{ type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: iso(0) }, { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: iso(0) }] });
    const st = buildPodStatus(p, track(p), { now: s(10), hostIP: '172.18.0.3' });
    expect(cond(st, 'DisruptionTarget')).toMatchObject({ status: 'True' });
    expect(cond(st, 'PodScheduled')).toMatchObject({ lastTransitionTime: iso(0) });
    expect(cond(st, 'Ready')).toMatchObject({ lastTransitionTime: iso(10) });
  });

  it('patches only changes, nulling removed keys', () => {
    expect(statusPatch({ phase: 'Running', reason: 'x' }, { phase: 'Running', reason: 'x' })).toBeUndefined();
    expect(statusPatch({ phase: 'Running', reason: 'x' }, { phase: 'Running' })).toEqual({ phase: 'Running', reason: null });
  });
});
