import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { gcStatusPatch, planPodGc, type GcReason } from './plan.ts';

const NOW = 1_000_000;
const opts = { terminatedThreshold: 2, quarantineMs: 40_000 };
const pod = (name: string, o: { node?: string; phase?: string; created?: string; deleting?: boolean; evicted?: boolean } = {}): KubeObject => ({
  metadata: { name, namespace: 'default', creationTimestamp: o.created ?? '2026-01-01T00:00:00Z', ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:10:00Z' } : {}) },
  spec: { nodeName: o.node ?? 'w1' },
  status: { phase: o.phase ?? 'Running', ...(o.evicted ? { reason: 'Evicted' } : {}) },
});
const node = (name: string, ready = 'True', outOfService = false): [string, KubeObject] => [
  name,
  { metadata: { name }, spec: { taints: outOfService ? [{ key: 'node.kubernetes.io/out-of-service', effect: 'NoExecute' }] : [] }, status: { conditions: [{ type: 'Ready', status: ready }] } },
];

describe('planPodGc', () => {
  const cases: { name: string; pods: KubeObject[]; nodes: [string, KubeObject][]; missing?: [string, number][]; want: [string, GcReason][]; orphanNodes?: string[] }[] = [
    { name: 'nothing to do', pods: [pod('a'), pod('b', { phase: 'Succeeded' })], nodes: [node('w1')], want: [] },
    {
      name: 'terminated beyond the threshold: evicted first, then oldest',
      pods: [
        pod('new', { phase: 'Failed', created: '2026-01-03T00:00:00Z' }),
        pod('old', { phase: 'Succeeded', created: '2026-01-01T00:00:00Z' }),
        pod('evicted', { phase: 'Failed', created: '2026-01-04T00:00:00Z', evicted: true }),
        pod('mid', { phase: 'Failed', created: '2026-01-02T00:00:00Z' }),
      ],
      nodes: [node('w1')],
      want: [['evicted', 'terminated'], ['old', 'terminated']],
    },
    { name: 'orphan seen first: quarantined, not deleted', pods: [pod('a', { node: 'gone' })], nodes: [node('w1')], want: [], orphanNodes: [] },
    { name: 'orphan within quarantine', pods: [pod('a', { node: 'gone' })], nodes: [node('w1')], missing: [['gone', NOW - 39_999]], want: [] },
    { name: 'orphan past quarantine', pods: [pod('a', { node: 'gone' }), pod('b', { node: 'gone' })], nodes: [node('w1')], missing: [['gone', NOW - 40_000]], want: [['a', 'orphaned'], ['b', 'orphaned']], orphanNodes: ['gone'] },
    { name: 'terminating on a not-ready out-of-service node', pods: [pod('a', { deleting: true }), pod('b')], nodes: [node('w1', 'Unknown', true)], want: [['a', 'outOfService']] },
    { name: 'out-of-service but Ready: kept', pods: [pod('a', { deleting: true })], nodes: [node('w1', 'True', true)], want: [] },
    { name: 'terminating and never bound', pods: [pod('a', { node: '', deleting: true })], nodes: [], want: [['a', 'unscheduledTerminating']] },
  ];
  it.each(cases)('$name', (c) => {
    const plan = planPodGc({ pods: c.pods, nodes: new Map(c.nodes), missingSince: new Map(c.missing ?? []), now: NOW, opts });
    expect(plan.deletes.map((d) => [d.pod.metadata.name, d.reason])).toEqual(c.want);
    if (c.orphanNodes) expect(plan.orphanNodes).toEqual(c.orphanNodes);
  });

  it('remembers when a node went missing and forgets nodes that came back', () => {
    const first = planPodGc({ pods: [pod('a', { node: 'gone' })], nodes: new Map(), missingSince: new Map(), now: NOW, opts });
    expect([...first.missingSince]).toEqual([['gone', NOW]]);
    const back = planPodGc({ pods: [pod('a', { node: 'gone' })], nodes: new Map([node('gone')]), missingSince: first.missingSince, now: NOW + 1, opts });
    expect(back.missingSince.size).toBe(0);
  });

  it('a zero threshold keeps every terminated pod', () => {
    const plan = planPodGc({ pods: [pod('a', { phase: 'Failed' })], nodes: new Map([node('w1')]), missingSince: new Map(), now: NOW, opts: { ...opts, terminatedThreshold: 0 } });
    expect(plan.deletes).toEqual([]);
  });
});

describe('gcStatusPatch', () => {
  it('fails and marks orphans, leaves terminated pods alone', () => {
    expect(gcStatusPatch(pod('a'), 'orphaned', 'T')).toEqual({
      status: { phase: 'Failed', conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists', lastTransitionTime: 'T' }] },
    });
    expect(gcStatusPatch(pod('a', { phase: 'Succeeded' }), 'outOfService', 'T')).toBeUndefined();
    expect(gcStatusPatch(pod('a'), 'outOfService', 'T')).toEqual({ status: { phase: 'Failed' } });
    expect(gcStatusPatch(pod('a'), 'terminated', 'T')).toBeUndefined();
  });
});
