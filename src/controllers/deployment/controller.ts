// The Deployment controller (pkg/controller/deployment/deployment_controller.go): informers on
// Deployments, ReplicaSets and Pods; every event is mapped to the `namespace/name` of the
// Deployment it concerns and queued; reconcile.ts does the work. ReplicaSets map through their
// controller reference (uid checked), orphans to every Deployment whose selector matches; a pod
// deletion wakes a Recreate Deployment waiting for its old pods to go.
import { ownersSelecting, resolveControllerRef } from '../runtime/owners.ts';
import { fromLabelSelector } from '../../api/meta/labels.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { Client } from '../../client/client.ts';
import { Informer, objectKeyOf } from '../../client/informer.ts';
import { semanticEqual } from '../../api/validation/json.ts';
import type { Clock } from '../../util/clock.ts';
import { EventRecorder } from '../runtime/event-recorder.ts';
import { WorkQueue } from '../runtime/work-queue.ts';
import { controllerRefOf } from '../replicaset/types.ts';
import { Expectations } from '../statefulset/expectations.ts';
import { DeploymentReconciler, type DeploymentInformers } from './reconcile.ts';
import { dSpec } from './types.ts';

export interface DeploymentControllerOptions {
  clock: Clock;
  /** A shared pod informer the caller runs; one is created and run here when absent. */
  pods?: Informer;
  /** A shared ReplicaSet informer the caller runs (the ReplicaSet controller's); one is created and run here when absent. */
  replicaSets?: Informer;
  /** Deployments synced at once (upstream --concurrent-deployment-syncs, default 5). */
  workers?: number;
  log?: (m: string) => void;
}

export class DeploymentController {
  readonly informers: DeploymentInformers;
  private readonly owned: Informer[] = [];
  private readonly queue: WorkQueue;
  private readonly expectations: Expectations;
  private readonly log: (m: string) => void;

  constructor(client: Client, opts: DeploymentControllerOptions) {
    this.log = opts.log ?? (() => {});
    const rc = (apiVersion: string, resource: string) => client.resource({ apiVersion, resource, namespaced: true });
    const api = { deployments: rc('apps/v1', 'deployments'), replicaSets: rc('apps/v1', 'replicasets') };
    const informer = (r: ReturnType<typeof rc>) => {
      const i = new Informer(r, { clock: opts.clock, log: this.log });
      this.owned.push(i);
      return i;
    };
    this.informers = {
      deployments: informer(api.deployments),
      replicaSets: opts.replicaSets ?? informer(api.replicaSets),
      pods: opts.pods ?? informer(rc('v1', 'pods')),
    };
    this.expectations = new Expectations(opts.clock);
    const recorder = new EventRecorder(client, { component: 'deployment-controller' }, opts.clock, this.log);
    const reconciler = new DeploymentReconciler(api, this.informers, recorder, this.expectations, { clock: opts.clock, log: this.log });
    this.queue = new WorkQueue((key) => reconciler.sync(key), { clock: opts.clock, workers: opts.workers ?? 5, log: (m) => this.log(`deployment: ${m}`) });
    this.wire();
  }

  /** Runs the informers it created and the queue until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([...this.owned.map((i) => i.run(signal)), this.queue.run(signal)]);
  }

  waitForSync(): Promise<void> {
    return Promise.all(Object.values(this.informers).map((i) => i.waitForSync())).then(() => undefined);
  }

  private enqueue = (d: KubeObject) => this.queue.add(objectKeyOf(d));

  /** Deployments whose selector matches an orphan ReplicaSet (getDeploymentsForReplicaSet). */
  private deploymentsSelecting = (rs: KubeObject) => ownersSelecting(rs, this.informers.deployments, (d) => fromLabelSelector(dSpec(d).selector));

  private enqueueFor(rs: KubeObject): void {
    if (controllerRefOf(rs)) {
      const owner = resolveControllerRef(rs, this.informers.deployments, 'Deployment', 'apps');
      if (owner) this.enqueue(owner);
      return;
    }
    for (const d of this.deploymentsSelecting(rs)) this.enqueue(d);
  }

  /** Deployments with outstanding expectations go again once the caches show their writes. */
  private recheckExpectations(): void {
    for (const key of this.expectations.keys()) if (this.expectations.satisfied(key)) this.queue.add(key);
  }

  private wire(): void {
    const { deployments, replicaSets, pods } = this.informers;
    deployments.addHandlers({
      add: this.enqueue,
      update: (_o, d) => {
        this.enqueue(d);
        this.recheckExpectations();
      },
      delete: (d) => this.expectations.clear(objectKeyOf(d)),
    });
    replicaSets.addHandlers({
      add: (rs) => {
        this.enqueueFor(rs);
        this.recheckExpectations();
      },
      update: (old, rs) => {
        const oldRef = controllerRefOf(old);
        if (oldRef && oldRef.uid !== controllerRefOf(rs)?.uid) {
          const prev = resolveControllerRef(old, deployments, 'Deployment', 'apps');
          if (prev) this.enqueue(prev);
        }
        if (controllerRefOf(rs)) this.enqueueFor(rs);
        else if (oldRef || !semanticEqual(old.metadata.labels ?? {}, rs.metadata.labels ?? {})) this.enqueueFor(rs);
        this.recheckExpectations();
      },
      delete: (rs) => {
        this.expectations.observePod(rs, true);
        this.enqueueFor(rs);
        this.recheckExpectations();
      },
    });
    pods.addHandlers({
      delete: (p) => {
        const rs = resolveControllerRef(p, replicaSets, 'ReplicaSet', 'apps');
        const d = rs && resolveControllerRef(rs, deployments, 'Deployment', 'apps');
        if (d && dSpec(d).strategy?.type === 'Recreate') this.enqueue(d);
      },
    });
  }
}
