// Rolling-update arithmetic against upstream's tables (deployment_util_test.go
// TestResolveFenceposts, TestNewRSNewReplicas, TestGetReplicaSetProportion; sync_test.go
// TestScale), and the template hash.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { computeHash, fnv32a } from '../runtime/template-hash.ts';
import { maxSurge, maxUnavailable, newRSNewReplicas, proportion, resolveFenceposts, scaledValue } from './rollout-math.ts';
import type { IntOrString } from './types.ts';

const dep = (replicas: number, surge: IntOrString, unavailable: IntOrString, statusReplicas = 0, type = 'RollingUpdate'): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd' },
  spec: { replicas, strategy: { type, ...(type === 'RollingUpdate' ? { rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } } : {}) } },
  status: { replicas: statusReplicas },
});
const rs = (replicas: number, maxReplicas?: number): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: `rs-${replicas}`, ...(maxReplicas !== undefined ? { annotations: { 'deployment.kubernetes.io/max-replicas': String(maxReplicas) } } : {}) },
  spec: { replicas },
});

describe('scaledValue', () => {
  it.each<[IntOrString, number, boolean, number]>([
    [3, 10, true, 3],
    ['25%', 10, true, 3],
    ['25%', 10, false, 2],
    ['25%', 4, false, 1],
    ['25%', 3, false, 0],
    ['25%', 3, true, 1],
    ['100%', 7, false, 7],
    ['0%', 7, true, 0],
    ['1%', 1, true, 1],
  ])('%s of %i (up %s) → %i', (v, total, up, want) => expect(scaledValue(v, total, up)).toBe(want));
});

describe('resolveFenceposts', () => {
  it.each<[IntOrString, IntOrString, number, number, number]>([
    ['0%', '0%', 0, 0, 1],
    ['39%', '39%', 10, 4, 3],
    ['25%', '25%', 10, 3, 2],
    ['25%', '25%', 1, 1, 0],
    [0, '1%', 2, 0, 1],
    ['1%', '25%', 2, 1, 0],
    ['1%', 0, 1, 1, 0],
    [0, 0, 5, 0, 1],
    [3, 2, 10, 3, 2],
  ])('surge %s unavailable %s of %i → %i, %i', (s, u, desired, ws, wu) => expect(resolveFenceposts(s, u, desired)).toEqual([ws, wu]));

  it('caps maxUnavailable at replicas and is 0 for Recreate or no replicas', () => {
    expect(maxUnavailable(dep(2, 0, 5))).toBe(2);
    expect(maxUnavailable(dep(0, '25%', '25%'))).toBe(0);
    expect(maxUnavailable(dep(4, 0, 0, 0, 'Recreate'))).toBe(0);
    expect(maxSurge(dep(4, '25%', '25%', 0, 'Recreate'))).toBe(0);
    expect(maxSurge(dep(10, '25%', '25%'))).toBe(3);
  });
});

describe('newRSNewReplicas', () => {
  it.each<[string, number, IntOrString, number[], number, number]>([
    ['room within the surge', 10, '25%', [10], 0, 3],
    ['no room left', 10, '25%', [10], 3, 3],
    ['never past replicas', 4, 10, [1], 2, 4],
    ['surge 0', 10, 0, [10], 0, 0],
    ['old ones shrank', 10, 1, [7], 3, 4],
  ])('%s', (_n, replicas, surge, olds, current, want) => {
    const d = dep(replicas, surge, 0);
    const newRS = rs(current);
    expect(newRSNewReplicas(d, [...olds.map((o) => rs(o)), newRS], newRS)).toBe(want);
  });

  it('is spec.replicas at once under Recreate', () => {
    const newRS = rs(0);
    expect(newRSNewReplicas(dep(5, 0, 0, 0, 'Recreate'), [rs(5), newRS], newRS)).toBe(5);
  });
});

describe('proportion', () => {
  // deployment replicas, surge, rs size, annotated max, toAdd, added → proportion
  it.each<[string, number, number, number, number | undefined, number, number, number]>([
    ['half of the way up', 20, 3, 8, 13, 10, 0, 6],
    ['the rest, capped by what is left', 20, 3, 5, 13, 10, 6, 4],
    ['scale down', 5, 0, 8, 10, -5, 0, -4],
    ['scale down capped', 5, 0, 2, 10, -5, -4, -1],
    ['to zero: all of it', 0, 0, 4, 10, -10, 0, -4],
    ['no annotation: the status size', 20, 0, 5, undefined, 10, 0, 5],
    ['empty set gets nothing', 20, 0, 0, 10, 10, 0, 0],
    ['nothing left to add', 20, 0, 5, 10, 10, 10, 0],
    ['half rounds away from zero', 3, 0, 1, 2, 1, 0, 1],
  ])('%s', (_n, replicas, surge, size, annotated, toAdd, added, want) => {
    expect(proportion(rs(size, annotated), dep(replicas, surge, 1, 10), toAdd, added)).toBe(want);
  });
});

describe('template hash', () => {
  it('is FNV-1a 32', () => {
    // Reference values of Go's hash/fnv New32a.
    expect(fnv32a(Buffer.from(''))).toBe(0x811c9dc5);
    expect(fnv32a(Buffer.from('a'))).toBe(0xe40c292c);
    expect(fnv32a(Buffer.from('foobar'))).toBe(0xbf9cf968);
  });

  it('is a safe-encoded decimal that follows the template and the collision count', () => {
    const t = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } };
    const h = computeHash(t);
    expect(h).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(computeHash(structuredClone(t))).toBe(h);
    // Key order does not matter (Go-style sorted JSON).
    expect(computeHash({ spec: t.spec, metadata: t.metadata })).toBe(h);
    expect(computeHash({ ...t, spec: { containers: [{ name: 'c', image: 'nginx:1.26' }] } })).not.toBe(h);
    const c0 = computeHash(t, 0);
    expect(c0).not.toBe(h);
    expect(computeHash(t, 1)).not.toBe(c0);
    expect(computeHash(t, null)).toBe(h);
  });
});
