// Deletion ranking as upstream's ActivePodsWithRanks tests (pkg/controller/controller_utils_test.go
// TestSortingActivePodsWithRanks): each row names two pods, the first must go before the second.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { deleteBefore, deletionCost, logarithmicRankDiff, podsToDelete } from './rank.ts';

const NOW = Date.UTC(2026, 0, 1, 12);
const iso = (msAgo: number) => new Date(NOW - msAgo).toISOString().replace(/\.\d{3}Z$/, 'Z');
const H = 3600_000;

interface P {
  node?: string;
  phase?: string;
  ready?: boolean;
  readyAgo?: number;
  createdAgo?: number;
  restarts?: number;
  sidecarRestarts?: number;
  cost?: string;
  uid?: string;
}

function pod(name: string, p: P): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      uid: p.uid ?? name,
      ...(p.createdAgo !== undefined ? { creationTimestamp: iso(p.createdAgo) } : {}),
      ...(p.cost !== undefined ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': p.cost } } : {}),
    },
    spec: { ...(p.node ? { nodeName: p.node } : {}), containers: [{ name: 'c' }], initContainers: [{ name: 'side', restartPolicy: 'Always' }] },
    status: {
      ...(p.phase ? { phase: p.phase } : {}),
      conditions: p.ready === undefined ? [] : [{ type: 'Ready', status: p.ready ? 'True' : 'False', ...(p.readyAgo !== undefined ? { lastTransitionTime: iso(p.readyAgo) } : {}) }],
      containerStatuses: [{ name: 'c', restartCount: p.restarts ?? 0 }],
      initContainerStatuses: [{ name: 'side', restartCount: p.sidecarRestarts ?? 0 }],
    },
  };
}

const running = { node: 'n1', phase: 'Running', ready: true, readyAgo: H, createdAgo: 2 * H };

describe('deleteBefore', () => {
  it.each<[string, P, P, number?, number?]>([
    ['unscheduled before scheduled', { phase: 'Pending' }, { node: 'n1', phase: 'Pending' }],
    ['pending before unknown', { node: 'n1', phase: 'Pending' }, { node: 'n1', phase: 'Unknown' }],
    ['unknown before running', { node: 'n1', phase: 'Unknown' }, { node: 'n1', phase: 'Running' }],
    ['not ready before ready', { ...running, ready: false }, running],
    ['lower deletion cost first', { ...running, cost: '-5' }, { ...running, cost: '10' }],
    ['cost beats restarts', { ...running, cost: '1', restarts: 0 }, { ...running, cost: '2', restarts: 9 }],
    ['more related pods on its node first', running, running, 3, 1],
    ['ready for less time first', { ...running, readyAgo: 60_000 }, { ...running, readyAgo: 10 * H }],
    ['ready time unknown first', { ...running, readyAgo: undefined }, running],
    ['more restarts first', { ...running, restarts: 3 }, { ...running, restarts: 1 }],
    ['more sidecar restarts first', { ...running, sidecarRestarts: 2 }, running],
    ['newer first', { ...running, createdAgo: 60_000, readyAgo: H }, { ...running, createdAgo: 10 * H }],
    ['no creation time first', { ...running, createdAgo: undefined }, running],
    ['same log2 bucket: lower uid first', { ...running, readyAgo: H + 1000, uid: 'a' }, { ...running, readyAgo: H, uid: 'b' }],
    ['same log2 bucket of age: lower uid first', { ...running, createdAgo: 2 * H + 1000, uid: 'a' }, { ...running, createdAgo: 2 * H, uid: 'b' }],
  ])('%s', (_name, a, b, rankA = 0, rankB = 0) => {
    const pa = { pod: pod('a', a), rank: rankA };
    const pb = { pod: pod('b', b), rank: rankB };
    expect(deleteBefore(pa, pb, NOW)).toBe(true);
    expect(deleteBefore(pb, pa, NOW)).toBe(false);
  });

  it('keeps equal pods equal', () => {
    const a = { pod: pod('a', { ...running, uid: 'x' }), rank: 0 };
    const b = { pod: pod('b', { ...running, uid: 'x' }), rank: 0 };
    expect(deleteBefore(a, b, NOW) || deleteBefore(b, a, NOW)).toBe(false);
  });
});

describe('deletionCost', () => {
  it.each([
    [undefined, 0],
    ['10', 10],
    ['-7', -7],
    ['0', 0],
    ['+10', 0],
    ['008', 0],
    ['2147483647', 2147483647],
    ['2147483648', 0],
    ['-2147483648', -2147483648],
    ['abc', 0],
  ])('%s → %i', (v, want) => {
    const p = pod('p', running);
    if (v !== undefined) p.metadata.annotations = { 'controller.kubernetes.io/pod-deletion-cost': v };
    expect(deletionCost(p)).toBe(want);
  });
});

describe('logarithmicRankDiff', () => {
  it('buckets ages by powers of two of nanoseconds', () => {
    expect(logarithmicRankDiff(NOW - 1100, NOW - 1500, NOW)).toBe(0);
    expect(logarithmicRankDiff(NOW - 1000, NOW - 1500, NOW)).toBe(-1);
    expect(logarithmicRankDiff(NOW - 1000, NOW - 4000, NOW)).toBe(-2);
    expect(logarithmicRankDiff(NOW, NOW - 1, NOW)).toBeLessThan(0);
  });
});

describe('podsToDelete', () => {
  const pods = [
    pod('ready-old', { ...running, readyAgo: 10 * H, createdAgo: 11 * H }),
    pod('pending', { node: 'n2', phase: 'Pending', createdAgo: 60_000 }),
    pod('unscheduled', { phase: 'Pending', createdAgo: 60_000 }),
    pod('ready-new', { ...running, node: 'n2', readyAgo: 60_000, createdAgo: 120_000 }),
    pod('not-ready', { ...running, ready: false }),
  ];

  it('takes the lowest-ranked pods first', () => {
    expect(podsToDelete(pods, [], 3, NOW).map((p) => p.metadata.name)).toEqual(['unscheduled', 'pending', 'not-ready']);
    expect(podsToDelete(pods, [], 4, NOW).map((p) => p.metadata.name)).toEqual(['unscheduled', 'pending', 'not-ready', 'ready-new']);
  });

  it('prefers pods on nodes crowded with related pods', () => {
    const a = pod('a', { ...running, node: 'n1' });
    const b = pod('b', { ...running, node: 'n2' });
    const related = [a, b, pod('c', { ...running, node: 'n2' }), pod('gone', { ...running, node: 'n1', phase: 'Succeeded' })];
    expect(podsToDelete([a, b], related, 1, NOW).map((p) => p.metadata.name)).toEqual(['b']);
  });

  it('returns every pod when all go', () => {
    expect(podsToDelete(pods, [], 9, NOW)).toHaveLength(5);
  });
});
