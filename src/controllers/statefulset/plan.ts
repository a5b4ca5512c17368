// The StatefulSet planner: from what the caches hold to the writes one sync makes and the status
// it records (pkg/controller/statefulset/stateful_set_control.go updateStatefulSet,
// processReplica, processCondemned, updateStatefulSetAfterInvariantEstablished). Pure: the
// reconciler executes the steps in order, phase by phase, and stops at the first failure.
//
// Target state: spec.replicas pods named <set>-<ordinal> for ordinals start..start+replicas-1,
// each with its claims; under RollingUpdate all pods at or above the partition at the update
// revision. OrderedReady creates in ascending order, one at a time, each after its predecessors
// are Running, Ready and available, and stops at the first unhealthy pod; it deletes condemned
// pods in descending order, one at a time, only when all others are healthy. Parallel creates and
// deletes without waiting.
//
// Two opt-in departures, each behind an annotation on the set (statefulset-opt-in.ts): claims
// grown in their template are raised first (expand-claims.ts), and under recover-stuck-rollout an
// outdated pod that is not Running and Ready is replaced instead of blocking the rollout.
import { optedIn, RECOVER_STUCK_ROLLOUT_ANNOTATION } from '../../api/apps/statefulset-opt-in.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import { planClaimExpansions } from './expand-claims.ts';
import {
  availableAt,
  claimFor,
  claimNamesFor,
  identityMatches,
  inOrdinalRange,
  isCreated,
  isAvailable,
  isPending,
  isRunningAndReady,
  isTerminal,
  isTerminating,
  isUnavailable,
  newPod,
  ordinalOf,
  revisionOf,
  startOrdinal,
  storageMatches,
  updateIdentity,
  updateStorage,
} from './identity.ts';
import { claimIsStale, claimOwnerRefsFor, hasUnexpectedController, isClaimOwnerUpToDate } from './retention.ts';
import { applyRevision, planRevisions, revisionsToPrune, type RevisionAction } from './revisions.ts';
import { completeRollingUpdate, countPods } from './status.ts';
import { setSpec, setStatus, type StatefulSetStatus } from './types.ts';

export interface PlanInput {
  set: KubeObject;
  /** The pods the set manages (see claimPods). */
  pods: readonly KubeObject[];
  /** Claims of the set's namespace by name. */
  claims: ReadonlyMap<string, KubeObject>;
  /** Revisions that match the selector and are owned by the set or by nothing. */
  revisions: readonly KubeObject[];
  now: number;
  /** Overrides status.collisionCount (after a name collision on create). */
  collisionCount?: number;
  /** MaxUnavailableStatefulSet (on by default from 1.35): rollingUpdate.maxUnavailable is honoured. */
  maxUnavailable?: boolean;
}

/** Claims to write around a pod: created before it, updated (owner references) after it. */
export interface ClaimWork {
  create: KubeObject[];
  /** Claims being deleted: the step fails until they are gone. */
  deleting: string[];
  update: KubeObject[];
  /** Claims another object controls (a ConflictingController warning). */
  conflicting: string[];
}

export type Phase = 'claims' | 'replicas' | 'condemnedClaims' | 'condemned' | 'update' | 'history';
/** `recover`: an outdated pod that is not Running and Ready, replaced under recover-stuck-rollout. */
export type DeleteReason = 'terminal' | 'condemned' | 'update' | 'recover';

export type Step =
  | { phase: Phase; kind: 'createPod'; pod: KubeObject; claims: ClaimWork }
  | { phase: Phase; kind: 'ensureClaims'; pod: KubeObject; claims: ClaimWork }
  | { phase: Phase; kind: 'updatePod'; pod: KubeObject; podChanged: boolean; claims: ClaimWork }
  | { phase: Phase; kind: 'deletePod'; pod: KubeObject; reason: DeleteReason }
  /** Opt-in (expand-claims): the claim with its storage request raised to its template's. */
  | { phase: Phase; kind: 'expandClaim'; claim: KubeObject; from: string; to: string }
  | { phase: Phase; kind: 'deleteRevision'; revision: KubeObject };

export interface Plan {
  revision: RevisionAction;
  currentRevision: string;
  updateRevision: string;
  status: StatefulSetStatus;
  steps: Step[];
  /** Steps of one phase may run concurrently (Parallel); otherwise one at a time, in order. */
  burst: boolean;
  /** Sync again this long from now (a ready pod becomes available after minReadySeconds). */
  requeueAfterMs?: number;
}

const noClaims = (): ClaimWork => ({ create: [], deleting: [], update: [], conflicting: [] });

/**
 * Claim writes for a pod (createPersistentVolumeClaims plus UpdatePodClaimForRetentionPolicy):
 * missing claims are created with the owner references the policy asks for, claims being deleted
 * are reported, existing claims whose references are out of date are updated.
 */
