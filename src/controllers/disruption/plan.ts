// PodDisruptionBudget status from the pods it selects (pkg/controller/disruption/disruption.go:
// getExpectedPodCount, countHealthyPods, buildDisruptedPodMap, updatePdbStatus, failSafe;
// component-helpers apps/poddisruptionbudget UpdateDisruptionAllowedCondition).
import type { KubeObject } from '../../api/meta/types.ts';
import { fromLabelSelector, matches, type LabelSelector } from '../../api/meta/labels.ts';

/** How long an eviction's entry in disruptedPods counts the pod as gone (upstream DeletionTimeout). */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

export interface PdbCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

export interface PdbStatus {
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions?: PdbCondition[];
}

export interface PdbSpec {
  minAvailable?: number | string;
  maxUnavailable?: number | string;
  selector?: LabelSelector | null;
  unhealthyPodEvictionPolicy?: string;
}

/** The scale behind a pod: its controller's uid and spec.replicas; null for a pod with no controller. */
export type PodController = { uid: string; replicas: number } | null;

export const specOf = (pdb: KubeObject) => (pdb.spec ?? {}) as PdbSpec;
export const statusOf = (pdb: KubeObject) => (pdb.status ?? {}) as Partial<PdbStatus>;

export function isPodReady(pod: KubeObject): boolean {
  const conds = (pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Pods a PDB's selector picks in its namespace: a missing selector picks none, an empty one all. */
export function selectsPod(pdb: KubeObject, pod: KubeObject): boolean {
  const sel = specOf(pdb).selector;
  if (!sel || pod.metadata.namespace !== pdb.metadata.namespace) return false;
  try {
    return matches(fromLabelSelector(sel), pod.metadata.labels);
  } catch {
    return false;
  }
}

/** GetScaledValueFromIntOrPercent with rounding up. */
export function scaledValue(v: number | string, total: number): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  return Math.ceil((Number(m[1]) * total) / 100);
}

/**
 * expectedPods and desiredHealthy: an integer minAvailable counts the selected pods; a percentage
 * or maxUnavailable needs the sum of the controllers' replicas (pods without a controller are
 * listed in unmanaged and left out). Throws when a pod's controller could not be found.
 */
export function expectedCount(pdb: KubeObject, pods: readonly KubeObject[], controllers: ReadonlyMap<string, PodController>): { expectedPods: number; desiredHealthy: number; unmanaged: string[] } {
  const spec = specOf(pdb);
  const unmanaged: string[] = [];
  const scale = () => {
    const byUid = new Map<string, number>();
    for (const p of pods) {
      const c = controllers.get(p.metadata.name!);
      if (c === undefined) throw new Error(`found no controllers for pod "${p.metadata.name}"`);
      if (c === null) unmanaged.push(p.metadata.name!);
      else byUid.set(c.uid, c.replicas);
    }
    return [...byUid.values()].reduce((a, b) => a + b, 0);
  };
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    const expected = scale();
    return { expectedPods: expected, desiredHealthy: Math.max(0, expected - scaledValue(spec.maxUnavailable, expected)), unmanaged };
  }
  if (typeof spec.minAvailable === 'number') return { expectedPods: pods.length, desiredHealthy: spec.minAvailable, unmanaged };
  if (typeof spec.minAvailable === 'string') {
    const expected = scale();
    return { expectedPods: expected, desiredHealthy: scaledValue(spec.minAvailable, expected), unmanaged };
  }
  return { expectedPods: 0, desiredHealthy: 0, unmanaged };
}

/** SetStatusCondition for DisruptionAllowed: the transition time moves only when the status does. */
export function withDisruptionAllowedCondition(status: PdbStatus, now: string): PdbCondition[] {
  const allowed = status.disruptionsAllowed > 0;
  const next = { type: 'DisruptionAllowed', status: allowed ? 'True' : 'False', reason: allowed ? 'SufficientPods' : 'InsufficientPods', message: '', observedGeneration: status.observedGeneration };
  return setCondition(status.conditions ?? [], next, now);
}

function setCondition(conditions: PdbCondition[], next: Omit<PdbCondition, 'lastTransitionTime'>, now: string): PdbCondition[] {
  const prev = conditions.find((c) => c.type === next.type);
  const merged: PdbCondition = { ...next, lastTransitionTime: prev && prev.status === next.status ? prev.lastTransitionTime : now };
  return prev ? conditions.map((c) => (c === prev ? merged : c)) : [...conditions, merged];
}

