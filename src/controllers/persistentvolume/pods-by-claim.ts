// The pods of each claim (`namespace/claim` → pods naming it in a volume), kept as pods come and
// go. A claim waiting for its first consumer names the unscheduled pods using it in an event;
// finding them by listing the namespace's pods made every such sync O(pods).
import type { KubeObject } from '../../api/meta/types.ts';
import { podClaimNames } from '../../api/storage/volume.ts';
import { objectKeyOf, type Informer } from '../../client/informer.ts';

export class PodsByClaim {
  private readonly byClaim = new Map<string, Map<string, KubeObject>>();

  constructor(pods: Informer) {
    // Map.set keeps an updated pod in its place, as the informer's cache does.
    const file = (p: KubeObject) => {
      for (const c of podClaimNames(p)) {
        const k = `${p.metadata.namespace}/${c}`;
        let m = this.byClaim.get(k);
        if (!m) this.byClaim.set(k, (m = new Map()));
        m.set(objectKeyOf(p), p);
      }
    };
    const drop = (p: KubeObject, keep: readonly string[] = []) => {
      for (const c of podClaimNames(p)) {
        if (keep.includes(c)) continue;
        const k = `${p.metadata.namespace}/${c}`;
        const m = this.byClaim.get(k);
        m?.delete(objectKeyOf(p));
        if (m?.size === 0) this.byClaim.delete(k);
      }
    };
    pods.addHandlers({ add: file, update: (o, p) => (drop(o, podClaimNames(p)), file(p)), delete: drop });
  }

  /** The pods whose volumes name the claim, in the order the informer first saw them. */
  of(namespace: string, claim: string): KubeObject[] {
    return [...(this.byClaim.get(`${namespace}/${claim}`)?.values() ?? [])];
  }
}
