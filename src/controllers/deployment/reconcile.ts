// One sync of a Deployment (pkg/controller/deployment/deployment_controller.go syncDeployment,
// getReplicaSetsForDeployment, getPodMapForDeployment; sync.go getNewReplicaSet's create path):
// read the caches, adopt and release ReplicaSets, plan, run the planned writes in order, then
// write the status with the revision annotation. Writes go through the client; expectations keep
// the next sync off a stale cache.
import { ApiError } from '../../api/errors.ts';
import { fromLabelSelector, matches, SelectorParseError, type Selector } from '../../api/meta/labels.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { ResourceClient } from '../../client/client.ts';
import type { Informer } from '../../client/informer.ts';
import { rfc3339, type Clock } from '../../util/clock.ts';
import type { EventRecorder } from '../runtime/event-recorder.ts';
import type { ReconcileResult } from '../runtime/work-queue.ts';
import { claimPods as claimObjects } from '../replicaset/plan.ts';
import { controllerRefOf, rsSpec } from '../replicaset/types.ts';
import type { Expectations } from '../statefulset/expectations.ts';
import { hasProgressDeadline, planDeployment, type Plan, type Step } from './plan.ts';
import { equalIgnoreHash, newCondition, setCondition } from './replica-sets.ts';
import { deploymentControllerRef, dSpec, dStatus, REVISION, type DeploymentStatus } from './types.ts';

export interface DeploymentApis {
  deployments: ResourceClient;
  replicaSets: ResourceClient;
}

export interface DeploymentInformers {
  deployments: Informer;
  replicaSets: Informer;
  pods: Informer;
}

