// An informer's cache plus the objects this controller has just written (upstream's
// storeVolumeUpdate / storeClaimUpdate): reads return whichever copy is newer by
// resourceVersion, so a sync right after a write never acts on the copy the write replaced.
// A written copy is dropped once the informer has caught up with it, or the object is deleted.
import type { KubeObject } from '../../api/meta/types.ts';
import { objectKeyOf, type Informer } from '../../client/informer.ts';

const rv = (o: KubeObject) => Number(o.metadata.resourceVersion ?? 0);

export class LatestCache<T extends KubeObject> {
  private readonly written = new Map<string, T>();

  constructor(readonly informer: Informer) {
    const settle = (o: KubeObject) => {
      const w = this.written.get(objectKeyOf(o));
      if (w && rv(o) >= rv(w)) this.written.delete(objectKeyOf(o));
    };
    informer.addHandlers({ add: settle, update: (_old, o) => settle(o), delete: (o) => this.written.delete(objectKeyOf(o)) });
  }

  /** Records a copy the API server returned for a write. */
  store(obj: T): void {
    const cached = this.informer.get(obj.metadata.namespace ?? '', obj.metadata.name!);
    if (!cached || rv(obj) > rv(cached)) this.written.set(objectKeyOf(obj), obj);
  }

  get(namespace: string, name: string): T | undefined {
    const cached = this.informer.get(namespace, name) as T | undefined;
    const w = this.written.get(namespace ? `${namespace}/${name}` : name);
    if (!cached) return undefined;
    return w && rv(w) > rv(cached) ? w : cached;
  }

  list(namespace?: string): T[] {
    return (this.informer.list(namespace) as T[]).map((o) => this.get(o.metadata.namespace ?? '', o.metadata.name!) ?? o);
  }
}
