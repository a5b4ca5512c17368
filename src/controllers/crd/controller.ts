// Establishes CustomResourceDefinitions (apiextensions-apiserver's naming and establishing
// controllers and finalizer): serves their versions, reports NamesAccepted and Established, and
// on deletion removes every custom resource before letting the definition go.
import type { KubeObject } from '../../api/meta/types.ts';
import { groupVersion } from '../../api/resources.ts';
import type { Client } from '../../client/client.ts';
import { Informer } from '../../client/informer.ts';
import type { CrdSpec, CustomResources } from '../../registry/custom-resources.ts';
import { rfc3339, type Clock } from '../../util/clock.ts';
import { WorkQueue } from '../runtime/work-queue.ts';

export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';
const RECHECK_MS = 300;

export class CrdController {
  private readonly informer: Informer;
  private readonly queue: WorkQueue;
  private readonly crds;

  constructor(
    private readonly client: Client,
    private readonly custom: CustomResources,
    private readonly clock: Clock,
    log: (m: string) => void = () => {},
    /**
     * writes: false serves the definitions and writes nothing (a server that does not lead the
     * controllers: the leader adds finalizers, reports status and cleans up).
     */
    private readonly opts: { writes?: boolean } = {},
  ) {
    this.crds = client.resource({ apiVersion: 'apiextensions.k8s.io/v1', resource: 'customresourcedefinitions', namespaced: false });
    this.informer = new Informer(this.crds, { clock, log });
    this.queue = new WorkQueue((name) => this.sync(name), { clock, log: (m) => log(`crd controller: ${m}`) });
    this.informer.addHandlers({
      add: (crd) => this.queue.add(crd.metadata.name!),
      update: (_o, crd) => this.queue.add(crd.metadata.name!),
      delete: (crd) => this.custom.unserve(crd.metadata.name!),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.informer.run(signal), this.queue.run(signal)]);
  }

  /** Resolves once every stored definition is served (custom resources answer after restart). */
  async waitForSync(): Promise<void> {
    await this.informer.waitForSync();
    for (const crd of this.informer.list()) if (!crd.metadata.deletionTimestamp) this.custom.serve(crd);
  }

  private async sync(name: string): Promise<void | { requeueAfter: number }> {
    const crd = this.informer.get('', name);
    if (!crd) return;
    if (this.opts.writes === false) {
      if (!crd.metadata.deletionTimestamp) this.custom.serve(crd);
      return;
    }
    if (crd.metadata.deletionTimestamp) return this.cleanUp(crd);
    if (!crd.metadata.finalizers?.includes(CLEANUP_FINALIZER)) {
      await this.crds.patch('', name, 'merge', { metadata: { resourceVersion: crd.metadata.resourceVersion, finalizers: [...(crd.metadata.finalizers ?? []), CLEANUP_FINALIZER] } });
      return;
    }
    this.custom.serve(crd);
    const want = statusFor(crd, rfc3339(this.clock.now()));
    if (!sameStatus(crd.status, want)) await this.crds.updateStatus('', { ...structuredClone(crd), status: want } as KubeObject);
  }

  /** Deletes every custom resource of the definition, then drops the cleanup finalizer. */
  private async cleanUp(crd: KubeObject): Promise<void | { requeueAfter: number }> {
    const infos = this.custom.servedBy(crd.metadata.name!);
    let remaining = 0;
    const info = infos[0];
    if (info) {
      const rc = this.client.resource({ apiVersion: groupVersion(info), resource: info.resource, namespaced: info.namespaced });
      for (const item of (await rc.list()).items) {
        remaining++;
        if (!item.metadata.deletionTimestamp) await rc.delete(item.metadata.namespace ?? '', item.metadata.name!);
      }
    }
    if (remaining > 0) return { requeueAfter: RECHECK_MS };
    await this.crds.patch('', crd.metadata.name!, 'merge', {
      metadata: { resourceVersion: crd.metadata.resourceVersion, finalizers: (crd.metadata.finalizers ?? []).filter((f) => f !== CLEANUP_FINALIZER) },
    });
  }
}

function statusFor(crd: KubeObject, now: string) {
  const spec = crd.spec as CrdSpec;
  const old = (crd.status ?? {}) as { conditions?: { type: string; lastTransitionTime?: string }[]; storedVersions?: string[] };
  const since = (type: string) => old.conditions?.find((c) => c.type === type)?.lastTransitionTime ?? now;
  const storage = spec.versions.find((v) => v.storage)?.name;
  const stored = new Set(old.storedVersions ?? []);
  if (storage) stored.add(storage);
  return {
    conditions: [
      { type: 'NamesAccepted', status: 'True', lastTransitionTime: since('NamesAccepted'), reason: 'NoConflicts', message: 'no conflicts found' },
      { type: 'Established', status: 'True', lastTransitionTime: since('Established'), reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
    ],
    acceptedNames: {
      plural: spec.names.plural,
      singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
      kind: spec.names.kind,
      listKind: spec.names.listKind ?? `${spec.names.kind}List`,
      ...(spec.names.shortNames ? { shortNames: spec.names.shortNames } : {}),
      ...(spec.names.categories ? { categories: spec.names.categories } : {}),
    },
    storedVersions: [...stored],
  };
}

function sameStatus(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
