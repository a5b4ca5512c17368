// One sync of a DaemonSet (pkg/controller/daemon/daemon_controller.go syncDaemonSet, manage,
// syncNodes, updateDaemonSetStatus; update.go constructHistory, snapshot, dedupCurHistories,
// cleanupHistory): read the caches, adopt and release revisions and pods, write the current
// revision, plan, create pods in slow-start batches and delete pods, write status, prune history.
// Writes go through the client; expectations keep the next sync off a stale cache.
import { ApiError } from '../../api/errors.ts';
import { fromLabelSelector, matches, SelectorParseError, type Selector } from '../../api/meta/labels.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { ResourceClient } from '../../client/client.ts';
import type { Informer } from '../../client/informer.ts';
import type { Clock } from '../../util/clock.ts';
import type { EventRecorder } from '../runtime/event-recorder.ts';
import type { ReconcileResult } from '../runtime/work-queue.ts';
import type { Expectations } from '../statefulset/expectations.ts';
import type { Backoff } from './backoff.ts';
import { planDaemonSet, type Plan } from './plan.ts';
import { claimPods, newDaemonPod } from './pods.ts';
import { planHistory, revisionsToPrune } from './revisions.ts';
import { goJson } from '../statefulset/revisions.ts';
import { slowStartBatch } from './slow-start.ts';
import { statusNeedsWrite, wireStatus } from './status.ts';
import { controllerRefOf, dsControllerRef, dsSpec, dsStatus, HASH_LABEL } from './types.ts';

export interface DaemonSetApis {
  daemonSets: ResourceClient;
  pods: ResourceClient;
  revisions: ResourceClient;
}

export interface DaemonSetInformers {
  daemonSets: Informer;
  revisions: Informer;
  pods: Informer;
  nodes: Informer;
}

export interface ReconcilerOptions {
  clock: Clock;
  /** Creates and deletes per sync at most (upstream BurstReplicas, 250). */
  burst?: number;
  log?: (m: string) => void;
}

