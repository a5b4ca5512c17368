// When a pod on a NoExecute-tainted node must go (pkg/controller/tainteviction
// taint_eviction.go processPodOnNode): a taint the pod does not tolerate deletes it at once; the
// shortest tolerationSeconds among the tolerations in use delays the deletion; tolerations
// without tolerationSeconds keep it forever. A deletion already scheduled keeps its start time.
import { matchingTolerations, minTolerationMs, type Taint, type Toleration } from './tolerations.ts';

export interface ScheduledEviction {
  /** ms: when the pod was first seen needing eviction. */
  createdAt: number;
  /** ms: when it is deleted. */
  fireAt: number;
}

export type EvictionDecision =
  /** Cancel any scheduled deletion (no NoExecute taint, or tolerated forever). */
  | { action: 'cancel' }
  /** Delete now (an untolerated taint, or the toleration time has run out). */
  | { action: 'delete' }
  /** Keep the deletion already scheduled. */
  | { action: 'keep' }
  /** Schedule (or reschedule) the deletion. */
  | { action: 'schedule'; eviction: ScheduledEviction };

export function planTaintEviction(args: { taints: readonly Taint[]; tolerations: readonly Toleration[]; now: number; scheduled?: ScheduledEviction }): EvictionDecision {
  const taints = args.taints.filter((t) => t.effect === 'NoExecute');
  if (taints.length === 0) return { action: 'cancel' };
  const { allTolerated, used } = matchingTolerations(taints, args.tolerations);
  if (!allTolerated) return { action: 'delete' };
  const min = minTolerationMs(used);
  if (min < 0) return { action: 'cancel' };
  const prev = args.scheduled;
  // Upstream keeps a scheduled deletion whose start plus the current minimum is not later than
  // now plus it, i.e. any deletion scheduled before now: the countdown is not restarted.
  if (prev && prev.createdAt + min < args.now + min) return { action: 'keep' };
  const createdAt = prev?.createdAt ?? args.now;
  if (min === 0) return { action: 'delete' };
  return { action: 'schedule', eviction: { createdAt, fireAt: args.now + min } };
}
