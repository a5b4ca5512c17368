// Misbehaviour a pod asks of the simulated runtime through annotations, in the spirit of KWOK's
// stages (kubernetes-sigs/kwok kustomize/stage/pod): each names one departure from a healthy
// container. Documented for users in docs/simulation.md; the parser is pure so the table of
// cases in sim-annotations.test.ts is the specification.

export const SIM_PREFIX = 'sim.k8ts.io/';
export const SIM = {
  /** Containers exit with code 1 (or exit-code) right after starting. */
  fail: 'sim.k8ts.io/fail',
  /** Containers exit with this code after run-seconds (default at once). */
  exitCode: 'sim.k8ts.io/exit-code',
  /** Containers run this long, then exit (with exit-code, default 0). */
  runSeconds: 'sim.k8ts.io/run-seconds',
  /** Readiness never succeeds. */
  neverReady: 'sim.k8ts.io/never-ready',
  /** Readiness succeeds only this long after the container started. */
  readyAfterSeconds: 'sim.k8ts.io/ready-after-seconds',
  /** Containers ignore SIGTERM and are killed when the grace period ends. */
  ignoreSigterm: 'sim.k8ts.io/ignore-sigterm',
  /** Containers stay ContainerCreating this long before they start. */
  startSeconds: 'sim.k8ts.io/start-seconds',
  /** Every pull of the containers' images fails (ErrImagePull, then ImagePullBackOff). */
  imagePullError: 'sim.k8ts.io/image-pull-error',
  /** Comma-separated container names the annotations above apply to (default: all app containers). */
  containers: 'sim.k8ts.io/containers',
} as const;

/** What the simulated runtime does with one container. */
export interface ContainerBehaviour {
  /** Exit code and delay after start; undefined runs until stopped. */
  exit?: { code: number; afterMs: number };
  neverReady: boolean;
  readyAfterMs: number;
  ignoreSigterm: boolean;
  /** ContainerCreating time; undefined uses the runtime's default start delay. */
  startMs?: number;
  imagePullError: boolean;
}

export const HEALTHY: ContainerBehaviour = Object.freeze({ exit: undefined, neverReady: false, readyAfterMs: 0, ignoreSigterm: false, imagePullError: false });

const truthy = (v: string | undefined) => v !== undefined && /^(true|1|yes)$/i.test(v.trim());
function seconds(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v.trim());
  return Number.isFinite(n) && n >= 0 ? n * 1000 : undefined;
}

/**
 * The behaviour of container `name` (an init container when `init`) of a pod with these
 * annotations. Unscoped, the annotations apply to app containers only: init containers run and
 * succeed at once so that a broken app does not hide behind a stuck init. With
 * sim.k8ts.io/containers they apply to exactly the containers named, init or not.
 */
export function behaviourFor(annotations: Record<string, string> | undefined, name: string, init: boolean): ContainerBehaviour {
  const a = annotations ?? {};
  const initDefault: ContainerBehaviour = { ...HEALTHY, exit: { code: 0, afterMs: 0 } };
  let any = false;
  for (const k in a) if (k.startsWith(SIM_PREFIX)) any = true;
  if (!any) return init ? initDefault : HEALTHY;
  const scope = a[SIM.containers]
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const applies = scope ? scope.includes(name) : !init;
  if (!applies) return init ? initDefault : HEALTHY;
  const code = a[SIM.exitCode] !== undefined && /^\d+$/.test(a[SIM.exitCode]!.trim()) ? Math.min(Number(a[SIM.exitCode]), 255) : undefined;
  const runMs = seconds(a[SIM.runSeconds]);
  const fail = truthy(a[SIM.fail]);
  let exit: ContainerBehaviour['exit'];
  if (fail) exit = { code: code && code !== 0 ? code : 1, afterMs: runMs ?? 0 };
  else if (code !== undefined || runMs !== undefined) exit = { code: code ?? 0, afterMs: runMs ?? 0 };
  else if (init) exit = { code: 0, afterMs: 0 };
  return {
    exit,
    neverReady: truthy(a[SIM.neverReady]),
    readyAfterMs: seconds(a[SIM.readyAfterSeconds]) ?? 0,
    ignoreSigterm: truthy(a[SIM.ignoreSigterm]),
    startMs: seconds(a[SIM.startSeconds]),
    imagePullError: truthy(a[SIM.imagePullError]),
  };
}
