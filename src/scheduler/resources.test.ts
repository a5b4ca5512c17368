import { describe, expect, it } from 'vitest';
import { nodeAllocatable, podRequests, type Resources } from './resources.ts';
import type { Container, Pod } from './types.ts';

const c = (requests?: Record<string, string>, extra: Partial<Container> = {}): Container => ({ name: 'c', image: 'x', resources: requests ? { requests } : {}, ...extra });
const pod = (containers: Container[], initContainers: Container[] = [], overhead?: Record<string, string>): Pod => ({
  metadata: { name: 'p', namespace: 'default' },
  spec: { containers, initContainers, overhead },
});
const r = (milliCpu: number, memory: number, ephemeralStorage = 0): Resources => ({ milliCpu, memory, ephemeralStorage });

describe('podRequests', () => {
  it.each<[string, Pod, Resources]>([
    ['no requests', pod([c()]), r(0, 0)],
    ['sum of containers', pod([c({ cpu: '100m', memory: '1Gi' }), c({ cpu: '0.5', memory: '1G' })]), r(600, 2 ** 30 + 1e9)],
    // Upstream's documented example: init 2/1G and 2/3G, containers 2/1G and 1/1G → 3 cpu, 3G.
    ['init containers take the max', pod([c({ cpu: '2', memory: '1G' }), c({ cpu: '1', memory: '1G' })], [c({ cpu: '2', memory: '1G' }), c({ cpu: '2', memory: '3G' })]), r(3000, 3e9)],
    ['overhead is added', pod([c({ cpu: '1' })], [], { cpu: '250m', memory: '120Mi' }), r(1250, 120 * 2 ** 20)],
    ['sidecars add to the sum and later init peaks', pod([c({ cpu: '1' })], [c({ cpu: '500m' }, { restartPolicy: 'Always' }), c({ cpu: '3' })]), r(3500, 0)],
    ['ephemeral storage', pod([c({ 'ephemeral-storage': '1Gi' })]), r(0, 0, 2 ** 30)],
  ])('%s', (_, p, want) => expect(podRequests(p)).toEqual(want));

  it('non-zero requests default missing cpu and memory per container', () => {
    expect(podRequests(pod([c(), c({ cpu: '1' }), c({ cpu: '0', memory: '0' })]), { nonZero: true })).toEqual(r(1100, 2 * 200 * 2 ** 20));
  });

  it('keeps extended resources as scalars', () => {
    expect(podRequests(pod([c({ 'nvidia.com/gpu': '2' })])).scalar).toEqual(new Map([['nvidia.com/gpu', 2]]));
  });
});

describe('nodeAllocatable', () => {
  it('reads allocatable, falling back to capacity', () => {
    expect(nodeAllocatable({ metadata: { name: 'n' }, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' } } })).toEqual({
      milliCpu: 4000,
      memory: 8 * 2 ** 30,
      ephemeralStorage: 100 * 2 ** 30,
      pods: 110,
    });
    expect(nodeAllocatable({ metadata: { name: 'n' }, status: { capacity: { cpu: '2', pods: '10' } } }).pods).toBe(10);
  });
});
