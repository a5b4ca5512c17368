// The StatefulSet controller (pkg/controller/statefulset/stateful_set.go): informers on
// StatefulSets, Pods, PersistentVolumeClaims and ControllerRevisions; every event is mapped to
// the `namespace/name` of the set it concerns and queued; reconcile.ts does the work.
// Pods and revisions map through their controller reference (uid checked), orphans to every set
// whose selector matches; claims to the sets whose templates would name them.
import { ownersSelecting, resolveControllerRef } from '../runtime/owners.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { Client } from '../../client/client.ts';
import { Informer, objectKeyOf } from '../../client/informer.ts';
import type { Clock } from '../../util/clock.ts';
import { EventRecorder } from '../runtime/event-recorder.ts';
import { WorkQueue } from '../runtime/work-queue.ts';
import { Expectations } from './expectations.ts';
import { isReady, selectorOf } from './identity.ts';
import { StatefulSetReconciler, type StatefulSetInformers } from './reconcile.ts';
import { controllerRefOf, setSpec } from './types.ts';

export interface StatefulSetControllerOptions {
  clock: Clock;
  /** A shared pod informer the caller runs; one is created and run here when absent. */
  pods?: Informer;
  /** Sets synced at once (upstream --concurrent-statefulset-syncs, default 5). */
  workers?: number;
  /** Writes in flight at once for a Parallel set. */
  burst?: number;
  /** MaxUnavailableStatefulSet gate (default on, as 1.35). */
  maxUnavailable?: boolean;
  log?: (m: string) => void;
}

const MAX_PACE_MS = 1000;

export class StatefulSetController {
  readonly informers: StatefulSetInformers;
  private readonly ownPods: boolean;
  private readonly queue: WorkQueue;
  private readonly expectations: Expectations;
  private readonly log: (m: string) => void;

  constructor(
    client: Client,
    private readonly opts: StatefulSetControllerOptions,
  ) {
    this.log = opts.log ?? (() => {});
    const rc = (apiVersion: string, resource: string) => client.resource({ apiVersion, resource, namespaced: true });
    const api = { sets: rc('apps/v1', 'statefulsets'), pods: rc('v1', 'pods'), claims: rc('v1', 'persistentvolumeclaims'), revisions: rc('apps/v1', 'controllerrevisions') };
    const informer = (r: (typeof api)[keyof typeof api]) => new Informer(r, { clock: opts.clock, log: this.log });
    this.ownPods = !opts.pods;
    this.informers = { sets: informer(api.sets), pods: opts.pods ?? informer(api.pods), claims: informer(api.claims), revisions: informer(api.revisions) };
    this.expectations = new Expectations(opts.clock);
    const recorder = new EventRecorder(client, { component: 'statefulset-controller' }, opts.clock, this.log);
    const reconciler = new StatefulSetReconciler(api, this.informers, recorder, this.expectations, {
      clock: opts.clock,
      burst: opts.burst,
      maxUnavailable: opts.maxUnavailable,
      log: this.log,
    });
    this.queue = new WorkQueue((key) => reconciler.sync(key), {
      clock: opts.clock,
      workers: opts.workers ?? 5,
      // A set's sync reads all its pods: under a storm of pod events, spend at most about a tenth
      // of the time planning it (a 3-pod set waits microseconds, 10,000 pods some tens of ms).
      dirtyDelay: (key) => Math.min(MAX_PACE_MS, 10 * reconciler.planMs(key)),
      log: (m) => this.log(`statefulset: ${m}`),
    });
    this.wire();
  }

  /** Runs the informers and the queue until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const { sets, pods, claims, revisions } = this.informers;
    await Promise.all([sets.run(signal), claims.run(signal), revisions.run(signal), this.ownPods ? pods.run(signal) : undefined, this.queue.run(signal)]);
  }

  waitForSync(): Promise<void> {
    return Promise.all(Object.values(this.informers).map((i) => i.waitForSync())).then(() => undefined);
  }

  private enqueue = (set: KubeObject) => this.queue.add(objectKeyOf(set));

  private ownerOf = (o: KubeObject) => resolveControllerRef(o, this.informers.sets, 'StatefulSet', 'apps');

  /** Sets whose selector matches an orphan's labels (getStatefulSetsForPod). */
  private setsSelecting = (o: KubeObject) => ownersSelecting(o, this.informers.sets, selectorOf);

  private enqueueFor(o: KubeObject): void {
    if (controllerRefOf(o)) {
      const owner = this.ownerOf(o);
      if (owner) this.enqueue(owner);
      return;
    }
    for (const set of this.setsSelecting(o)) this.enqueue(set);
  }

  /** Sets with outstanding expectations go again once the caches show their writes. */
  private recheckExpectations(): void {
    for (const key of this.expectations.keys()) if (this.expectations.satisfied(key)) this.queue.add(key);
  }

  private wire(): void {
    const { sets, pods, claims, revisions } = this.informers;
    sets.addHandlers({ add: this.enqueue, update: (_o, s) => this.enqueue(s), delete: (s) => this.expectations.clear(objectKeyOf(s)) });
    sets.addHandlers({ update: () => this.recheckExpectations() });
    pods.addHandlers({
      add: (p) => {
        this.expectations.observePod(p, false);
        this.enqueueFor(p);
        this.recheckExpectations();
      },
      update: (old, p) => {
        this.expectations.observePod(p, false);
        const oldRef = controllerRefOf(old);
        const ref = controllerRefOf(p);
        const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(p.metadata.labels ?? {});
        if (oldRef && oldRef.uid !== ref?.uid) {
          const prev = this.ownerOf(old);
          if (prev) this.enqueue(prev);
        }
        if (ref) {
          const owner = this.ownerOf(p);
          if (owner) {
            this.enqueue(owner);
            // A pod just became ready: it becomes available after minReadySeconds.
            const minReady = setSpec(owner).minReadySeconds ?? 0;
            if (minReady > 0 && !isReady(old) && isReady(p)) this.queue.addAfter(objectKeyOf(owner), minReady * 1000 + 1000);
          }
        } else if (labelsChanged || oldRef) {
          for (const set of this.setsSelecting(p)) this.enqueue(set);
        }
        this.recheckExpectations();
      },
      delete: (p) => {
        this.expectations.observePod(p, true);
        this.enqueueFor(p);
        this.recheckExpectations();
      },
    });
    revisions.addHandlers({
      add: (r) => this.enqueueFor(r),
      update: (_o, r) => this.enqueueFor(r),
      delete: (r) => this.enqueueFor(r),
    });
    revisions.addHandlers({ add: () => this.recheckExpectations(), update: () => this.recheckExpectations() });
    // Claims: a claim deleted or going away may unblock a pod's creation or need re-creating.
    const claimChanged = (c: KubeObject) => {
      for (const set of sets.list(c.metadata.namespace)) {
        const name = c.metadata.name ?? '';
        if ((setSpec(set).volumeClaimTemplates ?? []).some((t) => name.startsWith(`${t.metadata.name}-${set.metadata.name}-`))) this.enqueue(set);
      }
      this.recheckExpectations();
    };
    claims.addHandlers({ add: () => this.recheckExpectations(), update: (_o, c) => claimChanged(c), delete: claimChanged });
  }
}
