// One sync of a StatefulSet (pkg/controller/statefulset/stateful_set.go sync and
// stateful_set_control.go UpdateStatefulSet): read the caches, adopt orphan revisions and pods and
// release pods that no longer match, plan, write the revision, run the planned steps phase by
// phase (one at a time under OrderedReady, many at once under Parallel), write status, prune
// history. Writes go through the client; expectations keep the next sync off a stale cache.
import { ApiError } from '../../api/errors.ts';
import { matches, SelectorParseError, type Selector } from '../../api/meta/labels.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { ResourceClient } from '../../client/client.ts';
import type { Informer } from '../../client/informer.ts';
import type { Clock } from '../../util/clock.ts';
import type { EventRecorder } from '../runtime/event-recorder.ts';
import type { ReconcileResult } from '../runtime/work-queue.ts';
import type { Expectations } from './expectations.ts';
import { claimPods, selectorOf } from './identity.ts';
import { planStatefulSet, type ClaimWork, type Plan, type Step } from './plan.ts';
import { createRevision } from './revisions.ts';
import { statusNeedsWrite, wireStatus } from './status.ts';
import { controllerRefOf, REVISION_LABEL, setControllerRef, type StatefulSetStatus } from './types.ts';

export interface StatefulSetApis {
  sets: ResourceClient;
  pods: ResourceClient;
  claims: ResourceClient;
  revisions: ResourceClient;
}

export interface StatefulSetInformers {
  sets: Informer;
  pods: Informer;
  claims: Informer;
  revisions: Informer;
}

export interface ReconcilerOptions {
  clock: Clock;
  /** Writes in flight at once for a Parallel set (upstream: slow-start batches up to 500). */
  burst?: number;
  /** MaxUnavailableStatefulSet gate (default on, as 1.35). */
  maxUnavailable?: boolean;
  log?: (m: string) => void;
}

const FIELD_MANAGER = 'kube-controller-manager';
const is = (e: unknown, ...codes: number[]) => e instanceof ApiError && codes.includes(e.code);
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Runs fn over items with at most `limit` in flight; stops starting new ones after a failure. */
async function runBounded<T>(items: readonly T[], limit: number, fn: (t: T) => Promise<void>): Promise<unknown> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return failure;
}

export class StatefulSetReconciler {
  constructor(
    private readonly api: StatefulSetApis,
    private readonly informers: StatefulSetInformers,
    private readonly recorder: EventRecorder,
    private readonly expectations: Expectations,
    private readonly opts: ReconcilerOptions,
  ) {}

  // How long each set's last plan took (ms).
  private readonly planTimes = new Map<string, number>();

  /** How long the last plan of key took, in ms (0 if unknown). */
  planMs(key: string): number {
    return this.planTimes.get(key) ?? 0;
  }

  async sync(key: string): Promise<ReconcileResult> {
    const [ns, name] = key.split('/') as [string, string];
    const set = this.informers.sets.get(ns, name);
    if (!set) {
      this.expectations.clear(key);
      this.planTimes.delete(key);
      return;
    }
    // Wait for the caches to show this set's last writes; an event or this timer brings it back.
    if (!this.expectations.satisfied(key)) return { requeueAfter: 1000 };
    let selector: Selector;
    try {
      selector = selectorOf(set);
    } catch (e) {
      if (e instanceof SelectorParseError) return this.opts.log?.(`statefulset ${key}: invalid selector: ${e.message}`);
      throw e;
    }
    const canAdopt = this.canAdopt(set);
    const revisions = await this.revisionsOf(set, selector, canAdopt);
    const pods = await this.claimPods(key, set, selector, canAdopt);
    const claims = new Map(this.informers.claims.list(ns).map((c) => [c.metadata.name!, c] as const));
    const input = { set, pods, claims, revisions, now: this.opts.clock.now(), maxUnavailable: this.opts.maxUnavailable };
    // Only the planning itself paces re-syncs: time spent waiting on the API is no cost here.
    const started = performance.now();
    let plan = planStatefulSet(input);
    this.planTimes.set(key, performance.now() - started);
    if (plan.revision.kind !== 'none') {
      const written = await this.writeRevision(key, set, plan);
      plan = planStatefulSet({ ...input, revisions: [...revisions.filter((r) => r.metadata.name !== written.revision.metadata.name), written.revision], collisionCount: written.collisionCount });
    }
    let failure: unknown;
    for (const phase of ['claims', 'replicas', 'condemnedClaims', 'condemned', 'update'] as const) {
      const steps = plan.steps.filter((s) => s.phase === phase);
      if (!steps.length) continue;
      failure = await runBounded(steps, plan.burst ? (this.opts.burst ?? 128) : 1, (s) => this.execute(key, set, s));
      if (failure !== undefined) break;
    }
    // Status is written whatever happened, as upstream; then history is pruned.
    try {
      await this.writeStatus(key, set, plan.status);
    } catch (e) {
      failure ??= e;
    }
    const pruned = await runBounded(
      plan.steps.filter((s) => s.phase === 'history'),
      4,
      (s) => this.execute(key, set, s),
    );
    failure ??= pruned;
    if (failure !== undefined) throw failure;
    return plan.requeueAfterMs !== undefined ? { requeueAfter: plan.requeueAfterMs } : undefined;
  }

