// The namespace controller (pkg/controller/namespace/deletion): a namespace marked for deletion
// has everything in it deleted, then its `kubernetes` finalizer cleared through the finalize
// subresource, at which point the registry removes it.
import type { KubeObject } from '../../api/meta/types.ts';
import { groupVersion, type ResourceInfo } from '../../api/resources.ts';
import type { Client, ResourceClient } from '../../client/client.ts';
import { Informer } from '../../client/informer.ts';
import type { Clock } from '../../util/clock.ts';
import { WorkQueue } from '../runtime/work-queue.ts';

const RECHECK_MS = 500;

export class NamespaceController {
  private readonly informer: Informer;
  private readonly queue: WorkQueue;
  private readonly namespaces: ResourceClient;

  /** `resources` is read at every sync: custom resources come and go. */
  constructor(
    private readonly client: Client,
    private readonly resources: () => ResourceInfo[],
    clock: Clock,
    log: (m: string) => void = () => {},
  ) {
    this.namespaces = client.resource({ apiVersion: 'v1', resource: 'namespaces', namespaced: false });
    this.informer = new Informer(this.namespaces, { clock, log });
    this.queue = new WorkQueue((name) => this.sync(name), { clock, log: (m) => log(`namespace controller: ${m}`) });
    this.informer.addHandlers({
      add: (ns) => this.enqueue(ns),
      update: (_o, ns) => this.enqueue(ns),
    });
  }

  private enqueue(ns: KubeObject): void {
    if (ns.metadata.deletionTimestamp) this.queue.add(ns.metadata.name!);
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.informer.run(signal), this.queue.run(signal)]);
  }

  private contentClients(): ResourceClient[] {
    const seen = new Set<string>();
    const out: ResourceClient[] = [];
    for (const info of this.resources()) {
      const storage = `${info.group}/${info.resource}`;
      if (!info.namespaced || seen.has(storage) || !info.verbs.includes('list') || !info.verbs.includes('delete')) continue;
      seen.add(storage);
      out.push(this.client.resource({ apiVersion: groupVersion(info), resource: info.resource, namespaced: true }));
    }
    return out;
  }

  /** Deletes what is left in the namespace; finalizes it once nothing is. */
  private async sync(name: string): Promise<void | { requeueAfter: number }> {
    const ns = this.informer.get('', name);
    if (!ns?.metadata.deletionTimestamp) return;
    const finalizers = ((ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []);
    if (!finalizers.includes('kubernetes')) return;
    let remaining = 0;
    for (const rc of this.contentClients()) {
      const list = await rc.list(name);
      for (const item of list.items) {
        remaining++;
        if (!item.metadata.deletionTimestamp) await rc.delete(name, item.metadata.name!, { propagationPolicy: 'Background' });
      }
    }
    if (remaining > 0) return { requeueAfter: RECHECK_MS };
    const latest = await this.namespaces.find('', name);
    if (!latest) return;
    const spec = { ...((latest.spec as object | undefined) ?? {}), finalizers: finalizers.filter((f) => f !== 'kubernetes') };
    await this.namespaces.put('', name, 'finalize', { ...latest, spec });
  }
}
