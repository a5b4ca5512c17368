import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { planPodCidrs } from './plan.ts';

const node = (name: string, podCIDR?: string, deleting = false): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: podCIDR ? { podCIDR } : {},
});

describe('planPodCidrs', () => {
  it.each([
    { name: 'nothing to do when every node has one', nodes: [node('a', '10.244.0.0/24')], want: [] },
    { name: 'lowest free index, in name order', nodes: [node('c'), node('a', '10.244.0.0/24'), node('b')], want: [{ node: 'b', podCIDR: '10.244.1.0/24' }, { node: 'c', podCIDR: '10.244.2.0/24' }] },
    { name: 'fills gaps first', nodes: [node('a', '10.244.1.0/24'), node('x')], want: [{ node: 'x', podCIDR: '10.244.0.0/24' }] },
    { name: 'skips nodes being deleted', nodes: [node('gone', undefined, true), node('y')], want: [{ node: 'y', podCIDR: '10.244.0.0/24' }] },
    { name: 'past the 256th node into 10.128.x', nodes: [...Array.from({ length: 256 }, (_, i) => node(`n${i}`, `10.244.${i}.0/24`)), node('z')], want: [{ node: 'z', podCIDR: '10.128.0.0/24' }] },
  ])('$name', ({ nodes, want }) => {
    expect(planPodCidrs(nodes)).toEqual(want);
  });
});
