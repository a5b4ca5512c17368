// Mapping an object's events to the workload that owns it or could adopt it, shared by the
// workload controllers (upstream's resolveControllerRef and get<Kind>sFor<Object>).
import { matches, type Selector } from '../../api/meta/labels.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { Informer } from '../../client/informer.ts';

/**
 * The object of `kind` that o's controller reference names, if the informer holds it with that
 * uid. With `apiGroup`, a reference to another group's kind of the same name does not count.
 */
export function resolveControllerRef(o: KubeObject, owners: Informer, kind: string, apiGroup?: string): KubeObject | undefined {
  const ref = o.metadata.ownerReferences?.find((r) => r.controller === true);
  if (!ref || ref.kind !== kind || (apiGroup !== undefined && !ref.apiVersion.startsWith(`${apiGroup}/`))) return undefined;
  const owner = owners.get(o.metadata.namespace!, ref.name);
  return owner && owner.metadata.uid === ref.uid ? owner : undefined;
}

/**
 * The owners in o's namespace whose selector matches o's labels: candidates to adopt an orphan.
 * An empty selector, or one selectorOf cannot parse, matches nothing.
 */
export function ownersSelecting(o: KubeObject, owners: Informer, selectorOf: (owner: KubeObject) => Selector): KubeObject[] {
  return owners.list(o.metadata.namespace).filter((owner) => {
    try {
      const sel = selectorOf(owner);
      return sel.length > 0 && matches(sel, o.metadata.labels);
    } catch {
      return false;
    }
  });
}