const FIELD_MANAGER = 'kube-controller-manager';
const is = (e: unknown, ...codes: number[]) => e instanceof ApiError && codes.includes(e.code);
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));
const namespaceTerminating = (e: unknown) => e instanceof ApiError && (e.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');

/** Several failures of one sync as one error (utilerrors.NewAggregate). */
function aggregate(errors: unknown[]): Error | undefined {
  if (!errors.length) return undefined;
  if (errors.length === 1) return errors[0] instanceof Error ? errors[0] : new Error(String(errors[0]));
  return new Error(`[${errors.map(errText).join(', ')}]`);
}

export class DaemonSetReconciler {
  constructor(
    private readonly api: DaemonSetApis,
    private readonly informers: DaemonSetInformers,
    private readonly recorder: EventRecorder,
    private readonly expectations: Expectations,
    private readonly backoff: Backoff,
    private readonly opts: ReconcilerOptions,
  ) {}

  // How long each DaemonSet's last sync took to read its caches and plan (ms).
  private readonly planTimes = new Map<string, number>();

  /** How long the last sync of key took to read the caches and plan, in ms (0 if unknown). */
  planMs(key: string): number {
    return this.planTimes.get(key) ?? 0;
  }

  async sync(key: string): Promise<ReconcileResult> {
    const [ns, name] = key.split('/') as [string, string];
    const ds = this.informers.daemonSets.get(ns, name);
    if (!ds) {
      this.expectations.clear(key);
      this.planTimes.delete(key);
      return;
    }
    const sel = dsSpec(ds).selector;
    if (sel && !Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length) {
      this.recorder.event(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    let selector: Selector;
    try {
      selector = fromLabelSelector(sel);
    } catch (e) {
      if (e instanceof SelectorParseError) return this.opts.log?.(`daemonset ${key}: invalid selector: ${e.message}`);
      throw e;
    }
    // Its history may already be going: status of a DaemonSet being deleted is not reliable.
    if (ds.metadata.deletionTimestamp) return;

    const canAdopt = this.canAdopt(ds);
    const revisions = await this.claimRevisions(key, ds, selector, canAdopt);
    const pods = await this.claimPods(key, ds, selector, canAdopt);
    const history = await this.writeHistory(key, ds, revisions, pods);
    const manage = this.expectations.satisfied(key);
    // Only the planning itself paces re-syncs: time spent waiting on the API is no cost here.
    const started = performance.now();
    const plan = planDaemonSet({
      ds,
      nodes: this.informers.nodes.list(),
      pods,
      hash: history.hash,
      now: this.opts.clock.now(),
      manage,
      backoffDelay: (k) => this.backoff.delay(k),
      burst: this.opts.burst,
    });
    this.planTimes.set(key, performance.now() - started);
    const errors: unknown[] = [];
    if (manage) {
      for (const e of plan.events) this.recorder.event(ds, e.type, e.reason, e.message);
      for (const k of plan.backoff) this.backoff.next(k);
      errors.push(...(await this.syncNodes(key, ds, plan, history.hash)));
      if (!errors.length) {
        try {
          await this.pruneHistory(ds, history.old, pods);
        } catch (e) {
          errors.push(new Error(`failed to clean up revisions of DaemonSet: ${errText(e)}`));
        }
      }
    }
    try {
      await this.writeStatus(key, ds, plan);
    } catch (e) {
      errors.push(e);
    }
    const failure = aggregate(errors);
    if (failure) throw failure;
    // Pending expectations: an informer event brings the DaemonSet back; this timer is the fallback.
    const wait = manage ? plan.requeueAfterMs : Math.min(plan.requeueAfterMs ?? Infinity, 1000);
    return wait !== undefined && Number.isFinite(wait) ? { requeueAfter: wait } : undefined;
  }

  /** An uncached read: adoption only while the DaemonSet is the same object and not being deleted. */
  private canAdopt(ds: KubeObject): () => Promise<void> {
    let checked: Promise<void> | undefined;
    return () =>
      (checked ??= this.api.daemonSets.get(ds.metadata.namespace!, ds.metadata.name!).then((fresh) => {
        if (fresh.metadata.uid !== ds.metadata.uid) throw new Error(`original DaemonSet ${ds.metadata.namespace}/${ds.metadata.name} is gone: got uid ${fresh.metadata.uid}, wanted ${ds.metadata.uid}`);
        if (fresh.metadata.deletionTimestamp) throw new Error(`${ds.metadata.namespace}/${ds.metadata.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
      }));
  }

  private async adopt(rc: ResourceClient, informer: Informer, key: string, ds: KubeObject, o: KubeObject): Promise<KubeObject | undefined> {
    try {
      const patched = await rc.patch(o.metadata.namespace!, o.metadata.name!, 'strategic', { metadata: { ownerReferences: [dsControllerRef(ds)], uid: o.metadata.uid } }, { fieldManager: FIELD_MANAGER });
      this.expectations.expectRevision(key, informer, patched);
      return patched;
    } catch (e) {
      if (is(e, 404)) return undefined;
      throw e;
    }
  }

  private async release(rc: ResourceClient, informer: Informer, key: string, ds: KubeObject, o: KubeObject): Promise<void> {
    try {
      const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: ds.metadata.uid }], uid: o.metadata.uid } };
      this.expectations.expectRevision(key, informer, await rc.patch(o.metadata.namespace!, o.metadata.name!, 'strategic', patch, { fieldManager: FIELD_MANAGER }));
    } catch (e) {
      // Gone, or no longer ours: nothing to release.
      if (!is(e, 404, 422)) throw e;
    }
  }

  /** ClaimControllerRevisions: owned and matching kept, owned and not matching released, matching orphans adopted. */
  private async claimRevisions(key: string, ds: KubeObject, selector: Selector, canAdopt: () => Promise<void>): Promise<KubeObject[]> {
    const out: KubeObject[] = [];
    for (const r of this.informers.revisions.list(ds.metadata.namespace)) {
      const match = matches(selector, r.metadata.labels);
      const ref = controllerRefOf(r);
      if (ref) {
        if (ref.uid !== ds.metadata.uid) continue;
        if (match) out.push(r);
        else await this.release(this.api.revisions, this.informers.revisions, key, ds, r);
        continue;
      }
      if (!match || r.metadata.deletionTimestamp) continue;
      await canAdopt();
      const adopted = await this.adopt(this.api.revisions, this.informers.revisions, key, ds, r);
      if (adopted) out.push(adopted);
    }
    return out;
  }

  private async claimPods(key: string, ds: KubeObject, selector: Selector, canAdopt: () => Promise<void>): Promise<KubeObject[]> {
    const claimed = claimPods(ds, this.informers.pods.list(ds.metadata.namespace), selector);
    const adopted = new Map<KubeObject, KubeObject | undefined>();
    if (claimed.adopt.length) await canAdopt();
    for (const pod of claimed.adopt) adopted.set(pod, await this.adopt(this.api.pods, this.informers.pods, key, ds, pod));
    for (const pod of claimed.release) await this.release(this.api.pods, this.informers.pods, key, ds, pod);
    return claimed.pods.flatMap((p) => (adopted.has(p) ? (adopted.get(p) ? [adopted.get(p)!] : []) : [p]));
  }

  /** constructHistory: the hash of the current revision, and the old revisions. */
  private async writeHistory(key: string, ds: KubeObject, revisions: KubeObject[], pods: KubeObject[]): Promise<{ hash: string; old: KubeObject[] }> {
    const ns = ds.metadata.namespace!;
    const plan = planHistory(ds, revisions);
    const relabelled = new Map<string, KubeObject>();
    for (const r of plan.relabel) {
      const updated = await this.api.revisions.update(ns, r, { fieldManager: FIELD_MANAGER });
      this.expectations.expectRevision(key, this.informers.revisions, updated);
      relabelled.set(updated.metadata.name!, updated);
    }
    let current = plan.current && (relabelled.get(plan.current.metadata.name!) ?? plan.current);
    if (plan.create) current = await this.snapshot(key, ds, plan.create);
    if (!current) throw new Error(`no current revision for DaemonSet ${ds.metadata.name}`);
    const hash = current.metadata.labels?.[HASH_LABEL] ?? '';
    if (plan.duplicates.length) {
      // Pods of a duplicate move to the kept revision's hash before the duplicate goes.
      for (const pod of pods) {
        if (pod.metadata.labels?.[HASH_LABEL] === hash) continue;
        this.expectations.expectRevision(key, this.informers.pods, await this.api.pods.patch(ns, pod.metadata.name!, 'merge', { metadata: { labels: { [HASH_LABEL]: hash } } }, { fieldManager: FIELD_MANAGER }));
      }
      for (const d of plan.duplicates) {
        try {
          await this.api.revisions.delete(ns, d.metadata.name!, { preconditions: { uid: d.metadata.uid } });
        } catch (e) {
          if (!is(e, 404)) throw e;
        }
      }
    }
    if (plan.renumber !== undefined) {
      const updated = await this.api.revisions.update(ns, { ...current, revision: plan.renumber } as KubeObject, { fieldManager: FIELD_MANAGER });
      this.expectations.expectRevision(key, this.informers.revisions, updated);
    }
    return { hash, old: plan.old };
  }

  /**
   * Creates the current revision (snapshot). A name taken by a revision with the same data is
   * that revision; taken by other data, the DaemonSet's collisionCount is raised (when the count
   * the hash used is still the stored one) and the sync fails, to be retried with a new hash.
   */
  private async snapshot(key: string, ds: KubeObject, revision: KubeObject): Promise<KubeObject> {
    const ns = ds.metadata.namespace!;
    try {
      const created = await this.api.revisions.create(ns, revision, { fieldManager: FIELD_MANAGER });
      this.expectations.expectRevision(key, this.informers.revisions, created);
      return created;
    } catch (e) {
      if (!is(e, 409)) throw e;
      const existing = await this.api.revisions.get(ns, revision.metadata.name!);
      if (goJson(existing.data) === goJson(revision.data)) return existing;
      const fresh = await this.api.daemonSets.get(ns, ds.metadata.name!);
      const ours = dsStatus(ds).collisionCount;
      const theirs = dsStatus(fresh).collisionCount;
      if (ours !== theirs) throw new Error(`found a stale collision count (${ours ?? 'nil'}, expected ${theirs ?? 'nil'}) of DaemonSet "${ds.metadata.name}" while processing; will retry until it is updated`);
      const status = { ...(fresh.status as Record<string, unknown> | undefined), collisionCount: (theirs ?? 0) + 1 };
      this.expectations.expectRevision(key, this.informers.daemonSets, await this.api.daemonSets.updateStatus(ns, { ...fresh, status }, { fieldManager: FIELD_MANAGER }));
      throw e;
    }
  }

  /** syncNodes: creates in slow-start batches, then deletes all at once; expectations for each. */
  private async syncNodes(key: string, ds: KubeObject, plan: Plan, hash: string): Promise<unknown[]> {
    const ns = ds.metadata.namespace!;
    const errors: unknown[] = [];
    const created = await slowStartBatch(plan.creates, async (node) => {
      try {
        const pod = await this.api.pods.create(ns, newDaemonPod(ds, node, hash), { fieldManager: FIELD_MANAGER });
        this.expectations.expectRevision(key, this.informers.pods, pod);
        this.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
      } catch (e) {
        // Every later create would fail the same way while the namespace goes.
        if (namespaceTerminating(e)) return;
        this.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${errText(e)}`);
        throw e;
      }
    });
    errors.push(...created.errors);
    if (created.skipped) this.opts.log?.(`daemonset ${key}: slow-start failure, ${created.skipped} pod creations skipped until the next sync`);
    const deleted = await Promise.allSettled(
      plan.deletes.map(async ({ pod }) => {
        try {
          const res = await this.api.pods.delete(ns, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
          if (res) this.expectations.expectRevision(key, this.informers.pods, res);
          this.expectations.expectGone(key, this.informers.pods, pod);
        } catch (e) {
          // Gone already, or replaced by a pod of the same name (uid precondition).
          if (is(e, 404, 409)) return;
          this.recorder.event(ds, 'Warning', 'FailedDelete', `Error deleting: ${errText(e)}`);
          throw new Error(`unable to delete pods: ${errText(e)}`);
        }
        this.recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      }),
    );
    for (const d of deleted) if (d.status === 'rejected') errors.push(d.reason);
    return errors;
  }

  private async pruneHistory(ds: KubeObject, old: KubeObject[], pods: KubeObject[]): Promise<void> {
    for (const r of revisionsToPrune(ds, old, pods)) {
      try {
        await this.api.revisions.delete(ds.metadata.namespace!, r.metadata.name!, { preconditions: { uid: r.metadata.uid } });
      } catch (e) {
        if (!is(e, 404, 409)) throw e;
      }
    }
  }

  /** storeDaemonSetStatus: one retry with a fresh read after a failed write. */
  private async writeStatus(key: string, ds: KubeObject, plan: Plan): Promise<void> {
    if (!statusNeedsWrite(ds, plan.status)) return;
    const ns = ds.metadata.namespace!;
    let current = ds;
    for (let attempt = 0; ; attempt++) {
      try {
        const status = wireStatus(current, plan.status);
        const written = await this.api.daemonSets.updateStatus(ns, { ...current, status }, { fieldManager: FIELD_MANAGER });
        this.expectations.expectRevision(key, this.informers.daemonSets, written);
        return;
      } catch (e) {
        if (is(e, 404)) return;
        if (attempt >= 1) throw new Error(`error storing status for daemon set ${key}: ${errText(e)}`);
        current = await this.api.daemonSets.get(ns, ds.metadata.name!);
        if (current.metadata.uid !== ds.metadata.uid) return;
      }
    }
  }
}

