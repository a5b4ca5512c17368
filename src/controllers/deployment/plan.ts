// One sync of a Deployment as a pure function (pkg/controller/deployment/deployment_controller.go
// syncDeployment; sync.go, rolling.go, recreate.go, rollback.go, progress.go): from the
// Deployment, the ReplicaSets it owns and their pods to the writes, in order, and the status.
// Upstream writes as it goes; here each write is a step whose effect the planner assumes for what
// follows, and the Deployment's status (with the revision annotation) is written once at the end.
import type { KubeObject } from '../../api/meta/types.ts';
import { semanticEqual } from '../../api/validation/json.ts';
import { rfc3339 } from '../../util/clock.ts';
import { computeHash } from '../runtime/template-hash.ts';
import { replicasOf, rsSpec, rsStatus, type Condition } from '../replicaset/types.ts';
import {
  activeSets,
  byCreation,
  byRevision,
  bySizeNewer,
  bySizeOlder,
  equalIgnoreHash,
  findNewReplicaSet,
  findOldReplicaSets,
  getCondition,
  lastRevision,
  maxRevision,
  newCondition,
  removeCondition,
  replicasAnnotationsNeedUpdate,
  revisionOf,
  setCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  skipCopyAnnotation,
} from './replica-sets.ts';
import {
  actualReplicas,
  availableReplicas,
  desiredReplicasAnnotation,
  isRollingUpdate,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  proportion,
  isSaturated,
  readyReplicas,
  totalReplicas,
} from './rollout-math.ts';
import { deploymentControllerRef, dReplicas, dSpec, dStatus, HASH_LABEL, MAX_INT32, REVISION, ROLLBACK_TO, type DeploymentStatus } from './types.ts';

export type EventType = 'Normal' | 'Warning';
export interface PlannedEvent {
  type: EventType;
  reason: string;
  message: string;
}

export type Step =
  /** Create the new ReplicaSet; an AlreadyExists of another template is a hash collision. */
  | { kind: 'createReplicaSet'; rs: KubeObject; event?: PlannedEvent }
  /** Write a ReplicaSet's replicas, annotations or minReadySeconds (the event after success). */
  | { kind: 'updateReplicaSet'; rs: KubeObject; event?: PlannedEvent }
  /** Delete an old ReplicaSet beyond revisionHistoryLimit. */
  | { kind: 'deleteReplicaSet'; rs: KubeObject }
  /** Rollback: write the Deployment's template and annotations, the rollback request cleared. */
  | { kind: 'updateDeployment'; deployment: KubeObject; event?: PlannedEvent };

export interface Plan {
  steps: Step[];
  /** Events recorded whatever the steps do. */
  events: PlannedEvent[];
  /** The status to write, undefined when the stored one is current. */
  status?: DeploymentStatus;
  /** The revision annotation to write with the status, when it changes. */
  revision?: string;
  /** Sync again after this long (to check the progress deadline). */
  requeueAfterMs?: number;
}

export interface PlanInput {
  deployment: KubeObject;
  /** The ReplicaSets the Deployment owns (after adoption and release). */
  replicaSets: readonly KubeObject[];
  /** Pods by the uid of the owned ReplicaSet controlling them (Recreate waits for old ones). */
  podsBySet?: ReadonlyMap<string, readonly KubeObject[]>;
  now: number;
}

const PROGRESSING = 'Progressing';
const AVAILABLE = 'Available';
const REPLICA_FAILURE = 'ReplicaFailure';

export const hasProgressDeadline = (d: KubeObject): boolean => dSpec(d).progressDeadlineSeconds !== undefined && dSpec(d).progressDeadlineSeconds !== MAX_INT32;
const hasHistoryLimit = (d: KubeObject): boolean => dSpec(d).revisionHistoryLimit !== undefined && dSpec(d).revisionHistoryLimit !== MAX_INT32;

/** The rollback the legacy annotation asks for (getRollbackTo); undefined when none or unparsable. */
export function rollbackTo(d: KubeObject): number | undefined {
  const v = d.metadata.annotations?.[ROLLBACK_TO];
  if (!v || !/^[+-]?\d+$/.test(v)) return undefined;
  return Number.parseInt(v, 10);
}