const FIELD_MANAGER = 'kube-controller-manager';
const is = (e: unknown, ...codes: number[]) => e instanceof ApiError && codes.includes(e.code);
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class DeploymentReconciler {
  constructor(
    private readonly api: DeploymentApis,
    private readonly informers: DeploymentInformers,
    private readonly recorder: EventRecorder,
    private readonly expectations: Expectations,
    private readonly opts: { clock: Clock; log?: (m: string) => void },
  ) {}

  async sync(key: string): Promise<ReconcileResult> {
    const [ns, name] = key.split('/') as [string, string];
    const d = this.informers.deployments.get(ns, name);
    if (!d) {
      this.expectations.clear(key);
      return;
    }
    // Wait for the caches to show this Deployment's last writes; an event or this timer brings it back.
    if (!this.expectations.satisfied(key)) return { requeueAfter: 1000 };
    let selector: Selector;
    try {
      selector = fromLabelSelector(dSpec(d).selector);
    } catch (e) {
      if (e instanceof SelectorParseError) return this.opts.log?.(`deployment ${key}: invalid selector: ${e.message}`);
      throw e;
    }
    const sets = selector.length ? await this.claimReplicaSets(key, d, selector) : [];
    const uids = new Set(sets.map((rs) => rs.metadata.uid!));
    const podsBySet = new Map<string, KubeObject[]>();
    for (const p of this.informers.pods.list(ns)) {
      const uid = controllerRefOf(p)?.uid;
      if (!uid || !uids.has(uid) || !matches(selector, p.metadata.labels)) continue;
      (podsBySet.get(uid) ?? podsBySet.set(uid, []).get(uid)!).push(p);
    }
    const plan = planDeployment({ deployment: d, replicaSets: sets, podsBySet, now: this.opts.clock.now() });
    for (const ev of plan.events) this.recorder.event(d, ev.type, ev.reason, ev.message);
    const created = new Map<string, KubeObject>();
    for (const step of plan.steps) await this.execute(key, d, step, created);
    await this.writeStatus(key, d, plan);
    return plan.requeueAfterMs !== undefined ? { requeueAfter: plan.requeueAfterMs } : undefined;
  }

  /**
   * The ReplicaSets the Deployment manages (ClaimReplicaSets): owned ones matching the selector;
   * matching orphans are adopted after an uncached check that the Deployment is the same and not
   * being deleted; owned ones that stopped matching are released.
   */
  private async claimReplicaSets(key: string, d: KubeObject, selector: Selector): Promise<KubeObject[]> {
    const ns = d.metadata.namespace!;
    const claimed = claimObjects(d, selector, this.informers.replicaSets.list(ns));
    const out = claimed.pods.filter((rs) => !claimed.adopt.includes(rs));
    if (claimed.adopt.length) {
      const fresh = await this.api.deployments.get(ns, d.metadata.name!);
      if (fresh.metadata.uid !== d.metadata.uid) throw new Error(`original Deployment ${ns}/${d.metadata.name} is gone: got uid ${fresh.metadata.uid}, wanted ${d.metadata.uid}`);
      if (fresh.metadata.deletionTimestamp) throw new Error(`${ns}/${d.metadata.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    }
    for (const rs of claimed.adopt) {
      try {
        const patch = { metadata: { ownerReferences: [deploymentControllerRef(d)], uid: rs.metadata.uid } };
        const adopted = await this.api.replicaSets.patch(ns, rs.metadata.name!, 'strategic', patch, { fieldManager: FIELD_MANAGER });
        this.expectations.expectRevision(key, this.informers.replicaSets, adopted);
        out.push(adopted);
      } catch (e) {
        if (!is(e, 404, 409, 422)) throw e;
      }
    }
    for (const rs of claimed.release) {
      try {
        const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: d.metadata.uid }], uid: rs.metadata.uid } };
        this.expectations.expectRevision(key, this.informers.replicaSets, await this.api.replicaSets.patch(ns, rs.metadata.name!, 'strategic', patch, { fieldManager: FIELD_MANAGER }));
      } catch (e) {
        if (!is(e, 404, 409, 422)) throw e;
      }
    }
    return out;
  }

  private async execute(key: string, d: KubeObject, step: Step, created: Map<string, KubeObject>): Promise<void> {
    const ns = d.metadata.namespace!;
    switch (step.kind) {
      case 'createReplicaSet': {
        const body = structuredClone(step.rs);
        delete body.metadata.uid;
        delete body.status;
        let rs: KubeObject;
        try {
          rs = await this.api.replicaSets.create(ns, body, { fieldManager: FIELD_MANAGER });
        } catch (e) {
          if (is(e, 409)) {
            rs = await this.collision(key, d, step.rs);
          } else {
            await this.createFailed(key, d, step.rs, e);
            throw e;
          }
        }
        this.expectations.expectRevision(key, this.informers.replicaSets, rs);
        created.set(step.rs.metadata.uid!, rs);
        if (step.event) this.recorder.event(d, step.event.type, step.event.reason, step.event.message);
        return;
      }
      case 'updateReplicaSet': {
        const made = created.get(step.rs.metadata.uid!);
        const body = made ? { ...step.rs, metadata: { ...step.rs.metadata, uid: made.metadata.uid, resourceVersion: made.metadata.resourceVersion } } : step.rs;
        const written = await this.api.replicaSets.update(ns, body, { fieldManager: FIELD_MANAGER });
        this.expectations.expectRevision(key, this.informers.replicaSets, written);
        if (made) created.set(step.rs.metadata.uid!, written);
        if (step.event) this.recorder.event(d, step.event.type, step.event.reason, step.event.message);
        return;
      }
      case 'deleteReplicaSet':
        try {
          const res = await this.api.replicaSets.delete(ns, step.rs.metadata.name!, { preconditions: { uid: step.rs.metadata.uid } });
          if (res) this.expectations.expectRevision(key, this.informers.replicaSets, res);
          this.expectations.expectGone(key, this.informers.replicaSets, step.rs);
        } catch (e) {
          if (!is(e, 404, 409)) throw e;
        }
        return;
      case 'updateDeployment': {
        const written = await this.api.deployments.update(ns, step.deployment, { fieldManager: FIELD_MANAGER });
        this.expectations.expectRevision(key, this.informers.deployments, written);
        if (step.event) this.recorder.event(d, step.event.type, step.event.reason, step.event.message);
        return;
      }
    }
  }

  /**
   * The new ReplicaSet's name is taken. Ours with this template (a cache behind): use it. Another
   * template: a hash collision; the collision count goes up in status and the sync fails, so the
   * next one tries the next name.
   */
  private async collision(key: string, d: KubeObject, rs: KubeObject): Promise<KubeObject> {
    const ns = d.metadata.namespace!;
    const existing = await this.api.replicaSets.find(ns, rs.metadata.name!);
    if (existing && controllerRefOf(existing)?.uid === d.metadata.uid && equalIgnoreHash(dSpec(d).template, rsSpec(existing).template)) return existing;
    await this.updateStatus(key, d, (s) => {
      s.collisionCount = (s.collisionCount ?? 0) + 1;
    });
    throw new Error(`replicasets.apps "${rs.metadata.name}" already exists: hash collision for deployment ${ns}/${d.metadata.name}, collision count raised`);
  }

  /** A create the server refused (not a collision): ReplicaSetCreateError in status and an event. */
  private async createFailed(key: string, d: KubeObject, rs: KubeObject, err: unknown): Promise<void> {
    if (is(err, 403) && /because it is being terminated/.test(errText(err))) return;
    const msg = `Failed to create new replica set "${rs.metadata.name}": ${errText(err)}`;
    if (hasProgressDeadline(d)) {
      const stamp = rfc3339(this.opts.clock.now());
      await this.updateStatus(key, d, (s) => setCondition(s, newCondition('Progressing', 'False', 'ReplicaSetCreateError', msg, stamp))).catch(() => {});
    }
    this.recorder.event(d, 'Warning', 'ReplicaSetCreateError', msg);
  }

  private async writeStatus(key: string, d: KubeObject, plan: Plan): Promise<void> {
    if (!plan.status && plan.revision === undefined) return;
    await this.updateStatus(
      key,
      d,
      (s, obj) => {
        if (plan.status) {
          for (const k of Object.keys(s)) delete (s as Record<string, unknown>)[k];
          Object.assign(s, structuredClone(plan.status));
        }
        if (plan.revision !== undefined) obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [REVISION]: plan.revision };
      },
      plan.steps.some((s) => s.kind === 'updateDeployment'),
    );
  }

  /** A status write (with metadata) from the cached object, retried on a fresh read after a conflict. */
  private async updateStatus(key: string, d: KubeObject, change: (s: DeploymentStatus, obj: KubeObject) => void, fresh = false): Promise<void> {
    const ns = d.metadata.namespace!;
    let current = fresh ? await this.api.deployments.get(ns, d.metadata.name!) : d;
    for (let attempt = 0; ; attempt++) {
      if (current.metadata.uid !== d.metadata.uid) return;
      const obj = structuredClone(current);
      obj.status = structuredClone(dStatus(current));
      change(obj.status as DeploymentStatus, obj);
      try {
        this.expectations.expectRevision(key, this.informers.deployments, await this.api.deployments.updateStatus(ns, obj, { fieldManager: FIELD_MANAGER }));
        return;
      } catch (e) {
        if (is(e, 404)) return;
        if (!is(e, 409) || attempt >= 5) throw e;
        current = await this.api.deployments.get(ns, d.metadata.name!);
      }
    }
  }
}
