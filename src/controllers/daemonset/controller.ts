// The DaemonSet controller (pkg/controller/daemon/daemon_controller.go): informers on DaemonSets,
// ControllerRevisions, Pods and Nodes; every event is mapped to the `namespace/name` of the
// DaemonSets it concerns and queued; reconcile.ts does the work.
// Pods and revisions map through their controller reference (uid checked), orphans to every
// DaemonSet whose selector matches. A node added wakes the DaemonSets that should run on it; a
// node changed wakes those whose placement on it changed; a node removed, those it could run.
import { ownersSelecting, resolveControllerRef } from '../runtime/owners.ts';
import { fromLabelSelector } from '../../api/meta/labels.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { Client } from '../../client/client.ts';
import { Informer, objectKeyOf } from '../../client/informer.ts';
import type { Clock } from '../../util/clock.ts';
import { EventRecorder } from '../runtime/event-recorder.ts';
import { WorkQueue } from '../runtime/work-queue.ts';
import { Expectations } from '../statefulset/expectations.ts';
import { isReady } from '../statefulset/identity.ts';
import { Backoff } from './backoff.ts';
import { nodeShouldRunDaemonPod } from './placement.ts';
import { DaemonSetReconciler, type DaemonSetInformers } from './reconcile.ts';
import { controllerRefOf, dsSpec, taintsOf } from './types.ts';

export interface DaemonSetControllerOptions {
  clock: Clock;
  /** Shared informers the caller runs; those absent are created and run here. */
  pods?: Informer;
  nodes?: Informer;
  /** DaemonSets synced at once (upstream --concurrent-daemonset-syncs, default 2). */
  workers?: number;
  /** Creates and deletes per sync at most (upstream BurstReplicas, 250). */
  burst?: number;
  log?: (m: string) => void;
}

const BACKOFF_GC_MS = 60_000;
const MAX_PACE_MS = 1000;

export class DaemonSetController {
  readonly informers: DaemonSetInformers;
  private readonly owned: Informer[];
  private readonly queue: WorkQueue;
  private readonly expectations: Expectations;
  private readonly backoff: Backoff;
  private readonly log: (m: string) => void;

  constructor(
    client: Client,
    private readonly opts: DaemonSetControllerOptions,
  ) {
    this.log = opts.log ?? (() => {});
    const rc = (apiVersion: string, resource: string, namespaced = true) => client.resource({ apiVersion, resource, namespaced });
    const api = { daemonSets: rc('apps/v1', 'daemonsets'), pods: rc('v1', 'pods'), revisions: rc('apps/v1', 'controllerrevisions') };
    const informer = (r: ReturnType<typeof rc>) => new Informer(r, { clock: opts.clock, log: this.log });
    const pods = opts.pods ?? informer(api.pods);
    const nodes = opts.nodes ?? informer(rc('v1', 'nodes', false));
    this.informers = { daemonSets: informer(api.daemonSets), revisions: informer(api.revisions), pods, nodes };
    this.owned = [this.informers.daemonSets, this.informers.revisions, ...(opts.pods ? [] : [pods]), ...(opts.nodes ? [] : [nodes])];
    this.expectations = new Expectations(opts.clock);
    this.backoff = new Backoff(opts.clock);
    const recorder = new EventRecorder(client, { component: 'daemonset-controller' }, opts.clock, this.log);
    const reconciler = new DaemonSetReconciler(api, this.informers, recorder, this.expectations, this.backoff, { clock: opts.clock, burst: opts.burst, log: this.log });
    this.queue = new WorkQueue((key) => reconciler.sync(key), {
      clock: opts.clock,
      workers: opts.workers ?? 2,
      // A sync reads every node and pod of the DaemonSet: under a storm of pod and node events,
      // spend at most about a tenth of the time planning it.
      dirtyDelay: (key) => Math.min(MAX_PACE_MS, 10 * reconciler.planMs(key)),
      log: (m) => this.log(`daemonset: ${m}`),
    });
    this.wire();
  }

  /** Runs the informers it owns, the queue and the back-off GC until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const gc = () => {
      if (signal.aborted) return;
      this.backoff.gc();
      cancel = this.opts.clock.setTimer(gc, BACKOFF_GC_MS);
    };
    let cancel = this.opts.clock.setTimer(gc, BACKOFF_GC_MS);
    signal.addEventListener('abort', () => cancel(), { once: true });
    await Promise.all([...this.owned.map((i) => i.run(signal)), this.queue.run(signal)]);
  }

  waitForSync(): Promise<void> {
    return Promise.all(Object.values(this.informers).map((i) => i.waitForSync())).then(() => undefined);
  }

  private enqueue = (ds: KubeObject) => this.queue.add(objectKeyOf(ds));

  /** The DaemonSet a controller reference names, by kind alone as upstream's daemon controller. */
  private ownerOf = (o: KubeObject) => resolveControllerRef(o, this.informers.daemonSets, 'DaemonSet');