/** Every desired replica is updated and available and the generation observed (DeploymentComplete). */
export function deploymentComplete(d: KubeObject, s: DeploymentStatus): boolean {
  const want = dReplicas(d);
  return (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) === want && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** New pods came up or became ready or available, or old ones went (DeploymentProgressing). */
export function deploymentProgressing(d: KubeObject, s: DeploymentStatus): boolean {
  const old = dStatus(d);
  const n = (v: number | undefined) => v ?? 0;
  return (
    n(s.updatedReplicas) > n(old.updatedReplicas) ||
    n(s.replicas) - n(s.updatedReplicas) < n(old.replicas) - n(old.updatedReplicas) ||
    n(s.readyReplicas) > n(old.readyReplicas) ||
    n(s.availableReplicas) > n(old.availableReplicas)
  );
}

/** The Progressing condition is older than the deadline, or already says so (DeploymentTimedOut). */
export function deploymentTimedOut(d: KubeObject, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, PROGRESSING);
  if (!c) return false;
  if (c.reason === 'NewReplicaSetAvailable') return false;
  if (c.reason === 'ProgressDeadlineExceeded') return true;
  const from = Date.parse(c.lastUpdateTime ?? '');
  return Number.isFinite(from) && from + dSpec(d).progressDeadlineSeconds! * 1000 < now;
}

