// A Deployment's ReplicaSets: which is new and which are old, their order, revisions and the
// annotations copied between them, and Deployment conditions (pkg/controller/deployment/util
// deployment_util.go FindNewReplicaSet, FindOldReplicaSets, EqualIgnoreHash, MaxRevision,
// LastRevision, SetNewReplicaSetAnnotations, SetReplicasAnnotations, SetDeploymentCondition;
// pkg/controller/controller_utils.go ReplicaSetsByCreationTimestamp, ReplicaSetsBySizeOlder/Newer,
// FilterActiveReplicaSets). Pure.
import type { KubeObject } from '../../api/meta/types.ts';
import { semanticEqual } from '../../api/validation/json.ts';
import type { Condition, PodTemplate } from '../replicaset/types.ts';
import { replicasOf, rsSpec } from '../replicaset/types.ts';
import { maxSurge } from './rollout-math.ts';
import {
  DESIRED_REPLICAS,
  dReplicas,
  dSpec,
  HASH_LABEL,
  LAST_APPLIED,
  MAX_REPLICAS,
  MAX_REVISION_HISTORY_CHARS,
  REVISION,
  REVISION_HISTORY,
  ROLLBACK_TO,
  type DeploymentStatus,
} from './types.ts';

const byName = (a: KubeObject, b: KubeObject) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0);
const created = (rs: KubeObject) => rs.metadata.creationTimestamp ?? '';

/** Oldest first, then by name (ReplicaSetsByCreationTimestamp). */
export function byCreation(a: KubeObject, b: KubeObject): number {
  if (created(a) !== created(b)) return created(a) < created(b) ? -1 : 1;
  return byName(a, b);
}
/** Largest first; among equals the older first (ReplicaSetsBySizeOlder: scale-down order). */
export const bySizeOlder = (a: KubeObject, b: KubeObject): number => replicasOf(b) - replicasOf(a) || byCreation(a, b);
/** Largest first; among equals the newer first (ReplicaSetsBySizeNewer: scale-up order). */
export const bySizeNewer = (a: KubeObject, b: KubeObject): number => replicasOf(b) - replicasOf(a) || byCreation(b, a);

/** Sets with replicas wanted (FilterActiveReplicaSets). */
export const activeSets = (sets: readonly (KubeObject | undefined)[]): KubeObject[] => sets.filter((rs): rs is KubeObject => !!rs && replicasOf(rs) > 0);

/** The revision annotation; 0 when absent, undefined when it does not parse. */
export function revisionOf(o: KubeObject): number | undefined {
  const v = o.metadata.annotations?.[REVISION];
  if (v === undefined) return 0;
  return /^[+-]?\d+$/.test(v) ? Number.parseInt(v, 10) : undefined;
}

export function maxRevision(sets: readonly (KubeObject | undefined)[]): number {
  let max = 0;
  for (const rs of sets) {
    const v = rs ? revisionOf(rs) : undefined;
    if (v !== undefined && v > max) max = v;
  }
  return max;
}

/** The second highest revision: the one a rollback without a revision goes to (LastRevision). */
export function lastRevision(sets: readonly (KubeObject | undefined)[]): number {
  let max = 0;
  let second = 0;
  for (const rs of sets) {
    const v = rs ? revisionOf(rs) : undefined;
    if (v === undefined) continue;
    if (v >= max) {
      second = max;
      max = v;
    } else if (v > second) second = v;
  }
  return second;
}

/** By revision, then creation (ReplicaSetsByRevision): cleanup deletes from the front. */
export const byRevision = (a: KubeObject, b: KubeObject): number => (revisionOf(a) ?? 0) - (revisionOf(b) ?? 0) || byCreation(a, b);

function withoutHash(t: PodTemplate | undefined): PodTemplate {
  const c = structuredClone(t ?? {});
  if (c.metadata?.labels) delete c.metadata.labels[HASH_LABEL];
  return c;
}

