// Scores that read one node at a time:
//   NodeAffinity (preferred terms)      pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go Score
//   TaintToleration (PreferNoSchedule)  pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go Score
//   NodeResourcesFit LeastAllocated     pkg/scheduler/framework/plugins/noderesources/least_allocated.go
//   NodeResourcesBalancedAllocation     pkg/scheduler/framework/plugins/noderesources/balanced_allocation.go
// Raw scores here; the framework normalises and weights them.
import type { NodeInfo } from '../node-info.ts';
import { nodeMatchesTerm, type PodInfo } from '../pod-info.ts';
import type { Toleration } from '../types.ts';
import { toleratesAny } from '../filters/node-basics.ts';
import { MAX_NODE_SCORE } from './normalize.ts';

/** Sum of the weights of the preferred node affinity terms the node matches. */
export function nodeAffinityScore(pi: PodInfo, ni: NodeInfo): number {
  let score = 0;
  for (const p of pi.preferredNodeTerms) if (p.weight && nodeMatchesTerm(p.term, ni.node)) score += p.weight;
  return score;
}

/** Tolerations that can tolerate PreferNoSchedule taints (effect empty or PreferNoSchedule). */
export const preferNoScheduleTolerations = (tols: Toleration[]) => tols.filter((t) => !t.effect || t.effect === 'PreferNoSchedule');

/** Count of the node's PreferNoSchedule taints the pod does not tolerate (fewer is better). */
export function taintTolerationScore(tolerations: Toleration[], ni: NodeInfo): number {
  let n = 0;
  for (const t of ni.softTaints) if (!toleratesAny(tolerations, t)) n++;
  return n;
}

function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/**
 * LeastAllocated over cpu and memory (weight 1 each), counting non-zero requests: the node's
 * pods plus this one. Emptier nodes score higher, which spreads load.
 */
export function leastAllocatedScore(pi: PodInfo, ni: NodeInfo): number {
  let score = 0;
  let weights = 0;
  if (ni.allocCpu) {
    score += leastRequested(ni.nonZeroCpu + pi.nonZeroCpu, ni.allocCpu);
    weights++;
  }
  if (ni.allocMemory) {
    score += leastRequested(ni.nonZeroMemory + pi.nonZeroMemory, ni.allocMemory);
    weights++;
  }
  return weights ? Math.trunc(score / weights) : 0;
}

/**
 * BalancedAllocation over cpu and memory: 100·(1 − std) of the requested fractions (actual
 * requests, capped at 1), so nodes whose cpu and memory fill evenly score higher.
 */
export function balancedAllocationScore(pi: PodInfo, ni: NodeInfo): number {
  // With one resource (or none) allocatable the deviation is 0.
  if (!ni.allocCpu || !ni.allocMemory) return MAX_NODE_SCORE;
  const cpu = Math.min(1, (ni.reqCpu + pi.requests.milliCpu) / ni.allocCpu);
  const memory = Math.min(1, (ni.reqMemory + pi.requests.memory) / ni.allocMemory);
  const std = Math.abs((cpu - memory) / 2);
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}
