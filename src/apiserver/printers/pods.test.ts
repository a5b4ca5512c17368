import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { BUILTIN_RESOURCES } from '../../api/resources.ts';
import { printTable } from './table.ts';

const now = new Date('2024-05-01T12:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString().replace('.000Z', 'Z');
const pods = BUILTIN_RESOURCES.find((r) => r.resource === 'pods')!;

function pod(spec: object, status: object, meta: object = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-0', namespace: 'default', creationTimestamp: ago(300), ...meta },
    spec: { containers: [{ name: 'nginx', image: 'nginx' }], ...spec },
    status,
  };
}

const running = { running: { startedAt: ago(290) } };
const readyCond = [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }];

function cells(obj: KubeObject): unknown[] {
  return printTable(pods, [obj], { now }).rows[0]!.cells;
}

describe('pod table', () => {
  it('has upstream columns and priorities', () => {
    const t = printTable(pods, [], { now });
    expect(t.columnDefinitions.map((c) => [c.name, c.type, c.priority])).toEqual([
      ['Name', 'string', 0], ['Ready', 'string', 0], ['Status', 'string', 0], ['Restarts', 'string', 0], ['Age', 'string', 0],
      ['IP', 'string', 1], ['Node', 'string', 1], ['Nominated Node', 'string', 1], ['Readiness Gates', 'string', 1],
    ]);
    expect(t.columnDefinitions[0]!.format).toBe('name');
  });

  it.each<[string, KubeObject, unknown[]]>([
    ['pending, unscheduled', pod({}, { phase: 'Pending' }), ['web-0', '0/1', 'Pending', '0', '5m', '<none>', '<none>', '<none>', '<none>']],
    [
      'running and ready, with IP and node',
      pod({ nodeName: 'node-1' }, { phase: 'Running', podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }], conditions: readyCond, containerStatuses: [{ name: 'nginx', ready: true, restartCount: 0, state: running }] }),
      ['web-0', '1/1', 'Running', '0', '5m', '10.0.0.5', 'node-1', '<none>', '<none>'],
    ],
    [
      'container creating',
      pod({ nodeName: 'node-1' }, { phase: 'Pending', containerStatuses: [{ name: 'nginx', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] }),
      ['web-0', '0/1', 'ContainerCreating', '0', '5m', '<none>', 'node-1', '<none>', '<none>'],
    ],
    [
      'crash loop with restarts and last restart age',
      pod({}, {
        phase: 'Running',
        containerStatuses: [{ name: 'nginx', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(75) } } }],
      }),
      ['web-0', '0/1', 'CrashLoopBackOff', '5 (75s ago)', '5m', '<none>', '<none>', '<none>', '<none>'],
    ],
    [
      'init container running',
      pod({ initContainers: [{ name: 'init', image: 'busybox' }, { name: 'init2', image: 'busybox' }] }, {
        phase: 'Pending',
        initContainerStatuses: [{ name: 'init', ready: false, restartCount: 0, state: running }, { name: 'init2', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
      }),
      ['web-0', '0/1', 'Init:0/2', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
    ],
    [
      'second init container waiting after the first completed',
      pod({ initContainers: [{ name: 'a' }, { name: 'b' }] }, {
        phase: 'Pending',
        initContainerStatuses: [{ name: 'a', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }, { name: 'b', restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
      }),
      ['web-0', '0/1', 'Init:1/2', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
    ],
    [
      'init container failed without a reason',
      pod({ initContainers: [{ name: 'a' }] }, { phase: 'Pending', initContainerStatuses: [{ name: 'a', restartCount: 2, state: { terminated: { exitCode: 3 } } }] }),
      ['web-0', '0/1', 'Init:ExitCode:3', '2', '5m', '<none>', '<none>', '<none>', '<none>'],
    ],
    [
      'init container crash looping',
      pod({ initContainers: [{ name: 'a' }] }, { phase: 'Pending', initContainerStatuses: [{ name: 'a', restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }),
      ['web-0', '0/1', 'Init:CrashLoopBackOff', '1', '5m', '<none>', '<none>', '<none>', '<none>'],
    ],
    [
      'sidecar counts towards ready and total',
      pod({ initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] }, {
        phase: 'Running',
        conditions: readyCond,
        initContainerStatuses: [{ name: 'proxy', ready: true, started: true, restartCount: 1, state: running }],
        containerStatuses: [{ name: 'nginx', ready: true, restartCount: 0, state: running }],
      }),
      ['web-0', '2/2', 'Running', '1', '5m', '<none>', '<none>', '<none>', '<none>'],
    ],
    [
      'completed',
      pod({}, { phase: 'Succeeded', containerStatuses: [{ name: 'nginx', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }),
      ['web-0', '0/1', 'Completed', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
    ],
    [
      'terminated by signal without a reason',
      pod({}, { phase: 'Failed', containerStatuses: [{ name: 'nginx', restartCount: 0, state: { terminated: { exitCode: 137, signal: 9 } } }] }),
      ['web-0', '0/1', 'Signal:9', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
    ],
    [
      'one container completed, one still running: NotReady without the Ready condition',
      pod({ containers: [{ name: 'a' }, { name: 'b' }] }, {
        phase: 'Running',
        containerStatuses: [{ name: 'a', ready: true, restartCount: 0, state: running }, { name: 'b', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
      }),
      ['web-0', '1/2', 'NotReady', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
    ],
    [
      'terminating',
      pod({}, { phase: 'Running', containerStatuses: [{ name: 'nginx', ready: true, restartCount: 0, state: running }] }, { deletionTimestamp: ago(1) }),
      ['web-0', '1/1', 'Terminating', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
    ],
    [
      'terminating on a lost node',
      pod({}, { phase: 'Running', reason: 'NodeLost' }, { deletionTimestamp: ago(1) }),
      ['web-0', '0/1', 'Unknown', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
    ],
    [
      'evicted keeps the status reason',
      pod({}, { phase: 'Failed', reason: 'Evicted' }),
      ['web-0', '0/1', 'Evicted', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
    ],
    [
      'scheduling gated',
      pod({ schedulingGates: [{ name: 'x' }] }, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }),
      ['web-0', '0/1', 'SchedulingGated', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
    ],
    [
      'readiness gates and nominated node',
      pod({ readinessGates: [{ conditionType: 'example.com/a' }, { conditionType: 'example.com/b' }] }, {
        phase: 'Pending',
        nominatedNodeName: 'node-2',
        conditions: [{ type: 'example.com/a', status: 'True' }, { type: 'example.com/b', status: 'False' }],
      }),
      ['web-0', '0/1', 'Pending', '0', '5m', '<none>', '<none>', 'node-2', '1/2'],
    ],
  ])('%s', (_, obj, expected) => {
    expect(cells(obj)).toEqual(expected);
  });

  it('marks finished pods with a Completed row condition', () => {
    const t = printTable(pods, [pod({}, { phase: 'Succeeded' }), pod({}, { phase: 'Failed' }), pod({}, { phase: 'Running' })], { now });
    expect(t.rows.map((r) => r.conditions?.[0]?.reason)).toEqual(['Succeeded', 'Failed', undefined]);
    expect(t.rows[0]!.conditions![0]).toEqual({ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' });
  });
});