/** Equal templates apart from the pod-template-hash label (EqualIgnoreHash), empty equal to absent. */
export function equalIgnoreHash(a: PodTemplate | undefined, b: PodTemplate | undefined): boolean {
  return semanticEqual(withoutHash(a), withoutHash(b));
}

/** The ReplicaSet with the Deployment's template; the oldest when several (FindNewReplicaSet). */
export function findNewReplicaSet(d: KubeObject, sets: readonly KubeObject[]): KubeObject | undefined {
  return [...sets].sort(byCreation).find((rs) => equalIgnoreHash(rsSpec(rs).template, dSpec(d).template));
}

/** Every other ReplicaSet (FindOldReplicaSets' second result). */
export function findOldReplicaSets(sets: readonly KubeObject[], newRS: KubeObject | undefined): KubeObject[] {
  return sets.filter((rs) => !newRS || rs.metadata.uid !== newRS.metadata.uid);
}

const SKIPPED = new Set([LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, ROLLBACK_TO]);
export const skipCopyAnnotation = (k: string): boolean => SKIPPED.has(k);

/** desired-replicas and max-replicas for the Deployment now (SetReplicasAnnotations); true when changed. */
export function setReplicasAnnotations(rs: KubeObject, desired: number, max: number): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  if (a[DESIRED_REPLICAS] !== String(desired)) {
    a[DESIRED_REPLICAS] = String(desired);
    changed = true;
  }
  if (a[MAX_REPLICAS] !== String(max)) {
    a[MAX_REPLICAS] = String(max);
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: KubeObject, desired: number, max: number): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[DESIRED_REPLICAS] !== String(desired) || a[MAX_REPLICAS] !== String(max);
}

/**
 * The new ReplicaSet's annotations (SetNewReplicaSetAnnotations): the Deployment's own (but the
 * skipped ones), its revision raised to newRevision (a rollback appends the old one to
 * revision-history, within 2000 characters) and, for a set about to be created, the replica
 * annotations. Mutates rs; true when anything changed.
 */
export function setNewReplicaSetAnnotations(d: KubeObject, rs: KubeObject, newRevision: number, exists: boolean): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (skipCopyAnnotation(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const had = a[REVISION];
  let oldRevision = 0;
  if (had !== undefined && had !== '') {
    if (!/^[+-]?\d+$/.test(had)) return false;
    oldRevision = Number.parseInt(had, 10);
  }
  if (oldRevision < newRevision) {
    a[REVISION] = String(newRevision);
    changed = true;
    if (had !== undefined) {
      const history = a[REVISION_HISTORY] ?? '';
      if (history === '') a[REVISION_HISTORY] = had;
      else {
        const old = history.split(',');
        let total = history.length + had.length + 1;
        let start = 0;
        while (total > MAX_REVISION_HISTORY_CHARS && start < old.length) total -= old[start++]!.length + 1;
        if (total <= MAX_REVISION_HISTORY_CHARS) a[REVISION_HISTORY] = [...old.slice(start), had].join(',');
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, dReplicas(d), dReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}

/** A Deployment condition stamped now (NewDeploymentCondition). */
export function newCondition(type: string, status: string, reason: string, message: string, now: string): Condition {
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

export const getCondition = (status: DeploymentStatus, type: string): Condition | undefined => status.conditions?.find((c) => c.type === type);

/**
 * SetDeploymentCondition: nothing changes when the condition has the same status and reason;
 * otherwise it replaces the old one at the end of the list, keeping lastTransitionTime when the
 * status did not change.
 */
export function setCondition(status: DeploymentStatus, c: Condition): void {
  const cur = getCondition(status, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  const next = { ...c };
  if (cur && cur.status === c.status) next.lastTransitionTime = cur.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((x) => x.type !== c.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  const rest = (status.conditions ?? []).filter((x) => x.type !== type);
  if (rest.length) status.conditions = rest;
  else delete status.conditions;
}
