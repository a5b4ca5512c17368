// The disruption controller (pkg/controller/disruption/disruption.go): keeps every
// PodDisruptionBudget's status true to the pods it selects. Pod and PDB events enqueue the PDB;
// sync reads the pods from the cache, the controllers' scales with live reads, and writes the
// status planned in plan.ts; a failure other than a conflict writes the fail-safe status
// (no disruptions allowed), as upstream.
import { ApiError } from '../../api/errors.ts';
import type { KubeObject, OwnerReference } from '../../api/meta/types.ts';
import type { Client, ResourceClient } from '../../client/client.ts';
import { Informer, objectKeyOf } from '../../client/informer.ts';
import { rfc3339, type Clock } from '../../util/clock.ts';
import { EventRecorder } from '../runtime/event-recorder.ts';
import { WorkQueue, type ReconcileResult } from '../runtime/work-queue.ts';
import { failSafeStatus, planPdbStatus, selectsPod, type PodController } from './plan.ts';

export interface DisruptionControllerOptions {
  clock: Clock;
  /** The shared pod informer; the caller runs it. */
  pods: Informer;
  log?: (m: string) => void;
}

const controllerRef = (o: KubeObject): OwnerReference | undefined => o.metadata.ownerReferences?.find((r) => r.controller);
const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

export class DisruptionController {
  readonly pdbs: Informer;
  private readonly pdbsApi: ResourceClient;
  private readonly queue: WorkQueue;
  private readonly recorder: EventRecorder;
  private readonly owners: Record<'ReplicationController' | 'ReplicaSet' | 'Deployment' | 'StatefulSet', ResourceClient>;
  private readonly log: (m: string) => void;

  constructor(
    client: Client,
    private readonly opts: DisruptionControllerOptions,
  ) {
    this.log = opts.log ?? (() => {});
    this.pdbsApi = client.resource({ apiVersion: 'policy/v1', resource: 'poddisruptionbudgets', namespaced: true });
    this.pdbs = new Informer(this.pdbsApi, { clock: opts.clock, log: this.log });
    this.recorder = new EventRecorder(client, { component: 'controllermanager' }, opts.clock, this.log);
    const r = (apiVersion: string, resource: string) => client.resource({ apiVersion, resource, namespaced: true });
    this.owners = {
      ReplicationController: r('v1', 'replicationcontrollers'),
      ReplicaSet: r('apps/v1', 'replicasets'),
      Deployment: r('apps/v1', 'deployments'),
      StatefulSet: r('apps/v1', 'statefulsets'),
    };
    this.queue = new WorkQueue((key) => this.sync(key), { clock: opts.clock, workers: 2, log: (m) => this.log(`disruption: ${m}`) });
    this.pdbs.addHandlers({ add: (p) => this.queue.add(objectKeyOf(p)), update: (_o, p) => this.queue.add(objectKeyOf(p)) });
    const podChanged = (pod: KubeObject) => {
      for (const pdb of this.pdbs.list(pod.metadata.namespace)) if (selectsPod(pdb, pod)) this.queue.add(objectKeyOf(pdb));
    };
    opts.pods.addHandlers({
      add: podChanged,
      update: (old, pod) => {
        podChanged(pod);
        if (JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {})) podChanged(old);
      },
      delete: podChanged,
    });
  }

  /** Runs the PDB informer and the queue until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.pdbs.run(signal), this.queue.run(signal)]);
  }

  waitForSync(): Promise<void> {
    return Promise.all([this.pdbs.waitForSync(), this.opts.pods.waitForSync()]).then(() => undefined);
  }

  private async sync(key: string): Promise<ReconcileResult> {
    const [ns, name] = key.split('/') as [string, string];
    const pdb = this.pdbs.get(ns, name);
    if (!pdb) return;
    const now = this.opts.clock.now();
    try {
      const pods = this.opts.pods.list(ns).filter((p) => selectsPod(pdb, p));
      if (pods.length === 0) this.recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
      let plan;
      try {
        plan = planPdbStatus({ pdb, pods, controllers: await this.controllersOf(pods), now, rfc3339 });
      } catch (e) {
        this.recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${(e as Error).message}`);
        throw e;
      }
      if (plan.unmanaged.length) {
        this.recorder.event(
          pdb,
          'Warning',
          'UnmanagedPods',
          `Pods selected by this PodDisruptionBudget (selector: ${JSON.stringify((pdb.spec as { selector?: unknown }).selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
        );
      }
      for (const p of plan.notDeleted) {
        const pod = pods.find((x) => x.metadata.name === p);
        if (pod) this.recorder.event(pod, 'Warning', 'NotDeleted', `Pod was expected by PDB ${ns}/${name} to be deleted but it wasn't`);
      }
      if (plan.status) await this.pdbsApi.updateStatus(ns, { ...pdb, status: plan.status }, { fieldManager: 'disruption-controller' });
      return plan.recheckAt !== undefined ? { requeueAfter: Math.max(1, plan.recheckAt - now) } : undefined;
    } catch (e) {
      if (e instanceof ApiError && (e.code === 409 || e.code === 404)) throw e;
      await this.pdbsApi.updateStatus(ns, { ...pdb, status: failSafeStatus(pdb, (e as Error).message, rfc3339(now)) }, { fieldManager: 'disruption-controller' }).catch(() => {});
      throw e;
    }
  }

  /**
   * Each pod's controller scale (the finders): ReplicationController, ReplicaSet, Deployment
   * through its ReplicaSet, StatefulSet. A pod whose controller cannot be found is left out of
   * the map (planPdbStatus then fails), one with no controller maps to null.
   */
  private async controllersOf(pods: readonly KubeObject[]): Promise<Map<string, PodController>> {
    const cache = new Map<string, KubeObject | undefined>();
    const get = async (kind: keyof DisruptionController['owners'], ns: string, ref: OwnerReference) => {
      const key = `${kind}/${ns}/${ref.name}`;
      if (!cache.has(key)) cache.set(key, await this.owners[kind].find(ns, ref.name));
      const o = cache.get(key);
      return o && o.metadata.uid === ref.uid ? o : undefined;
    };
    const replicas = (o: KubeObject) => (o.spec as { replicas?: number } | undefined)?.replicas ?? 1;
    const out = new Map<string, PodController>();
    for (const pod of pods) {
      const ns = pod.metadata.namespace!;
      const ref = controllerRef(pod);
      if (!ref) {
        out.set(pod.metadata.name!, null);
        continue;
      }
      const group = groupOf(ref.apiVersion);
      let found: KubeObject | undefined;
      if (ref.kind === 'ReplicationController' && group === '') found = await get('ReplicationController', ns, ref);
      else if (ref.kind === 'StatefulSet' && group === 'apps') found = await get('StatefulSet', ns, ref);
      else if (ref.kind === 'ReplicaSet' && (group === 'apps' || group === 'extensions')) {
        const rs = await get('ReplicaSet', ns, ref);
        const depRef = rs && controllerRef(rs);
        found = depRef && depRef.kind === 'Deployment' ? await get('Deployment', ns, depRef) : rs;
      }
      if (found) out.set(pod.metadata.name!, { uid: found.metadata.uid!, replicas: replicas(found) });
    }
    return out;
  }
}
