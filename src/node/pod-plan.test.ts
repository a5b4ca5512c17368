import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/meta/types.ts';
import { planPod } from './pod-plan.ts';
import { newContainerTrack, type PodTrack } from './pod-track.ts';

const pod = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u' }, spec });
const trackOf = (names: string[], init: string[] = []): PodTrack => ({
  key: 'default/p',
  uid: 'u',
  startTime: 0,
  podIP: '10.244.0.2',
  sandboxReady: true,
  containers: new Map([...init.map((n) => [n, newContainerTrack(n, true)] as const), ...names.map((n) => [n, newContainerTrack(n, false)] as const)]),
  finishing: false,
  wakeAt: Infinity,
});

describe('planPod', () => {
  it('starts a container that has none yet', () => {
    const p = planPod(pod({ containers: [{ name: 'c', image: 'busybox' }] }), trackOf(['c']), 0);
    expect(p.steps).toEqual([{ kind: 'start', name: 'c' }]);
  });

  it('waits out a failed create before trying again, and then tries', () => {
    const t = trackOf(['c']);
    t.containers.get('c')!.createNotBefore = 1_000;
    const early = planPod(pod({ containers: [{ name: 'c', image: 'busybox' }] }), t, 500);
    expect(early.steps).toEqual([]);
    expect(early.wakeAt).toBe(1_000);
    expect(planPod(pod({ containers: [{ name: 'c', image: 'busybox' }] }), t, 1_000).steps).toEqual([{ kind: 'start', name: 'c' }]);
  });

  it('runs init containers one at a time before the app containers', () => {
    const p = planPod(pod({ initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'c' }] }), trackOf(['c'], ['i1', 'i2']), 0);
    expect(p.steps).toEqual([{ kind: 'start', name: 'i1' }]);
  });
});
