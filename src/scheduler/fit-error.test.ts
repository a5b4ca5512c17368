import { describe, expect, it } from 'vitest';
import { failedSchedulingMessage, type Diagnosis } from './fit-error.ts';
import { podInfo } from './pod-info.ts';
import { makePod } from './testing.ts';
import { unresolvable, unschedulable } from './types.ts';

const taint = unresolvable('node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }');
const cpu = unschedulable('Insufficient cpu');

describe('FailedScheduling message', () => {
  it.each<[string, Diagnosis, string, string?]>([
    [
      'the issue example',
      { numAllNodes: 3, statuses: [taint, cpu, cpu] },
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    ],
    [
      'several reasons on one node each count',
      { numAllNodes: 2, statuses: [unschedulable('Insufficient cpu', 'Insufficient memory'), cpu] },
      '0/2 nodes are available: 1 Insufficient memory, 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.',
    ],
    [
      'nothing preemption could help',
      { numAllNodes: 2, statuses: [unresolvable("node(s) didn't match Pod's node affinity/selector"), unresolvable('node(s) were unschedulable')] },
      "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) were unschedulable. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    ],
    [
      'histogram sorts as strings',
      { numAllNodes: 12, statuses: [...Array(10).fill(cpu), taint, taint] },
      '0/12 nodes are available: 10 Insufficient cpu, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/12 nodes are available: 10 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.',
    ],
    [
      'a PreFilter rejection',
      { numAllNodes: 3, statuses: [], preFilterMsg: 'persistentvolumeclaim "data" not found' },
      '0/3 nodes are available: persistentvolumeclaim "data" not found. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    ],
    ['no nodes at all', { numAllNodes: 0, statuses: [] }, 'no nodes available to schedule pods'],
    ['preemptionPolicy Never', { numAllNodes: 1, statuses: [cpu] }, '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.', 'Never'],
  ])('%s', (_, d, want, preemptionPolicy) => {
    expect(failedSchedulingMessage(podInfo(makePod('p', { preemptionPolicy })), d)).toBe(want);
  });
});
