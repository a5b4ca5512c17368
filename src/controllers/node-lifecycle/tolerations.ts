// Taints, tolerations and conditions as the node lifecycle and taint eviction controllers read them
// (k8s.io/api/core/v1 toleration.go ToleratesTaint, component-helpers GetMatchingTolerations,
// pkg/controller/tainteviction getMinTolerationTime).

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number | null;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  lastProbeTime?: string | null;
}

/** True when t tolerates taint: effect and key match when set, then Equal compares values, Exists matches any. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/**
 * Whether every taint is tolerated and, if so, the first toleration matching each taint (in taint
 * order, repeats kept) — upstream's GetMatchingTolerations.
 */
export function matchingTolerations(taints: readonly Taint[], tolerations: readonly Toleration[]): { allTolerated: boolean; used: Toleration[] } {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = tolerations.find((x) => toleratesTaint(x, taint));
    if (!t) return { allTolerated: false, used: [] };
    used.push(t);
  }
  return { allTolerated: true, used };
}

/**
 * The shortest tolerationSeconds among used tolerations in ms: 0 when none are used or one is
 * ≤ 0, -1 (tolerated forever) when none sets tolerationSeconds.
 */
export function minTolerationMs(used: readonly Toleration[]): number {
  if (used.length === 0) return 0;
  let min = Infinity;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds);
  }
  return min === Infinity ? -1 : min * 1000;
}

export function taintsOf(node: { spec?: unknown } | undefined): Taint[] {
  return ((node?.spec as { taints?: Taint[] } | undefined)?.taints ?? []).slice();
}

export function conditionsOf(obj: { status?: unknown } | undefined): Condition[] {
  return ((obj?.status as { conditions?: Condition[] } | undefined)?.conditions ?? []).slice();
}

export function conditionOf(obj: { status?: unknown } | undefined, type: string): Condition | undefined {
  return conditionsOf(obj).find((c) => c.type === type);
}

export const sameTaint = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;
