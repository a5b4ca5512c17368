import { describe, expect, it } from 'vitest';
import { planTaintEviction, type EvictionDecision, type ScheduledEviction } from './taint-eviction.ts';
import type { Taint, Toleration } from './tolerations.ts';

const NOW = 1_000_000;
const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' };
const noSchedule: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' };
const defaults: Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

describe('planTaintEviction', () => {
  const cases: { name: string; taints: Taint[]; tolerations: Toleration[]; scheduled?: ScheduledEviction; want: EvictionDecision }[] = [
    { name: 'no taints cancels', taints: [], tolerations: defaults, want: { action: 'cancel' } },
    { name: 'NoSchedule only cancels', taints: [noSchedule], tolerations: [], want: { action: 'cancel' } },
    { name: 'untolerated NoExecute deletes now', taints: [{ key: 'dedicated', effect: 'NoExecute' }], tolerations: defaults, want: { action: 'delete' } },
    { name: 'default tolerations wait 300 s', taints: [unreachable], tolerations: defaults, want: { action: 'schedule', eviction: { createdAt: NOW, fireAt: NOW + 300_000 } } },
    { name: 'tolerated forever cancels', taints: [unreachable], tolerations: [{ operator: 'Exists' }], want: { action: 'cancel' } },
    { name: 'zero seconds deletes now', taints: [unreachable], tolerations: [{ ...defaults[1]!, tolerationSeconds: 0 }], want: { action: 'delete' } },
    {
      name: 'an earlier schedule is kept',
      taints: [unreachable],
      tolerations: defaults,
      scheduled: { createdAt: NOW - 10_000, fireAt: NOW + 290_000 },
      want: { action: 'keep' },
    },
    {
      name: 'a schedule from this instant is renewed with its start',
      taints: [unreachable],
      tolerations: [{ ...defaults[1]!, tolerationSeconds: 60 }],
      scheduled: { createdAt: NOW, fireAt: NOW + 300_000 },
      want: { action: 'schedule', eviction: { createdAt: NOW, fireAt: NOW + 60_000 } },
    },
  ];
  it.each(cases)('$name', ({ taints, tolerations, scheduled, want }) => {
    expect(planTaintEviction({ taints, tolerations, now: NOW, scheduled })).toEqual(want);
  });
});
