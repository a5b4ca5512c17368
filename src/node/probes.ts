// Startup and readiness as the kubelet's prober derives them (pkg/kubelet/prober/worker.go):
// nothing is probed before initialDelaySeconds after the container started; readiness is false
// until the startup probe has succeeded; without a readiness probe a started container is ready.
// The runtime decides whether a probe passes; the times are computed, not polled.
import type { ContainerSpec, ProbeKind, ProbeResult, RuntimeContainer } from './runtime.ts';

export interface ProbeVerdict {
  started: boolean;
  ready: boolean;
  /** When the verdict may change by itself (the agent wakes the pod then). */
  nextAt?: number;
  /** A readiness probe that ran and failed (an Unhealthy event). */
  failure?: string;
  /** A liveness or startup probe failed for good: kill the container (it restarts per its policy). */
  kill?: { kind: 'liveness' | 'startup'; output: string };
}

const delayMs = (p: { initialDelaySeconds?: number } | undefined) => (p?.initialDelaySeconds ?? 0) * 1000;

export function probeContainer(spec: ContainerSpec, c: RuntimeContainer | undefined, now: number, probe: (kind: ProbeKind) => ProbeResult): ProbeVerdict {
  if (!c || c.state !== 'running' || c.startedAt === undefined) return { started: false, ready: false };
  const startedAt = c.startedAt + delayMs(spec.startupProbe);
  if (now < startedAt) return { started: false, ready: false, nextAt: startedAt };
  // Startup, then liveness, as runtimes that really probe report them (the simulated one passes both).
  if (spec.startupProbe) {
    const s = probe('startup');
    if (s.kill) return { started: false, ready: false, kill: { kind: 'startup', output: s.output } };
    if (!s.ok) return { started: false, ready: false, nextAt: s.changesAt };
  }
  if (spec.livenessProbe) {
    const l = probe('liveness');
    if (l.kill) return { started: true, ready: false, kill: { kind: 'liveness', output: l.output } };
  }
  const readyFrom = Math.max(startedAt, c.startedAt + delayMs(spec.readinessProbe));
  if (now < readyFrom) return { started: true, ready: false, nextAt: readyFrom };
  const r = probe('readiness');
  if (r.ok) return { started: true, ready: true };
  const period = (spec.readinessProbe?.periodSeconds ?? 10) * 1000;
  return { started: true, ready: false, nextAt: r.changesAt ?? (spec.readinessProbe ? now + period : undefined), failure: r.output };
}
