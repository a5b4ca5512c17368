import { describe, expect, it } from 'vitest';
import { matchingTolerations, minTolerationMs, toleratesTaint, type Taint, type Toleration } from './tolerations.ts';

const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
const dedicated: Taint = { key: 'dedicated', value: 'db', effect: 'NoExecute' };

describe('toleratesTaint', () => {
  const cases: [string, Toleration, Taint, boolean][] = [
    ['Exists on the key', { key: unreachable.key, operator: 'Exists' }, unreachable, true],
    ['Exists with no key tolerates everything', { operator: 'Exists' }, dedicated, true],
    ['effect must match when set', { key: unreachable.key, operator: 'Exists', effect: 'NoSchedule' }, unreachable, false],
    ['Equal compares values', { key: 'dedicated', value: 'db' }, dedicated, true],
    ['Equal with another value', { key: 'dedicated', operator: 'Equal', value: 'web' }, dedicated, false],
    ['Equal with empty value on a valued taint', { key: 'dedicated', operator: 'Equal' }, dedicated, false],
    ['another key', { key: 'other', operator: 'Exists' }, dedicated, false],
    ['unknown operator', { key: 'dedicated', operator: 'Gt', value: 'db' }, dedicated, false],
  ];
  it.each(cases)('%s', (_n, t, taint, want) => expect(toleratesTaint(t, taint)).toBe(want));
});

describe('matchingTolerations and minTolerationMs', () => {
  const t300: Toleration = { key: unreachable.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
  const forever: Toleration = { key: 'dedicated', operator: 'Exists' };
  const cases: { name: string; taints: Taint[]; tolerations: Toleration[]; all: boolean; min?: number }[] = [
    { name: 'no taints', taints: [], tolerations: [], all: true, min: 0 },
    { name: 'untolerated', taints: [unreachable], tolerations: [], all: false },
    { name: 'one with seconds', taints: [unreachable], tolerations: [t300], all: true, min: 300_000 },
    { name: 'tolerated forever', taints: [dedicated], tolerations: [forever], all: true, min: -1 },
    { name: 'the shortest wins', taints: [unreachable, dedicated], tolerations: [t300, { ...forever, tolerationSeconds: 10, effect: 'NoExecute' }], all: true, min: 10_000 },
    { name: 'forever plus seconds: seconds', taints: [unreachable, dedicated], tolerations: [t300, forever], all: true, min: 300_000 },
    { name: 'zero seconds', taints: [unreachable], tolerations: [{ ...t300, tolerationSeconds: 0 }], all: true, min: 0 },
    { name: 'negative seconds', taints: [unreachable], tolerations: [{ ...t300, tolerationSeconds: -5 }], all: true, min: 0 },
    { name: 'one of two untolerated', taints: [unreachable, dedicated], tolerations: [t300], all: false },
  ];
  it.each(cases)('$name', ({ taints, tolerations, all, min }) => {
    const r = matchingTolerations(taints, tolerations);
    expect(r.allTolerated).toBe(all);
    if (min !== undefined) expect(minTolerationMs(r.used)).toBe(min);
  });
});