  /** An uncached read: adoption only while the set is the same object and not being deleted. */
  private canAdopt(set: KubeObject): () => Promise<void> {
    let checked: Promise<void> | undefined;
    return () =>
      (checked ??= this.api.sets.get(set.metadata.namespace!, set.metadata.name!).then((fresh) => {
        if (fresh.metadata.uid !== set.metadata.uid) throw new Error(`original StatefulSet ${set.metadata.namespace}/${set.metadata.name} is gone: got uid ${fresh.metadata.uid}, wanted ${set.metadata.uid}`);
        if (fresh.metadata.deletionTimestamp) throw new Error(`${set.metadata.namespace}/${set.metadata.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
      }));
  }

  /** Revisions matching the selector owned by the set or by nothing; orphans are adopted. */
  private async revisionsOf(set: KubeObject, selector: Selector, canAdopt: () => Promise<void>): Promise<KubeObject[]> {
    const out: KubeObject[] = [];
    for (const r of this.informers.revisions.list(set.metadata.namespace)) {
      if (!matches(selector, r.metadata.labels)) continue;
      const ref = controllerRefOf(r);
      if (ref && ref.uid !== set.metadata.uid) continue;
      if (ref) {
        out.push(r);
        continue;
      }
      if (set.metadata.deletionTimestamp) continue;
      await canAdopt();
      const adopted = await this.api.revisions.patch(r.metadata.namespace!, r.metadata.name!, 'strategic', { metadata: { ownerReferences: [setControllerRef(set)], uid: r.metadata.uid } }, { fieldManager: FIELD_MANAGER });
      out.push(adopted);
    }
    return out;
  }

  private async claimPods(key: string, set: KubeObject, selector: Selector, canAdopt: () => Promise<void>): Promise<KubeObject[]> {
    const claimed = claimPods(set, this.informers.pods.list(set.metadata.namespace), selector);
    const ns = set.metadata.namespace!;
    const adopted = new Map<KubeObject, KubeObject | undefined>();
    if (claimed.adopt.length) await canAdopt();
    for (const pod of claimed.adopt) {
      try {
        const patched = await this.api.pods.patch(ns, pod.metadata.name!, 'strategic', { metadata: { ownerReferences: [setControllerRef(set)], uid: pod.metadata.uid } }, { fieldManager: FIELD_MANAGER });
        this.expectations.expectRevision(key, this.informers.pods, patched);
        adopted.set(pod, patched);
      } catch (e) {
        if (!is(e, 404)) throw e;
        adopted.set(pod, undefined);
      }
    }
    for (const pod of claimed.release) {
      try {
        const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: set.metadata.uid }], uid: pod.metadata.uid } };
        this.expectations.expectRevision(key, this.informers.pods, await this.api.pods.patch(ns, pod.metadata.name!, 'strategic', patch, { fieldManager: FIELD_MANAGER }));
      } catch (e) {
        // Gone, or no longer ours: nothing to release.
        if (!is(e, 404, 422)) throw e;
      }
    }
    return claimed.pods.flatMap((p) => (adopted.has(p) ? (adopted.get(p) ? [adopted.get(p)!] : []) : [p]));
  }

  private async writeRevision(key: string, set: KubeObject, plan: Plan): Promise<{ revision: KubeObject; collisionCount: number }> {
    const action = plan.revision;
    const ns = set.metadata.namespace!;
    if (action.kind === 'renumber') {
      // A rollback: the equal older revision is renumbered to come last.
      let current = action.revision;
      for (let attempt = 0; ; attempt++) {
        try {
          const updated = await this.api.revisions.update(ns, { ...current, revision: action.to } as KubeObject, { fieldManager: FIELD_MANAGER });
          this.expectations.expectRevision(key, this.informers.revisions, updated);
          return { revision: updated, collisionCount: plan.status.collisionCount ?? 0 };
        } catch (e) {
          if (!is(e, 409) || attempt >= 5) throw e;
          current = await this.api.revisions.get(ns, current.metadata.name!);
        }
      }
    }
    if (action.kind !== 'create') throw new Error('no revision to write');
    const written = await createRevision(set, action.revision, plan.status.collisionCount ?? 0, {
      create: async (r) => {
        try {
          return await this.api.revisions.create(ns, r, { fieldManager: FIELD_MANAGER });
        } catch (e) {
          if (is(e, 409)) return undefined;
          throw e;
        }
      },
      get: (n) => this.api.revisions.find(ns, n),
    });
    this.expectations.expectRevision(key, this.informers.revisions, written.revision);
    return written;
  }

  private async writeStatus(key: string, set: KubeObject, status: StatefulSetStatus): Promise<void> {
    if (!statusNeedsWrite(set, status)) return;
    let current = set;
    for (let attempt = 0; ; attempt++) {
      try {
        const written = await this.api.sets.updateStatus(set.metadata.namespace!, { ...current, status: wireStatus(status) }, { fieldManager: FIELD_MANAGER });
        this.expectations.expectRevision(key, this.informers.sets, written);
        return;
      } catch (e) {
        if (is(e, 404)) return;
        if (!is(e, 409) || attempt >= 5) throw e;
        current = await this.api.sets.get(set.metadata.namespace!, set.metadata.name!);
        if (current.metadata.uid !== set.metadata.uid) return;
      }
    }
  }

  private async execute(key: string, set: KubeObject, step: Step): Promise<void> {
    const ns = set.metadata.namespace!;
    switch (step.kind) {
      case 'createPod': {
        try {
          await this.writeClaims(key, set, step.pod, step.claims, { create: true, update: false });
        } catch (e) {
          this.podEvent('create', set, step.pod, e);
          throw e;
        }
        let created: KubeObject;
        try {
          created = await this.api.pods.create(ns, step.pod, { fieldManager: FIELD_MANAGER });
        } catch (e) {
          // Already there: the cache was behind; the next sync sees it.
          if (is(e, 409)) throw e;
          this.podEvent('create', set, step.pod, e);
          throw e;
        }
        this.expectations.expectRevision(key, this.informers.pods, created);
        try {
          await this.writeClaims(key, set, step.pod, step.claims, { create: false, update: true });
        } catch (e) {
          this.podEvent('update', set, step.pod, e);
          throw e;
        }
        this.podEvent('create', set, step.pod);
        return;
      }
      case 'ensureClaims':
        try {
          await this.writeClaims(key, set, step.pod, step.claims, { create: true, update: true });
        } catch (e) {
          if (step.phase === 'replicas') this.podEvent('update', set, step.pod, e);
          throw e;
        }
        return;
      case 'updatePod':
        try {
          await this.writeClaims(key, set, step.pod, step.claims, { create: true, update: true });
          if (step.podChanged) this.expectations.expectRevision(key, this.informers.pods, await this.api.pods.update(ns, step.pod, { fieldManager: FIELD_MANAGER }));
        } catch (e) {
          this.podEvent('update', set, step.pod, e);
          throw e;
        }
        if (step.podChanged) this.podEvent('update', set, step.pod);
        return;
      case 'deletePod':
        try {
          const res = await this.api.pods.delete(ns, step.pod.metadata.name!, { preconditions: { uid: step.pod.metadata.uid } });
          if (res) this.expectations.expectRevision(key, this.informers.pods, res);
          this.expectations.expectGone(key, this.informers.pods, step.pod);
        } catch (e) {
          // A uid precondition failure: the pod was already replaced.
          if (is(e, 409)) return;
          this.podEvent('delete', set, step.pod, e);
          throw e;
        }
        this.podEvent('delete', set, step.pod);
        if (step.reason === 'recover') {
          const rev = step.pod.metadata.labels?.[REVISION_LABEL] ?? '';
          this.recorder.event(set, 'Normal', 'RecoverStuckRollout', `delete Pod ${step.pod.metadata.name} of revision ${rev}: not Running and Ready, and not at the update revision`);
        }
        return;
      case 'expandClaim':
        return this.expandClaim(key, set, step.claim, step.to);
      case 'deleteRevision':
        try {
          await this.api.revisions.delete(ns, step.revision.metadata.name!, { preconditions: { uid: step.revision.metadata.uid } });
        } catch (e) {
          if (!is(e, 404, 409)) throw e;
        }
        return;
    }
  }

  /**
   * Opt-in (expand-claims): writes a claim's raised storage request. A refusal (a class without
   * allowVolumeExpansion, a claim that cannot grow) leaves the claim alone with a Warning on the
   * set and does not fail the sync; a conflict is retried by the next sync.
   */
  private async expandClaim(key: string, set: KubeObject, claim: KubeObject, to: string): Promise<void> {
    const what = `expand Claim ${claim.metadata.name} to ${to} in StatefulSet ${set.metadata.name}`;
    try {
      this.expectations.expectRevision(key, this.informers.claims, await this.api.claims.update(set.metadata.namespace!, claim, { fieldManager: FIELD_MANAGER }));
    } catch (e) {
      if (is(e, 404)) return;
      if (!is(e, 403, 422)) throw e;
      this.recorder.event(set, 'Warning', 'ClaimExpansionFailed', `${what} failed error: ${errText(e)}`);
      return;
    }
    this.recorder.event(set, 'Normal', 'ClaimExpansionRequested', `${what} successful`);
  }

  /** Creates missing claims (failing on claims being deleted) and/or updates claims' owner references. */
  private async writeClaims(key: string, set: KubeObject, pod: KubeObject, work: ClaimWork, what: { create: boolean; update: boolean }): Promise<void> {
    const ns = set.metadata.namespace!;
    const errors: string[] = [];
    if (what.create) {
      for (const claim of work.create) {
        try {
          this.expectations.expectRevision(key, this.informers.claims, await this.api.claims.create(ns, claim, { fieldManager: FIELD_MANAGER }));
          this.claimEvent(set, pod, claim);
        } catch (e) {
          if (is(e, 409)) continue;
          errors.push(`failed to create PVC ${claim.metadata.name}: ${errText(e)}`);
          this.claimEvent(set, pod, claim, e);
        }
      }
      for (const n of work.deleting) errors.push(`pvc ${n} is being deleted`);
      if (errors.length) throw new Error(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);
    }
    if (!what.update) return;
    for (const n of work.conflicting) {
      this.recorder.event(set, 'Warning', 'ConflictingController', `PersistentVolumeClaim ${n} has a conflicting OwnerReference that acts as a manging controller, the retention policy is ignored for this claim`);
    }
    for (const claim of work.update) {
      try {
        this.expectations.expectRevision(key, this.informers.claims, await this.api.claims.update(ns, claim, { fieldManager: FIELD_MANAGER }));
      } catch (e) {
        if (is(e, 404)) continue;
        throw new Error(`could not update claim ${claim.metadata.name} for delete policy ownerRefs: ${errText(e)}`);
      }
    }
  }

  /** recordPodEvent: `<verb> Pod <pod> in StatefulSet <set> successful|failed error: …`. */
  private podEvent(verb: 'create' | 'update' | 'delete', set: KubeObject, pod: KubeObject, err?: unknown): void {
    const title = verb[0]!.toUpperCase() + verb.slice(1);
    if (err === undefined) this.recorder.event(set, 'Normal', `Successful${title}`, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
    else this.recorder.event(set, 'Warning', `Failed${title}`, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${errText(err)}`);
  }

  /** recordClaimEvent: `create Claim <claim> Pod <pod> in StatefulSet <set> success`. */
  private claimEvent(set: KubeObject, pod: KubeObject, claim: KubeObject, err?: unknown): void {
    if (err === undefined) this.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${claim.metadata.name} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} success`);
    else this.recorder.event(set, 'Warning', 'FailedCreate', `create Claim ${claim.metadata.name} for Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${errText(err)}`);
  }
}
