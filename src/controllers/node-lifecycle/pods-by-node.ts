// An index from node name to the keys of pods bound to it, fed by a pod informer's handlers
// (upstream's podInformer indexer "spec.nodeName"), so node events reach their pods without a
// scan of every pod.
import type { KubeObject } from '../../api/meta/types.ts';
import { objectKeyOf, type Informer } from '../../client/informer.ts';

export const nodeNameOf = (pod: KubeObject) => (pod.spec as { nodeName?: string } | undefined)?.nodeName ?? '';

export class PodsByNode {
  private readonly index = new Map<string, Set<string>>();

  constructor(private readonly pods: Informer) {
    pods.addHandlers({
      add: (p) => this.put(p),
      update: (old, p) => {
        if (nodeNameOf(old) !== nodeNameOf(p)) this.drop(old);
        this.put(p);
      },
      delete: (p) => this.drop(p),
    });
  }

  /** Pods currently bound to the node, from the informer's cache. */
  podsOn(node: string): KubeObject[] {
    const keys = this.index.get(node);
    if (!keys) return [];
    const out: KubeObject[] = [];
    for (const key of keys) {
      const [ns, name] = key.split('/') as [string, string];
      const pod = this.pods.get(ns, name);
      if (pod) out.push(pod);
    }
    return out;
  }

  /** Node names that have pods bound to them. */
  nodes(): string[] {
    return [...this.index.keys()];
  }

  private put(pod: KubeObject): void {
    const node = nodeNameOf(pod);
    if (!node) return;
    if (!this.index.has(node)) this.index.set(node, new Set());
    this.index.get(node)!.add(objectKeyOf(pod));
  }

  private drop(pod: KubeObject): void {
    const node = nodeNameOf(pod);
    const set = this.index.get(node);
    if (!set) return;
    set.delete(objectKeyOf(pod));
    if (set.size === 0) this.index.delete(node);
  }
}
