// NamespaceLifecycle admission (plugin/pkg/admission/namespace/lifecycle): no new content in a
// namespace that does not exist or is terminating, and the system namespaces cannot be deleted.
import { ApiError, notFound } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { ResourceInfo } from '../../api/resources.ts';
import type { Admission } from '../resource-store.ts';
import type { Backend } from '../../store/backend.ts';

export const IMMORTAL_NAMESPACES = ['default', 'kube-system', 'kube-public'];

export function namespaceLifecycle(getNamespace: (name: string) => Promise<KubeObject | undefined>): Admission {
  return {
    async admit(op: 'create' | 'update' | 'delete', info: ResourceInfo, obj: KubeObject) {
      if (info.group === '' && info.kind === 'Namespace') {
        if (op === 'delete' && IMMORTAL_NAMESPACES.includes(obj.metadata.name!)) {
          throw new ApiError('Forbidden', 403, `namespaces "${obj.metadata.name}" is forbidden: this namespace may not be deleted`, { name: obj.metadata.name, kind: 'namespaces' });
        }
        return;
      }
      if (op !== 'create' || !info.namespaced) return;
      const name = obj.metadata.namespace!;
      const ns = await getNamespace(name);
      if (!ns) throw notFound({ group: '', resource: 'namespaces' }, name);
      if (ns.metadata.deletionTimestamp && info.kind !== 'Event') {
        throw new ApiError(
          'Forbidden',
          403,
          `${info.resource}${info.group ? `.${info.group}` : ''} "${obj.metadata.name ?? ''}" is forbidden: unable to create new content in namespace ${name} because it is being terminated`,
          { name: obj.metadata.name, group: info.group, kind: info.resource, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${name} is being terminated`, field: 'metadata.namespace' }] },
        );
      }
    },
  };
}

/**
 * Namespaces as the lifecycle check needs them, kept from a store watch so creates do not read
 * the store (upstream's plugin reads an informer too). A name the cache has not seen is read live,
 * so a namespace created a moment ago is never refused.
 */
export class NamespaceCache {
  private readonly known = new Map<string, KubeObject>();
  private readonly stop = new AbortController();

  constructor(private readonly backend: Backend) {}

  async start(): Promise<void> {
    const prefix = '/registry/core/namespaces/';
    const list = await this.backend.list(prefix);
    for (const kv of list.items) this.known.set(kv.key.slice(prefix.length), JSON.parse(kv.value) as KubeObject);
    const stream = this.backend.watch(prefix, { afterRevision: list.revision, signal: this.stop.signal });
    void (async () => {
      try {
        for await (const batch of stream) {
          for (const ev of batch) {
            const name = ev.kv.key.slice(prefix.length);
            if (ev.type === 'delete') this.known.delete(name);
            else this.known.set(name, JSON.parse(ev.kv.value) as KubeObject);
          }
        }
      } catch {
        // Dropped or closed: forget everything and answer from the store from now on.
      }
      this.known.clear();
      this.live = true;
    })();
  }

  private live = false;

  async get(name: string): Promise<KubeObject | undefined> {
    const hit = this.live ? undefined : this.known.get(name);
    if (hit) return hit;
    const kv = await this.backend.get(`/registry/core/namespaces/${name}`);
    return kv ? (JSON.parse(kv.value) as KubeObject) : undefined;
  }

  close(): void {
    this.stop.abort();
  }
}
