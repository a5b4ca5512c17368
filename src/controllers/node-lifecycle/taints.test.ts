import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { needsNoExecuteTaint, planNodeTaints, zonePolicies, zoneState, type NoExecuteMode } from './taints.ts';
import type { Taint } from './tolerations.ts';

const NOW = '2026-01-01T00:01:00Z';
const node = (ready: string | undefined, taints: Taint[] = [], extra: { unschedulable?: boolean; memory?: string; labels?: Record<string, string> } = {}): KubeObject => ({
  metadata: { name: 'n', labels: extra.labels },
  spec: { taints, ...(extra.unschedulable ? { unschedulable: true } : {}) },
  status: {
    conditions: [
      ...(ready ? [{ type: 'Ready', status: ready }] : []),
      ...(extra.memory ? [{ type: 'MemoryPressure', status: extra.memory }] : []),
    ],
  },
});
const t = (key: string, effect: string, timeAdded?: string): Taint => ({ key: `node.kubernetes.io/${key}`, effect, ...(timeAdded ? { timeAdded } : {}) });
const user: Taint = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };

describe('planNodeTaints', () => {
  const cases: { name: string; node: KubeObject; mode: NoExecuteMode; want: Taint[] | undefined }[] = [
    { name: 'ready node without taints: nothing', node: node('True'), mode: 'add', want: undefined },
    { name: 'user taints are kept', node: node('True', [user]), mode: 'add', want: undefined },
    { name: 'unknown: unreachable NoSchedule and NoExecute', node: node('Unknown', [user]), mode: 'add', want: [user, t('unreachable', 'NoSchedule', NOW), t('unreachable', 'NoExecute', NOW)] },
    { name: 'unknown on hold: NoSchedule only', node: node('Unknown'), mode: 'hold', want: [t('unreachable', 'NoSchedule', NOW)] },
    { name: 'false: not-ready taints', node: node('False'), mode: 'add', want: [t('not-ready', 'NoSchedule', NOW), t('not-ready', 'NoExecute', NOW)] },
    {
      name: 'unknown → false swaps even on hold',
      node: node('False', [t('unreachable', 'NoSchedule', 'x'), t('unreachable', 'NoExecute', 'x')]),
      mode: 'hold',
      want: [t('not-ready', 'NoSchedule', NOW), t('not-ready', 'NoExecute', NOW)],
    },
    { name: 'recovered: taints removed', node: node('True', [user, t('unreachable', 'NoSchedule', 'x'), t('unreachable', 'NoExecute', 'x')]), mode: 'hold', want: [user] },
    { name: 'clear removes NoExecute, keeps NoSchedule', node: node('Unknown', [t('unreachable', 'NoSchedule', 'x'), t('unreachable', 'NoExecute', 'x')]), mode: 'clear', want: [t('unreachable', 'NoSchedule', 'x')] },
    { name: 'cordoned: unschedulable taint', node: node('True', [], { unschedulable: true }), mode: 'add', want: [t('unschedulable', 'NoSchedule', NOW)] },
    { name: 'uncordoned: unschedulable taint removed', node: node('True', [t('unschedulable', 'NoSchedule', 'x')]), mode: 'add', want: [] },
    { name: 'memory pressure', node: node('True', [], { memory: 'True' }), mode: 'add', want: [t('memory-pressure', 'NoSchedule', NOW)] },
    { name: 'no Ready condition: nothing yet', node: node(undefined), mode: 'add', want: undefined },
  ];
  it.each(cases)('$name', ({ node: n, mode, want }) => {
    expect(planNodeTaints(n, { mode, now: NOW })?.taints).toEqual(want);
  });

  it('needsNoExecuteTaint only for a fresh taint, not a swap', () => {
    expect(needsNoExecuteTaint(node('Unknown'))).toBe(true);
    expect(needsNoExecuteTaint(node('Unknown', [t('not-ready', 'NoExecute')]))).toBe(false);
    expect(needsNoExecuteTaint(node('Unknown', [t('unreachable', 'NoExecute')]))).toBe(false);
    expect(needsNoExecuteTaint(node('True'))).toBe(false);
  });
});

describe('zones', () => {
  const cases: [string[], string][] = [
    [['True', 'True', 'Unknown'], 'Normal'],
    [['Unknown'], 'FullDisruption'],
    [['False', 'Unknown'], 'FullDisruption'],
    [['True', 'Unknown', 'Unknown', 'Unknown'], 'PartialDisruption'],
    [['True', 'True', 'Unknown', 'Unknown', 'Unknown', 'True', 'True'], 'Normal'],
    [[], 'Normal'],
  ];
  it.each(cases)('zoneState(%j) = %s', (s, want) => expect(zoneState(s)).toBe(want));

  const opts = { evictionQps: 0.1, secondaryEvictionQps: 0.01, largeClusterThreshold: 50, unhealthyZoneThreshold: 0.55 };
  it('one healthy zone keeps the normal rate; all zones down clears', () => {
    const a = { 'topology.kubernetes.io/zone': 'a' };
    const b = { 'topology.kubernetes.io/zone': 'b' };
    const mixed = zonePolicies([node('True', [], { labels: a }), node('Unknown', [], { labels: b })], opts);
    expect([...mixed.values()].map((p) => [p.state, p.qps, p.clearAll])).toEqual([['Normal', 0.1, false], ['FullDisruption', 0.1, false]]);
    const down = zonePolicies([node('Unknown', [], { labels: a }), node('Unknown', [], { labels: b })], opts);
    expect([...down.values()].every((p) => p.clearAll && p.qps === 0)).toBe(true);
  });
  it('a small partially disrupted zone stops tainting; excluded nodes do not count', () => {
    const p = zonePolicies([node('True'), node('Unknown'), node('Unknown'), node('Unknown')], opts).get('')!;
    expect([p.state, p.qps]).toEqual(['PartialDisruption', 0]);
    const ex = zonePolicies([node('True'), node('Unknown', [], { labels: { 'node.kubernetes.io/exclude-disruption': '' } })], opts).get('')!;
    expect(ex.state).toBe('Normal');
  });
});
