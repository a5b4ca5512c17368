import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { statefulSetView, type Slot } from './statefulset.ts';

const UID = 'sts-uid';

function set(spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'ns', uid: UID },
    spec: {
      replicas: 3,
      serviceName: 'web',
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      ...spec,
    },
    status: { currentRevision: 'web-a', updateRevision: 'web-a', ...status },
  };
}

interface PodOpts {
  rev?: string;
  ready?: boolean;
  node?: string;
  terminating?: boolean;
  owner?: string;
  namespace?: string;
}

function pod(name: string, o: PodOpts = {}): KubeObject {
  const ready = o.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'ns',
      uid: `${name}-uid`,
      labels: { app: 'web', 'controller-revision-hash': o.rev ?? 'web-a' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: o.owner ?? UID, controller: true }],
      ...(o.terminating ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec: { nodeName: o.node ?? 'n1', containers: [{ name: 'c', image: 'nginx' }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

function claim(name: string, o: { phase?: string; volume?: string; namespace?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: o.namespace ?? 'ns' },
    spec: { storageClassName: 'standard', resources: { requests: { storage: '1Gi' } }, ...(o.volume ? { volumeName: o.volume } : {}) },
    status: { phase: o.phase ?? 'Bound', ...(o.phase === 'Pending' ? {} : { capacity: { storage: '2Gi' } }) },
  };
}

const volume = (name: string, phase = 'Bound'): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec: {}, status: { phase } });

/** A slot in a line: ordinal, pod state (or -), revision mark, wanted (W) / unwanted (-), below partition (P), claim phases. */
const line = (s: Slot) => `${s.ordinal} ${s.pod?.state ?? '-'} ${s.revision} ${s.wanted ? 'W' : '-'}${s.belowPartition ? 'P' : '-'} ${s.claims.map((c) => c.phase).join(',')}`;

describe('statefulSetView slots', () => {
  const cases: { name: string; set: KubeObject; pods: KubeObject[]; claims?: KubeObject[]; slots: string[] }[] = [
    {
      name: 'ordinal order, a missing pod and its missing claim',
      set: set(),
      pods: [pod('web-2'), pod('web-0')],
      claims: [claim('data-web-0', { volume: 'pv-0' }), claim('data-web-2', { phase: 'Pending' })],
      slots: ['0 Ready current W- Bound', '1 - none W- Missing', '2 Ready current W- Pending'],
    },
    {
      name: 'scale-down: a terminating pod past replicas keeps its slot, unwanted',
      set: set({ replicas: 2 }),
      pods: [pod('web-0'), pod('web-1'), pod('web-2', { terminating: true })],
      claims: [claim('data-web-0'), claim('data-web-1'), claim('data-web-2')],
      slots: ['0 Ready current W- Bound', '1 Ready current W- Bound', '2 Terminating current -- Bound'],
    },
    {
      name: "a deleted pod's claim stays: slot with claim and no pod, in range and past it",
      set: set({ replicas: 2 }),
      pods: [pod('web-0')],
      claims: [claim('data-web-0'), claim('data-web-1'), claim('data-web-4')],
      slots: ['0 Ready current W- Bound', '1 - none W- Bound', '4 - none -- Bound'],
    },
    {
      name: 'rolling update with a partition: update, current and old revisions',
      set: set({ replicas: 4, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }, { currentRevision: 'web-a', updateRevision: 'web-b' }),
      pods: [pod('web-0', { rev: 'web-old' }), pod('web-1'), pod('web-2', { rev: 'web-b' }), pod('web-3', { rev: 'web-b', ready: false })],
      slots: ['0 Ready old WP Missing', '1 Ready current WP Missing', '2 Ready update W- Missing', '3 Running update W- Missing'],
    },
    {
      name: 'ordinals.start: slots from start, the partition counted from start',
      set: set({ replicas: 3, ordinals: { start: 5 }, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }),
      pods: [pod('web-5'), pod('web-6'), pod('web-7'), pod('web-0', { terminating: true })],
      slots: ['0 Terminating current -P Missing', '5 Ready current WP Missing', '6 Ready current W- Missing', '7 Ready current W- Missing'],
    },
    {
      name: "other sets' pods and claims, other namespaces and non-ordinal names are not the set's",
      set: set({ replicas: 1 }),
      pods: [pod('web-0'), pod('web-1', { owner: 'other' }), pod('web-2', { namespace: 'other' }), pod('web-x')],
      claims: [claim('data-web-0'), claim('data-web-1', { namespace: 'other' }), claim('data-web-x-0'), claim('logs-web-3')],
      slots: ['0 Ready current W- Bound'],
    },
    {
      name: 'OnDelete ignores the partition',
      set: set({ replicas: 1, updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 3 } } }),
      pods: [pod('web-0')],
      slots: ['0 Ready current W- Missing'],
    },
  ];
  it.each(cases)('$name', ({ set: s, pods, claims = [], slots }) => {
    const view = statefulSetView(s, { pods, persistentvolumeclaims: claims, persistentvolumes: [volume('pv-0')] });
    expect(view.slots.map(line)).toEqual(slots);
  });
});

