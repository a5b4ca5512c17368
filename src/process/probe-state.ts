// The kubelet prober's bookkeeping (pkg/kubelet/prober/worker.go): a result flips only after
// successThreshold consecutive successes or failureThreshold consecutive failures. Readiness
// and startup start out failing, liveness passing; a startup probe that has succeeded is done.
import type { ProbeKind } from '../node/runtime.ts';

export interface ProbeThresholds {
  successThreshold?: number;
  failureThreshold?: number;
}

export interface ProbeState {
  ok: boolean;
  /** Consecutive outcomes equal to the last one. */
  streak: number;
  lastOutcome?: boolean;
  /** Output of the last failed run (the Unhealthy event's text). */
  output: string;
}

export const initialProbeState = (kind: ProbeKind): ProbeState => ({ ok: kind === 'liveness', streak: 0, output: '' });

/** The state after one run; `changed` says whether the reported result flipped. */
export function recordProbe(s: ProbeState, t: ProbeThresholds, outcome: boolean, output: string): { state: ProbeState; changed: boolean } {
  const streak = s.lastOutcome === outcome ? s.streak + 1 : 1;
  const needed = outcome ? (t.successThreshold ?? 1) : (t.failureThreshold ?? 3);
  const ok = streak >= needed ? outcome : s.ok;
  return { state: { ok, streak, lastOutcome: outcome, output: outcome ? s.output : output }, changed: ok !== s.ok };
}