function conditionsUpToDate(pdb: KubeObject): boolean {
  const s = statusOf(pdb);
  const c = s.conditions?.find((x) => x.type === 'DisruptionAllowed');
  if (!c || s.observedGeneration !== pdb.metadata.generation) return false;
  return (s.disruptionsAllowed ?? 0) > 0 ? c.status === 'True' && c.reason === 'SufficientPods' : c.status === 'False' && c.reason === 'InsufficientPods';
}

export interface PdbPlan {
  /** The status to write; undefined when the stored one is already right. */
  status?: PdbStatus;
  /** ms: when an entry of disruptedPods expires and the PDB must be synced again. */
  recheckAt?: number;
  unmanaged: string[];
  /** Pods whose eviction was approved but that were not deleted in time (NotDeleted events). */
  notDeleted: string[];
}

const equalMaps = (a: Record<string, string> = {}, b: Record<string, string> = {}) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/**
 * The PDB status converged from its pods: disruptionsAllowed = currentHealthy − desiredHealthy
 * (never below 0, and 0 while no pods are expected), pods recently approved for eviction counted
 * unhealthy until DELETION_TIMEOUT_MS passes. Throws as expectedCount does (the caller fails safe).
 */
export function planPdbStatus(args: { pdb: KubeObject; pods: readonly KubeObject[]; controllers: ReadonlyMap<string, PodController>; now: number; rfc3339: (ms: number) => string }): PdbPlan {
  const { pdb, pods, now } = args;
  const { expectedPods, desiredHealthy, unmanaged } = expectedCount(pdb, pods, args.controllers);
  const prev = statusOf(pdb);
  const disruptedPods: Record<string, string> = {};
  const notDeleted: string[] = [];
  let recheckAt: number | undefined;
  for (const p of pods) {
    const at = prev.disruptedPods?.[p.metadata.name!];
    if (p.metadata.deletionTimestamp || at === undefined) continue;
    const expires = Date.parse(at) + DELETION_TIMEOUT_MS;
    if (expires < now) notDeleted.push(p.metadata.name!);
    else {
      disruptedPods[p.metadata.name!] = at;
      recheckAt = recheckAt === undefined ? expires : Math.min(recheckAt, expires);
    }
  }
  let currentHealthy = 0;
  for (const p of pods) {
    if (p.metadata.deletionTimestamp || disruptedPods[p.metadata.name!] !== undefined) continue;
    if (isPodReady(p)) currentHealthy++;
  }
  const allowed = currentHealthy - desiredHealthy;
  const disruptionsAllowed = expectedPods <= 0 || allowed <= 0 ? 0 : allowed;
  const unchanged =
    prev.currentHealthy === currentHealthy &&
    prev.desiredHealthy === desiredHealthy &&
    prev.expectedPods === expectedPods &&
    prev.disruptionsAllowed === disruptionsAllowed &&
    equalMaps(prev.disruptedPods, disruptedPods) &&
    prev.observedGeneration === pdb.metadata.generation &&
    conditionsUpToDate(pdb);
  if (unchanged) return { recheckAt, unmanaged, notDeleted };
  const status: PdbStatus = {
    observedGeneration: pdb.metadata.generation,
    disruptedPods,
    disruptionsAllowed,
    currentHealthy,
    desiredHealthy,
    expectedPods,
    conditions: prev.conditions ?? [],
  };
  status.conditions = withDisruptionAllowedCondition(status, args.rfc3339(now));
  return { status, recheckAt, unmanaged, notDeleted };
}

/** failSafe: no disruptions allowed and DisruptionAllowed False with reason SyncFailed. */
export function failSafeStatus(pdb: KubeObject, message: string, now: string): PdbStatus {
  const prev = statusOf(pdb);
  const status: PdbStatus = {
    currentHealthy: prev.currentHealthy ?? 0,
    desiredHealthy: prev.desiredHealthy ?? 0,
    expectedPods: prev.expectedPods ?? 0,
    ...prev,
    disruptionsAllowed: 0,
  };
  status.conditions = setCondition(prev.conditions ?? [], { type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message, observedGeneration: prev.observedGeneration }, now);
  return status;
}
