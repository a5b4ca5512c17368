// The cluster role aggregation controller (pkg/controller/clusterroleaggregation): keeps the rules
// of every cluster role with an aggregationRule equal to the rules of the cluster roles its
// selectors pick. Any cluster role change may change what some aggregated role selects, so every
// change queues every aggregated role, as upstream does; the plan is in plan.ts.
import type { Client, ResourceClient } from '../../client/client.ts';
import { Informer } from '../../client/informer.ts';
import type { Clock } from '../../util/clock.ts';
import { WorkQueue, type ReconcileResult } from '../runtime/work-queue.ts';
import { aggregationRuleOf, planAggregation } from './plan.ts';

export interface ClusterRoleAggregationOptions {
  clock: Clock;
  log?: (m: string) => void;
}

export const FIELD_MANAGER = 'clusterrole-aggregation-controller';

export class ClusterRoleAggregationController {
  readonly clusterRoles: Informer;
  private readonly api: ResourceClient;
  private readonly queue: WorkQueue;

  constructor(client: Client, opts: ClusterRoleAggregationOptions) {
    const log = opts.log ?? (() => {});
    this.api = client.resource({ apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'clusterroles', namespaced: false });
    this.clusterRoles = new Informer(this.api, { clock: opts.clock, log });
    this.queue = new WorkQueue((key) => this.sync(key), { clock: opts.clock, log: (m) => log(`clusterrole-aggregation: ${m}`) });
    const enqueueAggregated = () => {
      for (const role of this.clusterRoles.list()) if (aggregationRuleOf(role)) this.queue.add(role.metadata.name!);
    };
    this.clusterRoles.addHandlers({ add: enqueueAggregated, update: enqueueAggregated, delete: enqueueAggregated });
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.clusterRoles.run(signal), this.queue.run(signal)]);
  }

  waitForSync(): Promise<void> {
    return this.clusterRoles.waitForSync();
  }

  /** Writes the planned rules; a conflict (the cache was stale) fails the sync and retries. */
  private async sync(name: string): Promise<ReconcileResult> {
    // Aggregating from a half-filled cache would drop rules until the next change.
    if (!this.clusterRoles.hasSynced) return { requeueAfter: 50 };
    const role = this.clusterRoles.get('', name);
    if (!role) return;
    const rules = planAggregation(role, this.clusterRoles.list());
    if (!rules) return;
    await this.api.update('', { ...structuredClone(role), rules }, { fieldManager: FIELD_MANAGER });
  }
}
