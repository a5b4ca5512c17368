// Two small controllers of kube-controller-manager that give every namespace what in-cluster
// clients expect: the ServiceAccount controller keeps a `default` ServiceAccount in each (made
// again when deleted), and the root CA publisher keeps the `kube-root-ca.crt` ConfigMap holding
// the cluster CA. Both queue namespace names and converge through plan.ts.
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { Client, ResourceClient } from '../../client/client.ts';
import { Informer } from '../../client/informer.ts';
import type { Clock } from '../../util/clock.ts';
import { WorkQueue, type ReconcileResult } from '../runtime/work-queue.ts';
import { DEFAULT_SERVICE_ACCOUNT, planRootCa, planServiceAccount, ROOT_CA_CONFIGMAP } from './plan.ts';

export interface NamespaceObjectsOptions {
  clock: Clock;
  log?: (m: string) => void;
  /** The cluster CA (PEM) the publisher writes; without it only ServiceAccounts are kept. */
  caCertPem?: string;
}

/** A create refused because the object exists (409) or its namespace is gone or terminating. */
function createNeedsNoRetry(e: unknown): boolean {
  if (!(e instanceof ApiError)) return false;
  if (e.code === 404 || e.code === 409) return true;
  return e.code === 403 && (e.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}

export class NamespaceObjectsController {
  readonly namespaces: Informer;
  readonly serviceAccounts: Informer;
  readonly rootCas: Informer;
  private readonly serviceAccountsApi: ResourceClient;
  private readonly configMapsApi: ResourceClient;
  private readonly saQueue: WorkQueue;
  private readonly caQueue: WorkQueue;

  constructor(
    client: Client,
    private readonly opts: NamespaceObjectsOptions,
  ) {
    const log = opts.log ?? (() => {});
    const inf = (rc: ResourceClient, fieldSelector?: string) => new Informer(rc, { clock: opts.clock, log, fieldSelector });
    this.serviceAccountsApi = client.resource({ apiVersion: 'v1', resource: 'serviceaccounts', namespaced: true });
    this.configMapsApi = client.resource({ apiVersion: 'v1', resource: 'configmaps', namespaced: true });
    this.namespaces = inf(client.resource({ apiVersion: 'v1', resource: 'namespaces', namespaced: false }));
    // Only the objects these controllers own are cached.
    this.serviceAccounts = inf(this.serviceAccountsApi, `metadata.name=${DEFAULT_SERVICE_ACCOUNT}`);
    this.rootCas = inf(this.configMapsApi, `metadata.name=${ROOT_CA_CONFIGMAP}`);
    this.saQueue = new WorkQueue((ns) => this.syncServiceAccount(ns), { clock: opts.clock, log: (m) => log(`serviceaccount-controller: ${m}`) });
    this.caQueue = new WorkQueue((ns) => this.syncRootCa(ns), { clock: opts.clock, log: (m) => log(`root-ca-cert-publisher: ${m}`) });
    const both = (ns: KubeObject) => {
      this.saQueue.add(ns.metadata.name!);
      if (opts.caCertPem !== undefined) this.caQueue.add(ns.metadata.name!);
    };
    this.namespaces.addHandlers({ add: both, update: (_, ns) => both(ns) });
    this.serviceAccounts.addHandlers({ delete: (sa) => this.saQueue.add(sa.metadata.namespace!) });
    this.rootCas.addHandlers({ update: (_, cm) => this.caQueue.add(cm.metadata.namespace!), delete: (cm) => this.caQueue.add(cm.metadata.namespace!) });
  }

  async run(signal: AbortSignal): Promise<void> {
    const publisher = this.opts.caCertPem !== undefined ? [this.rootCas.run(signal), this.caQueue.run(signal)] : [];
    await Promise.all([this.namespaces.run(signal), this.serviceAccounts.run(signal), this.saQueue.run(signal), ...publisher]);
  }

  waitForSync(): Promise<void> {
    const informers = [this.namespaces, this.serviceAccounts, ...(this.opts.caCertPem !== undefined ? [this.rootCas] : [])];
    return Promise.all(informers.map((i) => i.waitForSync())).then(() => undefined);
  }

  private async syncServiceAccount(ns: string): Promise<ReconcileResult> {
    if (!this.serviceAccounts.hasSynced) return { requeueAfter: 50 };
    const want = planServiceAccount(this.namespaces.get('', ns), this.serviceAccounts.get(ns, DEFAULT_SERVICE_ACCOUNT));
    if (!want) return;
    try {
      await this.serviceAccountsApi.create(ns, want);
    } catch (e) {
      // 409: it exists already (the cache had not seen it yet).
      if (!createNeedsNoRetry(e)) throw e;
    }
  }

  private async syncRootCa(ns: string): Promise<ReconcileResult> {
    if (!this.rootCas.hasSynced) return { requeueAfter: 50 };
    const step = planRootCa(this.namespaces.get('', ns), this.rootCas.get(ns, ROOT_CA_CONFIGMAP), this.opts.caCertPem!);
    if (!step) return;
    try {
      if (step.kind === 'create') await this.configMapsApi.create(ns, step.configMap);
      else await this.configMapsApi.update(ns, step.configMap);
    } catch (e) {
      if (step.kind === 'create' && createNeedsNoRetry(e)) return;
      throw e;
    }
  }
}
