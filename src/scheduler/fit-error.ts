// FailedScheduling messages (pkg/scheduler/framework/types.go FitError.Error, and
// pkg/scheduler/framework/preemption/preemption.go for the PostFilter part):
//   "0/<all> nodes are available: <PreFilterMsg>." or "0/<all> nodes are available: <n reason>, ….",
// then " preemption: …". The histogram entries are "<count> <reason>", sorted as strings.
import type { PodInfo } from './pod-info.ts';
import type { Status } from './types.ts';

export const ERR_NO_NODES = 'no nodes available to schedule pods';
export const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_PREEMPTION_VICTIMS = 'No preemption victims found for incoming pod';

export interface Diagnosis {
  numAllNodes: number;
  /** One status per rejected node. */
  statuses: Status[];
  /** Nodes a PreFilter result left out, all with one status (UnschedulableAndUnresolvable). */
  absent?: { count: number; status: Status };
  /** Set when the pod was rejected before any node was looked at (PreFilter). */
  preFilterMsg?: string;
}

function histogram(statuses: Iterable<Status>, ...extras: { reason: string; count: number }[]): string {
  const counts = new Map<string, number>();
  for (const s of statuses) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  for (const extra of extras) if (extra.count > 0) counts.set(extra.reason, (counts.get(extra.reason) ?? 0) + extra.count);
  return [...counts].map(([r, n]) => `${n} ${r}`).sort().join(', ');
}

/** FitError.Error without the PostFilter part. */
export function fitErrorMessage(d: Diagnosis, postFilterMsg = ''): string {
  let msg = `0/${d.numAllNodes} nodes are available:`;
  if (d.preFilterMsg) msg += ` ${d.preFilterMsg}.`;
  else {
    const h = histogram(d.statuses, ...(d.absent?.status.reasons ?? []).map((reason) => ({ reason, count: d.absent!.count })));
    if (h) msg += ` ${h}.`;
  }
  if (postFilterMsg) msg += ` ${postFilterMsg}`;
  return msg;
}

/**
 * DefaultPreemption's answer when it finds no candidate. k8ts does not evict pods for higher
 * priority ones, so every node where preemption might help (rejected as Unschedulable rather than
 * UnschedulableAndUnresolvable) reports no victims, and the others that preemption cannot help.
 */
export function preemptionMessage(pi: PodInfo, d: Diagnosis): string {
  if (pi.pod.spec?.preemptionPolicy === 'Never') return 'preemption: not eligible due to preemptionPolicy=Never.';
  // A PreFilter rejection (the volume checks) is UnschedulableAndUnresolvable for every node.
  const potential = d.preFilterMsg ? 0 : d.statuses.filter((s) => s.code === 'Unschedulable').length;
  const victims: Status[] = Array.from({ length: potential }, () => ({ code: 'UnschedulableAndUnresolvable', reasons: [NO_PREEMPTION_VICTIMS] }));
  const h = histogram(victims, { reason: PREEMPTION_NOT_HELPFUL, count: d.numAllNodes - potential });
  return `preemption: 0/${d.numAllNodes} nodes are available: ${h}.`;
}

/** The whole FailedScheduling message: filter diagnosis, then the preemption outcome. */
export function failedSchedulingMessage(pi: PodInfo, d: Diagnosis): string {
  if (d.numAllNodes === 0) return ERR_NO_NODES;
  return fitErrorMessage(d, preemptionMessage(pi, d));
}
