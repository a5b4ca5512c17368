import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { conditionOf, controllerOf, emptyObjects, inNamespace, nsFlag, ownedBy, podGlance, RESOURCES, type PodGlance } from './objects.ts';

interface PodOpts {
  phase?: string;
  node?: string;
  ready?: boolean;
  deleting?: boolean;
  containers?: { restartCount?: number; state?: { waiting?: { reason?: string }; terminated?: { reason?: string } } }[];
}

const pod = (o: PodOpts): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'shop', ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { ...(o.node ? { nodeName: o.node } : {}) },
  status: {
    ...(o.phase ? { phase: o.phase } : {}),
    ...(o.ready === undefined ? {} : { conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False' }] }),
    ...(o.containers ? { containerStatuses: o.containers } : {}),
  },
});

describe('podGlance', () => {
  const cases: { name: string; pod: PodOpts; want: Omit<PodGlance, 'name'> }[] = [
    { name: 'unscheduled', pod: { phase: 'Pending' }, want: { state: 'Pending', ready: false, restarts: 0 } },
    { name: 'no status at all', pod: {}, want: { state: 'Pending', ready: false, restarts: 0 } },
    {
      name: 'bound, pulling',
      pod: { phase: 'Pending', node: 'n1', containers: [{ state: { waiting: { reason: 'ContainerCreating' } } }] },
      want: { state: 'ContainerCreating', ready: false, node: 'n1', reason: 'ContainerCreating', restarts: 0 },
    },
    { name: 'bound, image pull failing', pod: { phase: 'Pending', node: 'n1', containers: [{ state: { waiting: { reason: 'ImagePullBackOff' } } }] }, want: { state: 'ContainerCreating', ready: false, node: 'n1', reason: 'ImagePullBackOff', restarts: 0 } },
    { name: 'running, ready', pod: { phase: 'Running', node: 'n1', ready: true, containers: [{ restartCount: 0 }] }, want: { state: 'Ready', ready: true, node: 'n1', restarts: 0 } },
    {
      name: 'running, crash looping, restarts summed over containers',
      pod: { phase: 'Running', node: 'n1', ready: false, containers: [{ restartCount: 1 }, { restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
      want: { state: 'Running', ready: false, node: 'n1', reason: 'CrashLoopBackOff', restarts: 5 },
    },
    { name: 'succeeded: Completed is not a reason', pod: { phase: 'Succeeded', node: 'n1', containers: [{ state: { terminated: { reason: 'Completed' } } }] }, want: { state: 'Succeeded', ready: false, node: 'n1', restarts: 0 } },
    { name: 'failed', pod: { phase: 'Failed', node: 'n1', containers: [{ state: { terminated: { reason: 'Error' } } }] }, want: { state: 'Failed', ready: false, node: 'n1', reason: 'Error', restarts: 0 } },
    { name: 'deleting wins over the phase', pod: { phase: 'Running', node: 'n1', ready: true, deleting: true }, want: { state: 'Terminating', ready: true, node: 'n1', restarts: 0 } },
  ];
  it.each(cases)('$name', ({ pod: o, want }) => {
    expect(podGlance(pod(o))).toEqual({ name: 'p', ...want });
  });
});

describe('object helpers', () => {
  const owned: KubeObject = {
    metadata: {
      name: 'x',
      ownerReferences: [
        { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'cm-uid' },
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true },
      ],
    },
  };

  it('controllerOf and ownedBy read the controller reference only', () => {
    expect(controllerOf(owned)?.uid).toBe('rs-uid');
    expect(controllerOf({ metadata: { name: 'y' } })).toBeUndefined();
    expect(ownedBy(owned, { metadata: { uid: 'rs-uid' } })).toBe(true);
    expect(ownedBy(owned, { metadata: { uid: 'cm-uid' } })).toBe(false);
  });

  it('conditionOf', () => {
    const node: KubeObject = { metadata: {}, status: { conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True', reason: 'KubeletReady' }] } };
    expect(conditionOf(node, 'Ready')).toEqual({ type: 'Ready', status: 'True', reason: 'KubeletReady' });
    expect(conditionOf(node, 'DiskPressure')).toBeUndefined();
    expect(conditionOf({ metadata: {} }, 'Ready')).toBeUndefined();
  });

  it('inNamespace: one namespace, or all for ""', () => {
    const items: KubeObject[] = [{ metadata: { name: 'a', namespace: 'x' } }, { metadata: { name: 'b', namespace: 'y' } }];
    expect(inNamespace(items, 'y').map((o) => o.metadata.name)).toEqual(['b']);
    expect(inNamespace(items, '').map((o) => o.metadata.name)).toEqual(['a', 'b']);
  });

  const flags: [string | undefined, string][] = [
    [undefined, ''],
    ['', ''],
    ['default', ''],
    ['kube-system', ' -n kube-system'],
  ];
  it.each(flags)('nsFlag(%j) = %j', (ns, flag) => {
    expect(nsFlag(ns)).toBe(flag);
  });

  it('emptyObjects has an empty list per resource', () => {
    const objects = emptyObjects();
    expect(Object.keys(objects).sort()).toEqual(Object.keys(RESOURCES).sort());
    expect(Object.values(objects).every((l) => Array.isArray(l) && l.length === 0)).toBe(true);
  });
});
