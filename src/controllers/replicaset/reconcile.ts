// One sync of a ReplicaSet (pkg/controller/replicaset/replica_set.go syncReplicaSet and
// manageReplicas; pkg/controller/controller_utils.go RealPodControl): read the caches, adopt and
// release pods, plan, create pods in slow-start batches or delete the ranked ones, then write the
// status (whatever managing did, as upstream). Expectations keep the next sync off a stale cache.
import { ApiError } from '../../api/errors.ts';
import { fromLabelSelector, matches, SelectorParseError, type Selector } from '../../api/meta/labels.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { ResourceClient } from '../../client/client.ts';
import type { Informer } from '../../client/informer.ts';
import type { Clock } from '../../util/clock.ts';
import type { EventRecorder } from '../runtime/event-recorder.ts';
import type { ReconcileResult } from '../runtime/work-queue.ts';
import type { Expectations } from '../statefulset/expectations.ts';
import { planReplicaSet, podFromTemplate, slowStartBatch, type Plan } from './plan.ts';
import { calculateStatus, statusNeedsWrite, wireStatus } from './status.ts';
import { controllerRefOf, replicasOf, rsControllerRef, rsSpec, type ReplicaSetStatus } from './types.ts';

export interface ReplicaSetApis {
  replicaSets: ResourceClient;
  pods: ResourceClient;
}

export interface ReplicaSetInformers {
  replicaSets: Informer;
  pods: Informer;
}

export interface ReconcilerOptions {
  clock: Clock;
  /** Pods created or deleted per sync at most (upstream 500). */
  burst?: number;
  log?: (m: string) => void;
}

const FIELD_MANAGER = 'kube-controller-manager';
/** The first slow-start batch (SlowStartInitialBatchSize). */
const SLOW_START_INITIAL = 1;
const is = (e: unknown, ...codes: number[]) => e instanceof ApiError && codes.includes(e.code);
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));
const namespaceTerminating = (e: unknown) => is(e, 403) && /because it is being terminated/.test(errText(e));

export class ReplicaSetReconciler {
  constructor(
    private readonly api: ReplicaSetApis,
    private readonly informers: ReplicaSetInformers,
    private readonly recorder: EventRecorder,
    private readonly expectations: Expectations,
    private readonly opts: ReconcilerOptions,
  ) {}

  async sync(key: string): Promise<ReconcileResult> {
    const [ns, name] = key.split('/') as [string, string];
    const rs = this.informers.replicaSets.get(ns, name);
    if (!rs) {
      this.expectations.clear(key);
      return;
    }
    const synced = this.expectations.satisfied(key);
    let selector: Selector;
    try {
      selector = fromLabelSelector(rsSpec(rs).selector);
    } catch (e) {
      if (e instanceof SelectorParseError) return this.opts.log?.(`replicaset ${key}: invalid selector: ${e.message}`);
      throw e;
    }
    const pods = this.informers.pods.list(ns);
    const now = this.opts.clock.now();
    const plan = planReplicaSet({ rs, selector, pods, related: this.relatedPods(rs, pods), synced, now, burst: this.opts.burst });
    const managed = await this.adoptAndRelease(key, rs, plan);
    let manageError: unknown;
    try {
      await this.manage(key, rs, plan);
    } catch (e) {
      manageError = e;
    }
    const status = calculateStatus(rs, managed, manageError, this.opts.clock.now());
    await this.writeStatus(key, rs, status);
    if (manageError !== undefined) throw manageError;
    if (!synced) return { requeueAfter: 1000 };
    // A last line of defence against clock skew: look again once ready pods should be available.
    const minReady = rsSpec(rs).minReadySeconds ?? 0;
    if (minReady > 0 && status.readyReplicas === replicasOf(rs) && status.availableReplicas !== replicasOf(rs)) return { requeueAfter: minReady * 1000 };
    return undefined;
  }

  /** Pods selected by the ReplicaSets that share this one's controller (getIndirectlyRelatedPods). */
  private relatedPods(rs: KubeObject, pods: readonly KubeObject[]): KubeObject[] {
    const ref = controllerRefOf(rs);
    if (!ref) return [];
    const selectors: Selector[] = [];
    for (const other of this.informers.replicaSets.list(rs.metadata.namespace)) {
      if (controllerRefOf(other)?.uid !== ref.uid) continue;
      try {
        selectors.push(fromLabelSelector(rsSpec(other).selector));
      } catch {
        // An unparsable selector relates nothing.
      }
    }
    return pods.filter((p) => selectors.some((s) => s.length > 0 && matches(s, p.metadata.labels)));
  }