/** The status counted from the ReplicaSets, with the Available condition (calculateStatus). */
export function calculateStatus(sets: readonly (KubeObject | undefined)[], newRS: KubeObject | undefined, d: KubeObject, now: string): DeploymentStatus {
  const available = availableReplicas(sets);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: actualReplicas(sets),
    updatedReplicas: actualReplicas([newRS]),
    readyReplicas: readyReplicas(sets),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, totalReplicas(sets) - available),
  };
  if (dStatus(d).collisionCount !== undefined) status.collisionCount = dStatus(d).collisionCount;
  if (dStatus(d).conditions?.length) status.conditions = [...dStatus(d).conditions!];
  if (available >= dReplicas(d) - maxUnavailable(d)) setCondition(status, newCondition(AVAILABLE, 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', now));
  else setCondition(status, newCondition(AVAILABLE, 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', now));
  return status;
}

/** The status as stored: zero counters (all omitempty) left out. */
export function wireStatus(s: DeploymentStatus): DeploymentStatus {
  const out: DeploymentStatus = {};
  for (const k of ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'] as const) if (s[k]) out[k] = s[k];
  if (s.conditions?.length) out.conditions = s.conditions;
  if (s.collisionCount !== undefined) out.collisionCount = s.collisionCount;
  return out;
}

class Planner {
  readonly steps: Step[] = [];
  readonly events: PlannedEvent[] = [];
  /** The Deployment as the sync changes it in memory (status, revision annotation, template). */
  readonly d: KubeObject;
  private sets: KubeObject[];
  private status?: DeploymentStatus;
  requeueAfterMs?: number;
  readonly stamp: string;

  constructor(
    private readonly input: PlanInput,
  ) {
    this.d = structuredClone(input.deployment);
    this.d.status = structuredClone(input.deployment.status ?? {});
    this.sets = [...input.replicaSets];
    this.stamp = rfc3339(input.now);
  }

  private get ds(): DeploymentStatus {
    return this.d.status as DeploymentStatus;
  }

  private replace(rs: KubeObject): KubeObject {
    this.sets = this.sets.map((s) => (s.metadata.uid === rs.metadata.uid ? rs : s));
    return rs;
  }

  run(): Plan {
    const d = this.d;
    const sel = dSpec(d).selector;
    if (!sel || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)) {
      this.events.push({ type: 'Warning', reason: 'SelectingAll', message: 'This deployment is selecting all pods. A non-empty selector is required.' });
      if ((this.ds.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) this.status = { ...this.ds, observedGeneration: d.metadata.generation };
      return this.finish();
    }
    if (d.metadata.deletionTimestamp) return this.syncStatusOnly();
    this.checkPausedConditions();
    if (dSpec(d).paused) return this.sync();
    if (rollbackTo(d) !== undefined) return this.rollback();
    if (this.isScalingEvent()) return this.sync();
    return isRollingUpdate(d) ? this.rolloutRolling() : this.rolloutRecreate();
  }

  private finish(): Plan {
    const orig = this.input.deployment;
    const plan: Plan = { steps: this.steps, events: this.events };
    const status = this.status ?? this.ds;
    if (!semanticEqual(wireStatus(status), wireStatus(dStatus(orig)))) plan.status = wireStatus(status);
    const rev = this.d.metadata.annotations?.[REVISION];
    if (rev !== undefined && rev !== orig.metadata.annotations?.[REVISION]) plan.revision = rev;
    if (this.requeueAfterMs !== undefined) plan.requeueAfterMs = this.requeueAfterMs;
    return plan;
  }

  /** Paused and resumed are recorded so a long pause does not count against the deadline (checkPausedConditions). */
  private checkPausedConditions(): void {
    const d = this.d;
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(this.ds, PROGRESSING);
    if (cond?.reason === 'ProgressDeadlineExceeded') return;
    const pausedCond = cond?.reason === 'DeploymentPaused';
    if (dSpec(d).paused && !pausedCond) setCondition(this.ds, newCondition(PROGRESSING, 'Unknown', 'DeploymentPaused', 'Deployment is paused', this.stamp));
    else if (!dSpec(d).paused && pausedCond) setCondition(this.ds, newCondition(PROGRESSING, 'Unknown', 'DeploymentResumed', 'Deployment is resumed', this.stamp));
  }

  /**
   * The new ReplicaSet and the old ones (getAllReplicaSetsAndSyncRevision / getNewReplicaSet).
   * An existing new set gets the Deployment's annotations and a revision above every old one;
   * the Deployment takes its revision. Otherwise, when asked, one is created named
   * `<deployment>-<hash>` with the hash label on its template and selector.
   */
  private getAll(create: boolean): [KubeObject | undefined, KubeObject[]] {
    const d = this.d;
    const existing = findNewReplicaSet(d, this.sets);
    const oldRSs = findOldReplicaSets(this.sets, existing);
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) {
      const copy = structuredClone(existing);
      const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const minReady = dSpec(d).minReadySeconds ?? 0;
      if (annotationsUpdated || (rsSpec(copy).minReadySeconds ?? 0) !== minReady) {
        (copy.spec as { minReadySeconds?: number }).minReadySeconds = minReady;
        this.steps.push({ kind: 'updateReplicaSet', rs: copy });
        return [this.replace(copy), oldRSs];
      }
      const rev = copy.metadata.annotations?.[REVISION];
      if (rev !== undefined) (d.metadata.annotations ??= {})[REVISION] = rev;
      if (hasProgressDeadline(d) && !getCondition(this.ds, PROGRESSING)) {
        setCondition(this.ds, newCondition(PROGRESSING, 'True', 'FoundNewReplicaSet', `Found new replica set "${copy.metadata.name}"`, this.stamp));
      }
      return [copy, oldRSs];
    }
    if (!create) return [undefined, oldRSs];
    const template = structuredClone(dSpec(d).template ?? {});
    const hash = computeHash(dSpec(d).template, this.ds.collisionCount);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash } };
    const selector = structuredClone(dSpec(d).selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH_LABEL]: hash };
    const name = `${d.metadata.name}-${hash}`;
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name, namespace: d.metadata.namespace, uid: `new:${name}`, ownerReferences: [deploymentControllerRef(d)], labels: { ...template.metadata.labels } },
      spec: { replicas: 0, minReadySeconds: dSpec(d).minReadySeconds ?? 0, selector, template },
      status: { replicas: 0 },
    };
    const replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
    (rs.spec as { replicas: number }).replicas = replicas;
    setNewReplicaSetAnnotations(d, rs, newRevision, false);
    this.steps.push({ kind: 'createReplicaSet', rs, ...(replicas > 0 ? { event: { type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled up replica set ${name} from 0 to ${replicas}` } } : {}) });
    this.sets = [...this.sets, rs];
    (d.metadata.annotations ??= {})[REVISION] = String(newRevision);
    if (hasProgressDeadline(d)) setCondition(this.ds, newCondition(PROGRESSING, 'True', 'NewReplicaSetCreated', `Created new replica set "${name}"`, this.stamp));
    return [rs, oldRSs];
  }

  /** Resizes a ReplicaSet and records the replica annotations (scaleReplicaSet); true when its size changed. */
  private scaleReplicaSet(rs: KubeObject, to: number): [boolean, KubeObject] {
    const d = this.d;
    const from = replicasOf(rs);
    const max = dReplicas(d) + maxSurge(d);
    if (from === to && !replicasAnnotationsNeedUpdate(rs, dReplicas(d), max)) return [false, rs];
    const copy = structuredClone(rs);
    (copy.spec as { replicas: number }).replicas = to;
    setReplicasAnnotations(copy, dReplicas(d), max);
    const event: PlannedEvent | undefined =
      from !== to ? { type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled ${from < to ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${to}` } : undefined;
    this.steps.push({ kind: 'updateReplicaSet', rs: copy, ...(event ? { event } : {}) });
    return [from !== to, this.replace(copy)];
  }

  private scaleAndRecord(rs: KubeObject, to: number): [boolean, KubeObject] {
    if (replicasOf(rs) === to) return [false, rs];
    return this.scaleReplicaSet(rs, to);
  }

  /** spec.replicas changed while an active set does not know it (isScalingEvent). */
  private isScalingEvent(): boolean {
    const [newRS, oldRSs] = this.getAll(false);
    for (const rs of activeSets([...oldRSs, newRS])) {
      const desired = desiredReplicasAnnotation(rs);
      if (desired !== undefined && desired !== dReplicas(this.d)) return true;
    }
    return false;
  }

  private syncStatusOnly(): Plan {
    const [newRS, oldRSs] = this.getAll(false);
    this.status = calculateStatus([...oldRSs, newRS], newRS, this.d, this.stamp);
    return this.finish();
  }

  /** Scaling and paused Deployments (sync): resize proportionally, prune history when paused. */
  private sync(): Plan {
    let [newRS, oldRSs] = this.getAll(false);
    [newRS, oldRSs] = this.scale(newRS, oldRSs);
    if (dSpec(this.d).paused && rollbackTo(this.d) === undefined) this.cleanup(oldRSs);
    this.status = calculateStatus([...oldRSs, newRS], newRS, this.d, this.stamp);
    return this.finish();
  }

  /**
   * Resizes for a new spec.replicas (scale): a lone active set takes it all; a saturated new set
   * empties the old ones; otherwise, under RollingUpdate, the change (up to replicas + maxSurge)
   * is spread over the active sets in proportion to their size, leftovers to the largest.
   */
  private scale(newRS: KubeObject | undefined, oldRSs: KubeObject[]): [KubeObject | undefined, KubeObject[]] {
    const d = this.d;
    const replicas = dReplicas(d);
    const updated = () => [newRS && this.sets.find((s) => s.metadata.uid === newRS!.metadata.uid), oldRSs.map((o) => this.sets.find((s) => s.metadata.uid === o.metadata.uid) ?? o)] as [KubeObject | undefined, KubeObject[]];
    const active = activeSets([...oldRSs, newRS]);
    const activeOrLatest = active.length === 1 ? active[0] : active.length === 0 ? (newRS ?? [...oldRSs].sort(byCreation).reverse()[0]) : undefined;
    if (activeOrLatest) {
      if (replicasOf(activeOrLatest) !== replicas) this.scaleAndRecord(activeOrLatest, replicas);
      return updated();
    }
    if (isSaturated(d, newRS)) {
      for (const old of activeSets(oldRSs)) this.scaleAndRecord(old, 0);
      return updated();
    }
    if (!isRollingUpdate(d)) return updated();
    const all = activeSets([...oldRSs, newRS]);
    const allowed = replicas > 0 ? replicas + maxSurge(d) : 0;
    const toAdd = allowed - totalReplicas(all);
    if (toAdd > 0) all.sort(bySizeNewer);
    else if (toAdd < 0) all.sort(bySizeOlder);
    let added = 0;
    const sizes = new Map<string, number>();
    for (const rs of all) {
      if (toAdd !== 0) {
        const p = proportion(rs, d, toAdd, added);
        sizes.set(rs.metadata.uid!, replicasOf(rs) + p);
        added += p;
      } else sizes.set(rs.metadata.uid!, replicasOf(rs));
    }
    all.forEach((rs, i) => {
      let size = sizes.get(rs.metadata.uid!)!;
      if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
      this.scaleReplicaSet(rs, size);
    });
    return updated();
  }

  /** Deletes the oldest empty old sets beyond revisionHistoryLimit (cleanupDeployment). */
  private cleanup(oldRSs: readonly KubeObject[]): void {
    const d = this.d;
    if (!hasHistoryLimit(d)) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp && !rs.metadata.uid!.startsWith('new:'));
    const diff = cleanable.length - (dSpec(d).revisionHistoryLimit ?? 10);
    if (diff <= 0) return;
    cleanable.sort(byRevision);
    for (const rs of cleanable.slice(0, diff)) {
      if ((rsStatus(rs).replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rs.metadata.generation ?? 0) > (rsStatus(rs).observedGeneration ?? 0)) continue;
      this.steps.push({ kind: 'deleteReplicaSet', rs });
    }
  }

  /** RollingUpdate (rolloutRolling): grow the new set within the surge, else shrink old ones within the budget. */
  private rolloutRolling(): Plan {
    let [newRS, oldRSs] = this.getAll(true);
    newRS = newRS!;
    const all = () => [...oldRSs.map((o) => this.cur(o)), this.cur(newRS!)];
    if (this.reconcileNewReplicaSet(all(), this.cur(newRS))) return this.syncRolloutStatus(all(), this.cur(newRS));
    if (this.reconcileOldReplicaSets(all(), activeSets(oldRSs.map((o) => this.cur(o))), this.cur(newRS))) return this.syncRolloutStatus(all(), this.cur(newRS));
    if (deploymentComplete(this.d, this.ds)) this.cleanup(oldRSs.map((o) => this.cur(o)));
    return this.syncRolloutStatus(all(), this.cur(newRS));
  }

  private cur(rs: KubeObject): KubeObject {
    return this.sets.find((s) => s.metadata.uid === rs.metadata.uid) ?? rs;
  }

  private reconcileNewReplicaSet(allRSs: KubeObject[], newRS: KubeObject): boolean {
    const replicas = dReplicas(this.d);
    if (replicasOf(newRS) === replicas) return false;
    if (replicasOf(newRS) > replicas) return this.scaleAndRecord(newRS, replicas)[0];
    return this.scaleAndRecord(newRS, newRSNewReplicas(this.d, allRSs, newRS))[0];
  }

  /**
   * Scales old sets down as far as availability allows (reconcileOldReplicaSets): at most
   * all − (replicas − maxUnavailable) − unavailable new pods, unhealthy old replicas first.
   */
  private reconcileOldReplicaSets(allRSs: KubeObject[], oldRSs: KubeObject[], newRS: KubeObject): boolean {
    const d = this.d;
    if (totalReplicas(oldRSs) === 0) return false;
    const minAvailable = dReplicas(d) - maxUnavailable(d);
    const newUnavailable = replicasOf(newRS) - (rsStatus(newRS).availableReplicas ?? 0);
    const maxScaledDown = totalReplicas(allRSs) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    const cleaned = this.cleanupUnhealthyReplicas(oldRSs, maxScaledDown);
    const olds = oldRSs.map((o) => this.cur(o));
    const scaled = this.scaleDownOldReplicaSetsForRollingUpdate([...olds, newRS], olds);
    return cleaned + scaled > 0;
  }

  /** Removes old replicas that are not available, oldest sets first (cleanupUnhealthyReplicas). */
  private cleanupUnhealthyReplicas(oldRSs: KubeObject[], maxCleanup: number): number {
    let total = 0;
    for (const rs of [...oldRSs].sort(byCreation)) {
      if (total >= maxCleanup) break;
      const want = replicasOf(rs);
      const avail = rsStatus(rs).availableReplicas ?? 0;
      if (want === 0 || want === avail) continue;
      const n = Math.min(maxCleanup - total, want - avail);
      this.scaleAndRecord(rs, want - n);
      total += n;
    }
    return total;
  }

  /** Removes available old replicas down to minAvailable, oldest sets first (scaleDownOldReplicaSetsForRollingUpdate). */
  private scaleDownOldReplicaSetsForRollingUpdate(allRSs: KubeObject[], oldRSs: KubeObject[]): number {
    const minAvailable = dReplicas(this.d) - maxUnavailable(this.d);
    const available = availableReplicas(allRSs);
    if (available <= minAvailable) return 0;
    const budget = available - minAvailable;
    let total = 0;
    for (const rs of [...oldRSs].sort(byCreation)) {
      if (total >= budget) break;
      if (replicasOf(rs) === 0) continue;
      const n = Math.min(replicasOf(rs), budget - total);
      this.scaleAndRecord(rs, replicasOf(rs) - n);
      total += n;
    }
    return total;
  }

  /** Recreate (rolloutRecreate): every old set to 0, wait until no old pod runs, then the new set at full size. */
  private rolloutRecreate(): Plan {
    let [newRS, oldRSs] = this.getAll(false);
    const all = () => [...oldRSs.map((o) => this.cur(o)), newRS && this.cur(newRS)];
    let scaledDown = false;
    for (const rs of activeSets(oldRSs)) if (this.scaleAndRecord(rs, 0)[0]) scaledDown = true;
    if (scaledDown || this.oldPodsRunning(newRS, oldRSs)) return this.syncRolloutStatus(all(), newRS && this.cur(newRS));
    if (!newRS) [newRS, oldRSs] = this.getAll(true);
    this.scaleAndRecord(this.cur(newRS!), dReplicas(this.d));
    if (deploymentComplete(this.d, this.ds)) this.cleanup(oldRSs.map((o) => this.cur(o)));
    return this.syncRolloutStatus(all(), this.cur(newRS!));
  }

  /** Old sets still report replicas, or a pod of an old set has not finished (oldPodsRunning). */
  private oldPodsRunning(newRS: KubeObject | undefined, oldRSs: KubeObject[]): boolean {
    if (actualReplicas(oldRSs) > 0) return true;
    for (const [uid, pods] of this.input.podsBySet ?? []) {
      if (newRS && newRS.metadata.uid === uid) continue;
      for (const p of pods) {
        const phase = (p.status as { phase?: string } | undefined)?.phase;
        if (phase !== 'Failed' && phase !== 'Succeeded') return true;
      }
    }
    return false;
  }

  /**
   * Status with the Progressing condition (syncRolloutStatus): NewReplicaSetAvailable once
   * complete, ReplicaSetUpdated (lastUpdateTime moves) on progress, ProgressDeadlineExceeded
   * when the condition is older than the deadline; ReplicaFailure from the sets; and a re-sync
   * planned for when the deadline would pass (requeueStuckDeployment).
   */
  private syncRolloutStatus(allRSs: (KubeObject | undefined)[], newRS: KubeObject | undefined): Plan {
    const d = this.d;
    const status = calculateStatus(allRSs, newRS, d, this.stamp);
    if (!hasProgressDeadline(d)) removeCondition(status, PROGRESSING);
    const current = getCondition(this.ds, PROGRESSING);
    const complete = status.replicas === status.updatedReplicas && current?.reason === 'NewReplicaSetAvailable';
    if (hasProgressDeadline(d) && !complete) {
      if (deploymentComplete(d, status)) {
        const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has successfully progressed.` : `Deployment "${d.metadata.name}" has successfully progressed.`;
        setCondition(status, newCondition(PROGRESSING, 'True', 'NewReplicaSetAvailable', msg, this.stamp));
      } else if (deploymentProgressing(d, status)) {
        const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" is progressing.` : `Deployment "${d.metadata.name}" is progressing.`;
        const c = newCondition(PROGRESSING, 'True', 'ReplicaSetUpdated', msg, this.stamp);
        if (current) {
          if (current.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
          removeCondition(status, PROGRESSING);
        }
        setCondition(status, c);
      } else if (deploymentTimedOut(d, status, this.input.now)) {
        const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has timed out progressing.` : `Deployment "${d.metadata.name}" has timed out progressing.`;
        setCondition(status, newCondition(PROGRESSING, 'False', 'ProgressDeadlineExceeded', msg, this.stamp));
      }
    }
    const failures = replicaFailures(allRSs, newRS);
    if (failures.length) setCondition(status, failures[0]!);
    else removeCondition(status, REPLICA_FAILURE);
    this.status = status;
    this.requeueAfterMs = requeueStuck(d, status, this.input.now);
    return this.finish();
  }

  /** The legacy rollback request (rollback): put a revision's template back, then clear the request. */
  private rollback(): Plan {
    const d = this.d;
    const [newRS, oldRSs] = this.getAll(true);
    const all = [...oldRSs, newRS].filter((x): x is KubeObject => !!x);
    let to = rollbackTo(d)!;
    const clear = (event?: PlannedEvent) => {
      const next = structuredClone(d);
      delete next.metadata.annotations![ROLLBACK_TO];
      this.steps.push({ kind: 'updateDeployment', deployment: next, ...(event ? { event } : {}) });
      return this.finish();
    };
    if (to === 0) {
      to = lastRevision(all);
      if (to === 0) return clear({ type: 'Warning', reason: 'DeploymentRollbackRevisionNotFound', message: 'Unable to find last revision.' });
    }
    const target = all.find((rs) => revisionOf(rs) === to);
    if (!target) return clear({ type: 'Warning', reason: 'DeploymentRollbackRevisionNotFound', message: 'Unable to find the revision to rollback to.' });
    if (equalIgnoreHash(dSpec(d).template, rsSpec(target).template)) {
      return clear({ type: 'Warning', reason: 'DeploymentRollbackTemplateUnchanged', message: `The rollback revision contains the same template as current deployment "${d.metadata.name}"` });
    }
    const template = structuredClone(rsSpec(target).template ?? {});
    if (template.metadata?.labels) delete template.metadata.labels[HASH_LABEL];
    (d.spec as { template: unknown }).template = template;
    const kept = Object.fromEntries(Object.entries(d.metadata.annotations ?? {}).filter(([k]) => skipCopyAnnotation(k)));
    for (const [k, v] of Object.entries(target.metadata.annotations ?? {})) if (!skipCopyAnnotation(k)) kept[k] = v;
    d.metadata.annotations = kept;
    return clear({ type: 'Normal', reason: 'DeploymentRollback', message: `Rolled back deployment "${d.metadata.name}" to revision ${to}` });
  }
}

/** ReplicaFailure conditions of the new set, else of any set (getReplicaFailures). */
function replicaFailures(allRSs: (KubeObject | undefined)[], newRS: KubeObject | undefined): Condition[] {
  const of = (rs: KubeObject | undefined): Condition[] =>
    (rsStatus(rs ?? { metadata: {} }).conditions ?? [])
      .filter((c) => c.type === REPLICA_FAILURE)
      .map((c) => ({ type: c.type, status: c.status, lastTransitionTime: c.lastTransitionTime, lastUpdateTime: c.lastTransitionTime, reason: c.reason, message: c.message }) as Condition);
  const fromNew = of(newRS);
  return fromNew.length ? fromNew : allRSs.flatMap(of);
}

/** When to look again for a stalled rollout (requeueStuckDeployment); undefined when no need. */
function requeueStuck(d: KubeObject, status: DeploymentStatus, now: number): number | undefined {
  const current = getCondition(dStatus(d), PROGRESSING) ?? getCondition(status, PROGRESSING);
  if (!hasProgressDeadline(d) || !current) return undefined;
  const c = getCondition(status, PROGRESSING) ?? current;
  if (deploymentComplete(d, status) || c.reason === 'ProgressDeadlineExceeded' || c.reason === 'NewReplicaSetAvailable') return undefined;
  const from = Date.parse(c.lastUpdateTime ?? '');
  if (!Number.isFinite(from)) return undefined;
  const after = from + dSpec(d).progressDeadlineSeconds! * 1000 - now;
  return after < 1000 ? 1000 : after + 1000;
}

/** Plans one sync of a Deployment. */
export function planDeployment(input: PlanInput): Plan {
  return new Planner(input).run();
}
