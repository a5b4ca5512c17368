// The numbers of a rollout (pkg/controller/deployment/util/deployment_util.go ResolveFenceposts,
// MaxSurge, MaxUnavailable, NewRSNewReplicas, GetReplicaSetProportion, getReplicaSetFraction,
// IsSaturated; apimachinery intstr.GetScaledValueFromIntOrPercent). Pure.
import type { KubeObject } from '../../api/meta/types.ts';
import { replicasOf, rsStatus } from '../replicaset/types.ts';
import { dReplicas, dSpec, dStatus, DESIRED_REPLICAS, MAX_REPLICAS, type IntOrString } from './types.ts';

/** An int-or-percent against a total: percents round up (surge) or down (unavailable). */
export function scaledValue(v: IntOrString | undefined | null, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/**
 * maxSurge and maxUnavailable for a desired count (ResolveFenceposts): surge rounds up,
 * unavailable rounds down, and when both come to 0 unavailable becomes 1 so a rollout can move.
 */
export function resolveFenceposts(maxSurge: IntOrString | undefined | null, maxUnavailable: IntOrString | undefined | null, desired: number): [surge: number, unavailable: number] {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

export const isRollingUpdate = (d: KubeObject): boolean => dSpec(d).strategy?.type === 'RollingUpdate';

/** Pods above spec.replicas a rolling update may run (0 for Recreate). */
export function maxSurge(d: KubeObject): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = dSpec(d).strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, dReplicas(d))[0];
}

/** Pods below spec.replicas a rolling update may leave unavailable, at most spec.replicas. */
export function maxUnavailable(d: KubeObject): number {
  const replicas = dReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = dSpec(d).strategy?.rollingUpdate;
  return Math.min(resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas)[1], replicas);
}

export const totalReplicas = (sets: readonly (KubeObject | undefined)[]): number => sets.reduce((n, rs) => n + (rs ? replicasOf(rs) : 0), 0);
export const actualReplicas = (sets: readonly (KubeObject | undefined)[]): number => sets.reduce((n, rs) => n + (rs ? (rsStatus(rs).replicas ?? 0) : 0), 0);
export const readyReplicas = (sets: readonly (KubeObject | undefined)[]): number => sets.reduce((n, rs) => n + (rs ? (rsStatus(rs).readyReplicas ?? 0) : 0), 0);
export const availableReplicas = (sets: readonly (KubeObject | undefined)[]): number => sets.reduce((n, rs) => n + (rs ? (rsStatus(rs).availableReplicas ?? 0) : 0), 0);

/**
 * The new ReplicaSet's size (NewRSNewReplicas): under RollingUpdate it grows by what the surge
 * leaves room for, never past spec.replicas; under Recreate it is spec.replicas at once.
 */
export function newRSNewReplicas(d: KubeObject, allRSs: readonly KubeObject[], newRS: KubeObject): number {
  if (!isRollingUpdate(d)) return dReplicas(d);
  const replicas = dReplicas(d);
  const surge = scaledValue(dSpec(d).strategy?.rollingUpdate?.maxSurge ?? 0, replicas, true);
  const current = totalReplicas(allRSs);
  const maxTotal = replicas + surge;
  if (current >= maxTotal) return replicasOf(newRS);
  const up = Math.min(maxTotal - current, replicas - replicasOf(newRS));
  return replicasOf(newRS) + up;
}

const int = (s: string | undefined): number | undefined => (s !== undefined && /^[+-]?\d+$/.test(s.trim()) ? Number.parseInt(s, 10) : undefined);
export const desiredReplicasAnnotation = (rs: KubeObject): number | undefined => int(rs.metadata.annotations?.[DESIRED_REPLICAS]);
const maxReplicasAnnotation = (rs: KubeObject): number | undefined => int(rs.metadata.annotations?.[MAX_REPLICAS]);

/** math.Round: halves away from zero. */
const roundHalfAway = (x: number): number => (x < 0 ? -Math.round(-x) : Math.round(x));

/** What a ReplicaSet's share of a resize is (getReplicaSetFraction), as a change in its size. */
function fraction(rs: KubeObject, d: KubeObject): number {
  if (dReplicas(d) === 0) return -replicasOf(rs);
  const deploymentReplicas = dReplicas(d) + maxSurge(d);
  // Without the annotation, the Deployment's current size is the base (an estimate; the min/max in
  // proportion keeps it within bounds).
  const annotated = maxReplicasAnnotation(rs) ?? dStatus(d).replicas ?? 0;
  if (annotated === 0) return 0;
  return roundHalfAway((replicasOf(rs) * deploymentReplicas) / annotated) - replicasOf(rs);
}

/**
 * How many replicas a ReplicaSet gains (or loses) in a proportional resize
 * (GetReplicaSetProportion), never more than what remains to add (or remove).
 */
export function proportion(rs: KubeObject | undefined, d: KubeObject, toAdd: number, added: number): number {
  if (!rs || replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const f = fraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(f, allowed) : Math.max(f, allowed);
}

/** The new ReplicaSet holds every wanted replica, and they are available (IsSaturated). */
export function isSaturated(d: KubeObject, rs: KubeObject | undefined): boolean {
  if (!rs) return false;
  const desired = desiredReplicasAnnotation(rs);
  if (desired === undefined) return false;
  return replicasOf(rs) === dReplicas(d) && desired === dReplicas(d) && (rsStatus(rs).availableReplicas ?? 0) === dReplicas(d);
}
