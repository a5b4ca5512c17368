// The ReplicaSet controller (pkg/controller/replicaset/replica_set.go): informers on ReplicaSets
// and Pods; every event is mapped to the `namespace/name` of the set it concerns and queued;
// reconcile.ts does the work. Pods map through their controller reference (uid checked), orphans
// to every set whose selector matches.
import { ownersSelecting, resolveControllerRef } from '../runtime/owners.ts';
import { fromLabelSelector } from '../../api/meta/labels.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { Client } from '../../client/client.ts';
import { Informer, objectKeyOf } from '../../client/informer.ts';
import { semanticEqual } from '../../api/validation/json.ts';
import type { Clock } from '../../util/clock.ts';
import { EventRecorder } from '../runtime/event-recorder.ts';
import { WorkQueue } from '../runtime/work-queue.ts';
import { Expectations } from '../statefulset/expectations.ts';
import { isPodReady } from './rank.ts';
import { ReplicaSetReconciler, type ReplicaSetInformers } from './reconcile.ts';
import { controllerRefOf, rsSpec } from './types.ts';

export interface ReplicaSetControllerOptions {
  clock: Clock;
  /** A shared pod informer the caller runs; one is created and run here when absent. */
  pods?: Informer;
  /** Sets synced at once (upstream --concurrent-replicaset-syncs, default 5). */
  workers?: number;
  /** Pods created or deleted per sync at most (upstream 500). */
  burst?: number;
  log?: (m: string) => void;
}

export class ReplicaSetController {
  readonly informers: ReplicaSetInformers;
  private readonly ownPods: boolean;
  private readonly queue: WorkQueue;
  private readonly expectations: Expectations;
  private readonly log: (m: string) => void;

  constructor(client: Client, opts: ReplicaSetControllerOptions) {
    this.log = opts.log ?? (() => {});
    const rc = (apiVersion: string, resource: string) => client.resource({ apiVersion, resource, namespaced: true });
    const api = { replicaSets: rc('apps/v1', 'replicasets'), pods: rc('v1', 'pods') };
    this.ownPods = !opts.pods;
    this.informers = {
      replicaSets: new Informer(api.replicaSets, { clock: opts.clock, log: this.log }),
      pods: opts.pods ?? new Informer(api.pods, { clock: opts.clock, log: this.log }),
    };
    this.expectations = new Expectations(opts.clock);
    const recorder = new EventRecorder(client, { component: 'replicaset-controller' }, opts.clock, this.log);
    const reconciler = new ReplicaSetReconciler(api, this.informers, recorder, this.expectations, { clock: opts.clock, burst: opts.burst, log: this.log });
    this.queue = new WorkQueue((key) => reconciler.sync(key), { clock: opts.clock, workers: opts.workers ?? 5, log: (m) => this.log(`replicaset: ${m}`) });
    this.wire();
  }

  /** Runs the informers and the queue until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const { replicaSets, pods } = this.informers;
    await Promise.all([replicaSets.run(signal), this.ownPods ? pods.run(signal) : undefined, this.queue.run(signal)]);
  }

  waitForSync(): Promise<void> {
    return Promise.all(Object.values(this.informers).map((i) => i.waitForSync())).then(() => undefined);
  }

  private enqueue = (rs: KubeObject) => this.queue.add(objectKeyOf(rs));

  private ownerOf = (pod: KubeObject) => resolveControllerRef(pod, this.informers.replicaSets, 'ReplicaSet', 'apps');

  /** Sets whose selector matches an orphan's labels (getPodReplicaSets). */
  private setsSelecting = (pod: KubeObject) => ownersSelecting(pod, this.informers.replicaSets, (rs) => fromLabelSelector(rsSpec(rs).selector));

  private enqueueFor(pod: KubeObject): void {
    if (controllerRefOf(pod)) {
      const owner = this.ownerOf(pod);
      if (owner) this.enqueue(owner);
      return;
    }
    for (const rs of this.setsSelecting(pod)) this.enqueue(rs);
  }

  /** Sets with outstanding expectations go again once the caches show their writes. */
  private recheckExpectations(): void {
    for (const key of this.expectations.keys()) if (this.expectations.satisfied(key)) this.queue.add(key);
  }

  private wire(): void {
    const { replicaSets, pods } = this.informers;
    replicaSets.addHandlers({
      add: this.enqueue,
      update: (_o, rs) => {
        this.enqueue(rs);
        this.recheckExpectations();
      },
      delete: (rs) => this.expectations.clear(objectKeyOf(rs)),
    });
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
        if (oldRef && oldRef.uid !== ref?.uid) {
          const prev = this.ownerOf(old);
          if (prev) this.enqueue(prev);
        }
        if (ref) {
          const owner = this.ownerOf(p);
          if (owner) {
            this.enqueue(owner);
            // A pod just became ready: it becomes available after minReadySeconds.
            const minReady = rsSpec(owner).minReadySeconds ?? 0;
            if (minReady > 0 && !isPodReady(old) && isPodReady(p)) this.queue.addAfter(objectKeyOf(owner), minReady * 1000 + 1000);
          }
        } else if (oldRef || !semanticEqual(old.metadata.labels ?? {}, p.metadata.labels ?? {})) {
          for (const rs of this.setsSelecting(p)) this.enqueue(rs);
        }
        this.recheckExpectations();
      },
      delete: (p) => {
        this.expectations.observePod(p, true);
        this.enqueueFor(p);
        this.recheckExpectations();
      },
    });
  }
}