  /** Adopts orphans and releases pods that stopped matching; resolves to the pods the set manages. */
  private async adoptAndRelease(key: string, rs: KubeObject, plan: Plan): Promise<KubeObject[]> {
    const ns = rs.metadata.namespace!;
    const gone = new Set<KubeObject>();
    if (plan.adopt.length) {
      // An uncached read: adopt only while the set is the same object and not being deleted.
      const fresh = await this.api.replicaSets.get(ns, rs.metadata.name!);
      if (fresh.metadata.uid !== rs.metadata.uid) throw new Error(`original ReplicaSet ${ns}/${rs.metadata.name} is gone: got uid ${fresh.metadata.uid}, wanted ${rs.metadata.uid}`);
      if (fresh.metadata.deletionTimestamp) throw new Error(`${ns}/${rs.metadata.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    }
    for (const pod of plan.adopt) {
      try {
        const patch = { metadata: { ownerReferences: [rsControllerRef(rs)], uid: pod.metadata.uid } };
        this.expectations.expectRevision(key, this.informers.pods, await this.api.pods.patch(ns, pod.metadata.name!, 'strategic', patch, { fieldManager: FIELD_MANAGER }));
      } catch (e) {
        if (!is(e, 404, 409, 422)) throw e;
        gone.add(pod);
      }
    }
    for (const pod of plan.release) {
      try {
        const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: rs.metadata.uid }], uid: pod.metadata.uid } };
        this.expectations.expectRevision(key, this.informers.pods, await this.api.pods.patch(ns, pod.metadata.name!, 'strategic', patch, { fieldManager: FIELD_MANAGER }));
      } catch (e) {
        // Gone, or no longer ours: nothing to release.
        if (!is(e, 404, 409, 422)) throw e;
      }
    }
    return plan.pods.filter((p) => !gone.has(p));
  }

  /** Creates or deletes pods as planned; throws the first failure (recorded as ReplicaFailure). */
  private async manage(key: string, rs: KubeObject, plan: Plan): Promise<void> {
    const ns = rs.metadata.namespace!;
    if (plan.create > 0) {
      const template = podFromTemplate(rs);
      if (!Object.keys(template.metadata.labels ?? {}).length) throw new Error('unable to create pods, no labels');
      const { error } = await slowStartBatch(plan.create, SLOW_START_INITIAL, async () => {
        try {
          const created = await this.api.pods.create(ns, structuredClone(template), { fieldManager: FIELD_MANAGER });
          this.expectations.expectRevision(key, this.informers.pods, created);
          this.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
        } catch (e) {
          // Every later create would fail the same way; nothing to report.
          if (namespaceTerminating(e)) return;
          this.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${errText(e)}`);
          throw e;
        }
      });
      if (error !== undefined) throw error;
      return;
    }
    if (!plan.delete.length) return;
    const failures: unknown[] = [];
    await Promise.all(
      plan.delete.map(async (pod) => {
        try {
          const res = await this.api.pods.delete(ns, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
          if (res) this.expectations.expectRevision(key, this.informers.pods, res);
          this.expectations.expectGone(key, this.informers.pods, pod);
          this.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        } catch (e) {
          // Gone already, or replaced by another pod of that name: nothing to delete.
          if (is(e, 404, 409)) return;
          this.recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${errText(e)}`);
          failures.push(e);
        }
      }),
    );
    if (failures.length) throw failures[0];
  }

  /** Writes status when it changed; a conflict is retried once on a fresh read, as upstream. */
  private async writeStatus(key: string, rs: KubeObject, status: ReplicaSetStatus): Promise<void> {
    if (!statusNeedsWrite(rs, status)) return;
    let current = rs;
    for (let attempt = 0; ; attempt++) {
      try {
        const written = await this.api.replicaSets.updateStatus(rs.metadata.namespace!, { ...current, status: wireStatus(current, status) }, { fieldManager: FIELD_MANAGER });
        this.expectations.expectRevision(key, this.informers.replicaSets, written);
        return;
      } catch (e) {
        if (is(e, 404)) return;
        if (!is(e, 409) || attempt >= 1) throw e;
        current = await this.api.replicaSets.get(rs.metadata.namespace!, rs.metadata.name!);
        if (current.metadata.uid !== rs.metadata.uid) return;
      }
    }
  }
}