function claimWork(set: KubeObject, pod: KubeObject, claims: ReadonlyMap<string, KubeObject>, create: boolean): ClaimWork {
  const work = noClaims();
  const ordinal = ordinalOf(pod);
  // Only names are needed for claims that exist: a sync of a large set visits every pod.
  for (const { template, name } of claimNamesFor(set, ordinal)) {
    const live = claims.get(name);
    if (!live) {
      if (create) {
        const c = claimFor(set, template, ordinal);
        work.create.push({ ...c, metadata: { ...c.metadata, ownerReferences: claimOwnerRefsFor(c, set, pod) } });
      }
      continue;
    }
    if (create && live.metadata.deletionTimestamp) work.deleting.push(name);
    if (!isClaimOwnerUpToDate(live, set, pod)) {
      if (hasUnexpectedController(live, set, pod)) work.conflicting.push(name);
      const next = structuredClone(live) as KubeObject;
      next.metadata.ownerReferences = claimOwnerRefsFor(live, set, pod);
      work.update.push(next);
    }
  }
  return work;
}

/** Pods that are created at the current revision (newVersionedStatefulSetPod). */
function usesCurrentRevision(set: KubeObject, ordinal: number): boolean {
  const strategy = setSpec(set).updateStrategy;
  const start = startOrdinal(set);
  if (strategy?.type === 'RollingUpdate' && !strategy.rollingUpdate && ordinal < start + (setStatus(set).currentReplicas ?? 0)) return true;
  return !!strategy?.rollingUpdate && ordinal < start + (strategy.rollingUpdate.partition ?? 0);
}

/** maxUnavailable scaled against replicas, rounded down, at least 1 (getStatefulSetMaxUnavailable). */
export function maxUnavailableOf(set: KubeObject): number {
  const v = setSpec(set).updateStrategy?.rollingUpdate?.maxUnavailable ?? 1;
  const replicas = setSpec(set).replicas ?? 1;
  const n = typeof v === 'string' && v.endsWith('%') ? Math.floor((Number(v.slice(0, -1)) * replicas) / 100) : Number(v);
  return Number.isFinite(n) && n >= 1 ? n : 1;
}