describe('statefulSetView details', () => {
  it('names pods and claims by ordinal and reads claims and their volumes', () => {
    const view = statefulSetView(set({ replicas: 2 }), {
      pods: [pod('web-0', { node: 'n2' })],
      persistentvolumeclaims: [claim('data-web-0', { volume: 'pv-0' })],
      persistentvolumes: [volume('pv-0', 'Released')],
    });
    expect(view.slots[0]).toEqual({
      ordinal: 0,
      podName: 'web-0',
      pod: { name: 'web-0', state: 'Ready', ready: true, node: 'n2', restarts: 0 },
      revision: 'current',
      wanted: true,
      belowPartition: false,
      claims: [{ name: 'data-web-0', template: 'data', phase: 'Bound', volume: 'pv-0', volumePhase: 'Released', capacity: '2Gi', storageClass: 'standard' }],
    });
    expect(view.slots[1]).toEqual({ ordinal: 1, podName: 'web-1', revision: 'none', wanted: true, belowPartition: false, claims: [{ name: 'data-web-1', template: 'data', phase: 'Missing' }] });
  });

  it('a claim not yet bound shows its requested size', () => {
    const view = statefulSetView(set({ replicas: 1 }), { pods: [], persistentvolumeclaims: [claim('data-web-0', { phase: 'Pending' })], persistentvolumes: [] });
    expect(view.slots[0]!.claims).toEqual([{ name: 'data-web-0', template: 'data', phase: 'Pending', capacity: '1Gi', storageClass: 'standard' }]);
  });

  const summaries: { name: string; set: KubeObject; summary: string; fields?: Record<string, unknown> }[] = [
    {
      name: 'settled',
      set: set({}, { readyReplicas: 3, updatedReplicas: 3 }),
      summary: '3/3 ready',
      fields: { replicas: 3, strategy: 'RollingUpdate', partition: 0, podManagementPolicy: 'OrderedReady', serviceName: 'web' },
    },
    {
      name: 'updating under a partition',
      set: set({ replicas: 5, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 3 } }, podManagementPolicy: 'Parallel' }, { readyReplicas: 4, updatedReplicas: 2, updateRevision: 'web-b' }),
      summary: '4/5 ready · updating: 2 of 5 at the new revision (partition 3)',
      fields: { partition: 3, podManagementPolicy: 'Parallel', currentRevision: 'web-a', updateRevision: 'web-b' },
    },
    { name: 'a partition with nothing to update', set: set({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }, { readyReplicas: 3 }), summary: '3/3 ready · partition 2' },
    { name: 'OnDelete', set: set({ updateStrategy: { type: 'OnDelete' } }, { readyReplicas: 1 }), summary: '1/3 ready · OnDelete: pods change when deleted', fields: { strategy: 'OnDelete', partition: 0 } },
    { name: 'replicas default to 1', set: set({ replicas: undefined }), summary: '0/1 ready', fields: { replicas: 1, readyReplicas: 0 } },
  ];
  it.each(summaries)('summary: $name', ({ set: s, summary, fields }) => {
    const view = statefulSetView(s, { pods: [], persistentvolumeclaims: [], persistentvolumes: [] });
    expect(view.summary).toBe(summary);
    if (fields) expect(view).toMatchObject(fields);
  });
});