  /** DaemonSets whose selector matches an orphan's labels (GetPodDaemonSets). */
  private selecting = (o: KubeObject) => ownersSelecting(o, this.informers.daemonSets, (ds) => fromLabelSelector(dsSpec(ds).selector));

  /** DaemonSets with outstanding expectations go again once the caches show their writes. */
  private recheckExpectations(): void {
    for (const key of this.expectations.keys()) if (this.expectations.satisfied(key)) this.queue.add(key);
  }

  private podChanged(old: KubeObject | undefined, pod: KubeObject, deleted: boolean): void {
    this.expectations.observePod(pod, deleted);
    const oldRef = old && controllerRefOf(old);
    const ref = controllerRefOf(pod);
    if (old && oldRef && oldRef.uid !== ref?.uid) {
      const prev = this.ownerOf(old);
      if (prev) this.enqueue(prev);
    }
    if (ref) {
      const owner = this.ownerOf(pod);
      if (owner) {
        this.enqueue(owner);
        // A pod just became ready: it becomes available after minReadySeconds.
        const minReady = dsSpec(owner).minReadySeconds ?? 0;
        if (old && minReady > 0 && !isReady(old) && isReady(pod)) this.queue.addAfter(objectKeyOf(owner), minReady * 1000 + 1000);
      }
    } else if (!deleted && (!old || oldRef || JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {}))) {
      // An orphan: whoever selects it may adopt it. No one waits for an orphan's deletion.
      for (const ds of this.selecting(pod)) this.enqueue(ds);
    }
    this.recheckExpectations();
  }

  private revisionChanged(old: KubeObject | undefined, r: KubeObject, deleted: boolean): void {
    const oldRef = old && controllerRefOf(old);
    if (old && oldRef && oldRef.uid !== controllerRefOf(r)?.uid) {
      const prev = this.ownerOf(old);
      if (prev) this.enqueue(prev);
    }
    if (controllerRefOf(r)) {
      const owner = this.ownerOf(r);
      if (owner) this.enqueue(owner);
    } else if (!deleted) for (const ds of this.selecting(r)) this.enqueue(ds);
    this.recheckExpectations();
  }

  private wire(): void {
    const { daemonSets, revisions, pods, nodes } = this.informers;
    daemonSets.addHandlers({
      add: this.enqueue,
      update: (old, ds) => {
        // Deleted and created again under the same name: a fresh start.
        if (old.metadata.uid !== ds.metadata.uid) this.expectations.clear(objectKeyOf(old));
        this.enqueue(ds);
        this.recheckExpectations();
      },
      delete: (ds) => {
        this.expectations.clear(objectKeyOf(ds));
        this.enqueue(ds);
      },
    });
    pods.addHandlers({
      add: (p) => this.podChanged(undefined, p, false),
      update: (old, p) => this.podChanged(old, p, false),
      delete: (p) => this.podChanged(undefined, p, true),
    });
    revisions.addHandlers({
      add: (r) => this.revisionChanged(undefined, r, false),
      update: (old, r) => this.revisionChanged(old, r, false),
      delete: (r) => this.revisionChanged(undefined, r, true),
    });
    nodes.addHandlers({
      add: (n) => {
        for (const ds of daemonSets.list()) if (nodeShouldRunDaemonPod(n, ds).shouldRun) this.enqueue(ds);
      },
      update: (old, n) => {
        // Placement reads only the name, labels and taints: heartbeats wake nobody.
        if (JSON.stringify(old.metadata.labels ?? {}) === JSON.stringify(n.metadata.labels ?? {}) && JSON.stringify(taintsOf(old)) === JSON.stringify(taintsOf(n))) return;
        for (const ds of daemonSets.list()) {
          const before = nodeShouldRunDaemonPod(old, ds);
          const after = nodeShouldRunDaemonPod(n, ds);
          if (before.shouldRun !== after.shouldRun || before.shouldContinueRunning !== after.shouldContinueRunning) this.enqueue(ds);
        }
      },
      // Not upstream, which waits for pod GC's deletions: the counts drop the node at once, and
      // pods still waiting to be scheduled onto it are deleted.
      delete: (n) => {
        for (const ds of daemonSets.list()) if (nodeShouldRunDaemonPod(n, ds).shouldContinueRunning) this.enqueue(ds);
      },
    });
  }
}