export function planStatefulSet(input: PlanInput): Plan {
  const { set, claims, now } = input;
  const spec = setSpec(set);
  const minReady = spec.minReadySeconds ?? 0;
  const revs = planRevisions(set, input.revisions, input.collisionCount);
  const currentName = revs.current.metadata.name!;
  const updateName = revs.update.metadata.name!;
  const currentSet = applyRevision(set, revs.current);
  const updateSet = applyRevision(set, revs.update);
  const monotonic = spec.podManagementPolicy !== 'Parallel';
  const steps: Step[] = [];

  // Partition: in-range pods by index, condemned pods (valid ordinal, out of range) descending.
  const start = startOrdinal(set);
  const count = Math.max(0, spec.replicas ?? 1);
  const replicas: (KubeObject | undefined)[] = new Array<KubeObject | undefined>(count).fill(undefined);
  const condemned: KubeObject[] = [];
  for (const pod of input.pods) {
    if (inOrdinalRange(pod, set)) replicas[ordinalOf(pod) - start] = pod;
    else if (ordinalOf(pod) >= 0) condemned.push(pod);
  }
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));
  const slots: KubeObject[] = replicas.map(
    (p, i) => p ?? (usesCurrentRevision(set, start + i) ? newPod(currentSet, start + i, currentName) : newPod(updateSet, start + i, updateName)),
  );

  let firstUnavailable: KubeObject | undefined = slots.find((p) => isUnavailable(p, minReady, now));
  for (let i = condemned.length - 1; i >= 0 && !firstUnavailable; i--) if (isUnavailable(condemned[i]!, minReady, now)) firstUnavailable = condemned[i];

  const counts = countPods([...replicas.filter((p): p is KubeObject => !!p), ...condemned], minReady, now, currentName, updateName);
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata.generation,
    ...counts,
    currentRevision: currentName,
    updateRevision: updateName,
    collisionCount: revs.collisionCount,
  };

  const finish = (): Plan => {
    completeRollingUpdate(set, status);
    steps.push(...revisionsToPrune(set, input.pods, input.revisions, [currentName, updateName]).map((revision) => ({ phase: 'history' as const, kind: 'deleteRevision' as const, revision })));
    let requeueAfterMs: number | undefined;
    if (minReady > 0 && status.availableReplicas !== (spec.replicas ?? 1)) {
      const soonest = Math.min(...input.pods.map((p) => availableAt(p, minReady) ?? Infinity).filter((t) => t >= now));
      requeueAfterMs = Number.isFinite(soonest) ? Math.max(1, soonest - now + 1000) : minReady * 1000;
    }
    return { revision: revs.action, currentRevision: status.currentRevision!, updateRevision: updateName, status, steps, burst: !monotonic, requeueAfterMs };
  };

  // A set being deleted only has its status written.
  if (set.metadata.deletionTimestamp) return finish();

  // Opt-in: claims whose template grew are raised before any pod work; expansion is online.
  for (const e of planClaimExpansions(set, claims)) steps.push({ phase: 'claims', kind: 'expandClaim', ...e });

  // Opt-in (kubernetes#67250): a pod at or above the partition, of a revision other than the update
  // revision, that is not Running and Ready, would hold an OrderedReady set (or use up the
  // maxUnavailable budget) forever, since a fixed or reverted template never reaches it. It is
  // replaced now; its absence costs no availability, as it was not available.
  const partition = spec.updateStrategy?.rollingUpdate?.partition ?? 0;
  const recover = optedIn(set, RECOVER_STUCK_ROLLOUT_ANNOTATION) && spec.updateStrategy?.type === 'RollingUpdate';
  const recovered = new Set<KubeObject>();
  const stuck = (pod: KubeObject, index: number) => recover && index >= partition && !isTerminating(pod) && !isRunningAndReady(pod) && revisionOf(pod) !== updateName;

  // Replicas, in ascending ordinal order. Under OrderedReady a blocking result ends the sync.
  for (let i = 0; i < slots.length; i++) {
    const pod = slots[i]!;
    if (isCreated(pod) && isTerminal(pod)) {
      // Deleted now, recreated by a later sync once the deletion is observed.
      if (!isTerminating(pod)) steps.push({ phase: 'replicas', kind: 'deletePod', pod, reason: 'terminal' });
      if (monotonic) return finish();
      continue;
    }
    if (!isCreated(pod)) {
      const own = claimNamesFor(set, ordinalOf(pod)).map((c) => claims.get(c.name));
      if (claimIsStale(set, pod, own)) {
        if (monotonic) return finish();
        continue;
      }
      steps.push({ phase: 'replicas', kind: 'createPod', pod, claims: claimWork(set, pod, claims, true) });
      if (monotonic) return finish();
      continue;
    }
    if (stuck(pod, i)) {
      steps.push({ phase: 'replicas', kind: 'deletePod', pod, reason: 'recover' });
      recovered.add(pod);
      if (monotonic) return finish();
      continue;
    }
    if (isPending(pod)) {
      const work = claimWork(set, pod, claims, true);
      if (work.create.length || work.deleting.length || work.update.length) steps.push({ phase: 'replicas', kind: 'ensureClaims', pod, claims: work });
    }
    if (monotonic && (isTerminating(pod) || !isRunningAndReady(pod) || !isAvailable(pod, minReady, now))) return finish();
    const identityOk = identityMatches(set, pod);
    const storageOk = storageMatches(set, pod);
    const retention = claimWork(updateSet, pod, claims, false);
    if (identityOk && storageOk && retention.update.length === 0) continue;
    const next = structuredClone(pod) as KubeObject;
    if (!identityOk) updateIdentity(updateSet, next);
    const work = storageOk ? retention : claimWork(updateSet, pod, claims, true);
    if (!storageOk) updateStorage(updateSet, next);
    steps.push({ phase: 'replicas', kind: 'updatePod', pod: next, podChanged: !identityOk || !storageOk, claims: work });
  }

  // Condemned pods' claims get the references the policy asks for before the pods go.
  for (const pod of condemned) {
    const work = claimWork(updateSet, pod, claims, false);
    if (work.update.length) steps.push({ phase: 'condemnedClaims', kind: 'ensureClaims', pod, claims: work });
  }

  // Scale down, highest ordinal first; scaling takes precedence over updates.
  for (const pod of condemned) {
    if (isTerminating(pod)) {
      if (monotonic) return finish();
      continue;
    }
    if (monotonic && pod !== firstUnavailable && (!isRunningAndReady(pod) || !isAvailable(pod, minReady, now))) return finish();
    steps.push({ phase: 'condemned', kind: 'deletePod', pod, reason: 'condemned' });
    if (monotonic) return finish();
  }

  if (spec.updateStrategy?.type === 'OnDelete') return finish();

  // Rolling update from the highest index down to the partition.
  const deleteForUpdate = (pod: KubeObject) => {
    steps.push({ phase: 'update', kind: 'deletePod', pod, reason: 'update' });
    status.currentReplicas = (status.currentReplicas ?? 0) - 1;
  };
  if (input.maxUnavailable ?? true) {
    const maxUnavailable = spec.updateStrategy?.rollingUpdate ? maxUnavailableOf(set) : 1;
    const unavailable = slots.filter((p) => isUnavailable(p, minReady, now)).length;
    if (unavailable > maxUnavailable) return finish();
    let budget = maxUnavailable - unavailable;
    for (let t = slots.length - 1; t >= partition && budget > 0; t--) {
      const pod = slots[t]!;
      // A slot not created yet has nothing to delete.
      if (isCreated(pod) && revisionOf(pod) !== updateName && !isTerminating(pod) && !recovered.has(pod)) {
        deleteForUpdate(pod);
        budget--;
      }
    }
    return finish();
  }
  for (let t = slots.length - 1; t >= partition; t--) {
    const pod = slots[t]!;
    if (isCreated(pod) && revisionOf(pod) !== updateName && !isTerminating(pod) && !recovered.has(pod)) {
      deleteForUpdate(pod);
      return finish();
    }
    if (isUnavailable(pod, minReady, now)) return finish();
  }
  return finish();
}
