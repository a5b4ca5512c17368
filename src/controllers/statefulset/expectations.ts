// Expectations: what a sync wrote and the caches have not shown yet, so the next sync of the same
// set waits instead of planning from a stale cache (the idea of pkg/controller/controller_utils.go
// ControllerExpectations, keyed by what the informers must see rather than by counts).
// A write that returned a resourceVersion is seen once its informer has reached that revision
// (one store, one revision sequence, watch events in order). A deleted pod is seen once the cache
// no longer holds it under that uid, or holds it terminating.
import type { KubeObject } from '../../api/meta/types.ts';
import type { Informer } from '../../client/informer.ts';
import type { Clock } from '../../util/clock.ts';

interface Pending {
  /** Per informer, the highest revision it must reach. */
  revisions: Map<Informer, bigint>;
  /** `namespace/name` → uid of pods that must disappear or terminate. */
  gone: Map<string, string>;
  since: number;
}

const rvOf = (rv: string | undefined): bigint | undefined => {
  if (!rv || !/^\d+$/.test(rv)) return undefined;
  return BigInt(rv);
};

export class Expectations {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly clock: Clock,
    /** After this long unmet expectations are dropped (a lost watch event must not wedge a set). */
    private readonly ttlMs = 30_000,
  ) {}

  private entry(key: string): Pending {
    let p = this.pending.get(key);
    if (!p) this.pending.set(key, (p = { revisions: new Map(), gone: new Map(), since: this.clock.now() }));
    return p;
  }

  /** The informer must reach the revision a write returned. */
  expectRevision(key: string, informer: Informer, obj: KubeObject | undefined): void {
    const rv = rvOf(obj?.metadata.resourceVersion);
    const seen = rvOf(informer.resourceVersion);
    if (rv === undefined || (seen !== undefined && seen >= rv)) return;
    const p = this.entry(key);
    const prev = p.revisions.get(informer);
    if (prev === undefined || rv > prev) p.revisions.set(informer, rv);
  }

  /** The pod (by uid) must leave the cache or show as terminating. */
  expectGone(key: string, pods: Informer, pod: KubeObject): void {
    const cached = pods.get(pod.metadata.namespace!, pod.metadata.name!);
    if (!cached || cached.metadata.uid !== pod.metadata.uid || cached.metadata.deletionTimestamp) return;
    this.entry(key).gone.set(`${pod.metadata.namespace}/${pod.metadata.name}`, pod.metadata.uid!);
  }

  /** A pod event: a pod seen terminating or deleted meets the expectations about it. */
  observePod(pod: KubeObject, deleted: boolean): void {
    if (!deleted && !pod.metadata.deletionTimestamp) return;
    const podKey = `${pod.metadata.namespace}/${pod.metadata.name}`;
    for (const p of this.pending.values()) if (p.gone.get(podKey) === pod.metadata.uid) p.gone.delete(podKey);
  }

  /** True when nothing is outstanding for key (or it waited longer than the TTL). */
  satisfied(key: string): boolean {
    const p = this.pending.get(key);
    if (!p) return true;
    for (const [informer, rv] of p.revisions) {
      const seen = rvOf(informer.resourceVersion);
      if (seen === undefined || seen >= rv) p.revisions.delete(informer);
    }
    if ((p.revisions.size === 0 && p.gone.size === 0) || this.clock.now() - p.since > this.ttlMs) {
      this.pending.delete(key);
      return true;
    }
    return false;
  }

  /** Keys with something outstanding. */
  keys(): string[] {
    return [...this.pending.keys()];
  }

  clear(key: string): void {
    this.pending.delete(key);
  }
}
