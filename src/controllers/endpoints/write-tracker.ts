// A controller's own writes that its informer has not shown yet (the idea of upstream's
// EndpointSliceTracker and staleEndpointsTracker): a sync planned from a cache that lacks them
// would create duplicate slices or fight its own update, so it waits instead. An object written
// is seen once the informer has reached the revision the write returned (one store, one revision
// sequence, watch events in order); an object deleted, once the cache no longer holds it under
// that uid. Events that are only the echo of one's own write need no new sync.
import type { KubeObject } from '../../api/meta/types.ts';
import type { Informer } from '../../client/informer.ts';
import type { Clock } from '../../util/clock.ts';

interface Pending {
  /** Object name → revision written, or the uid that must leave the cache. */
  written: Map<string, bigint>;
  deleted: Map<string, string>;
  since: number;
}

const rvOf = (rv: string | undefined): bigint | undefined => (rv && /^\d+$/.test(rv) ? BigInt(rv) : undefined);

export class WriteTracker {
  private readonly pending = new Map<string, Pending>();
  // Object `namespace/name` → revision of one's last write of it, to recognise its echo.
  private readonly echoes = new Map<string, string>();
  private readonly waiting = new Set<string>();

  constructor(
    private readonly informer: Informer,
    private readonly clock: Clock,
    /** After this long an expectation is dropped (a lost event must not wedge a Service). */
    private readonly ttlMs = 30_000,
  ) {}

  private entry(owner: string): Pending {
    let p = this.pending.get(owner);
    if (!p) this.pending.set(owner, (p = { written: new Map(), deleted: new Map(), since: this.clock.now() }));
    return p;
  }

  /** A create or update of obj on behalf of owner returned this object. */
  wrote(owner: string, obj: KubeObject): void {
    const rv = rvOf(obj.metadata.resourceVersion);
    if (rv === undefined) return;
    this.echoes.set(`${obj.metadata.namespace}/${obj.metadata.name}`, obj.metadata.resourceVersion!);
    const seen = rvOf(this.informer.resourceVersion);
    if (seen !== undefined && seen >= rv) return;
    const p = this.entry(owner);
    p.deleted.delete(obj.metadata.name!);
    p.written.set(obj.metadata.name!, rv);
  }

  /** obj was deleted on behalf of owner. */
  deleted(owner: string, obj: KubeObject): void {
    this.echoes.set(`${obj.metadata.namespace}/${obj.metadata.name}`, `deleted:${obj.metadata.uid}`);
    const p = this.entry(owner);
    p.written.delete(obj.metadata.name!);
    p.deleted.set(obj.metadata.name!, obj.metadata.uid!);
  }

  /**
   * True while the informer lacks one of owner's writes; the owner is then remembered as waiting
   * (see takeWaiting).
   */
  stale(owner: string, namespace: string): boolean {
    const p = this.pending.get(owner);
    if (!p) return false;
    const seen = rvOf(this.informer.resourceVersion) ?? 0n;
    for (const [name, rv] of p.written) if (seen >= rv) p.written.delete(name);
    for (const [name, uid] of p.deleted) if (this.informer.get(namespace, name)?.metadata.uid !== uid) p.deleted.delete(name);
    if ((p.written.size === 0 && p.deleted.size === 0) || this.clock.now() - p.since > this.ttlMs) {
      this.pending.delete(owner);
      this.waiting.delete(owner);
      return false;
    }
    this.waiting.add(owner);
    return true;
  }

  /** Whether an informer event is only the echo of one's own last write of that object. */
  isEcho(obj: KubeObject, deleted: boolean): boolean {
    const k = `${obj.metadata.namespace}/${obj.metadata.name}`;
    const mine = this.echoes.get(k);
    if (mine === undefined) return false;
    if (deleted) {
      this.echoes.delete(k);
      return mine === `deleted:${obj.metadata.uid}`;
    }
    return mine === obj.metadata.resourceVersion;
  }

  /** Whether owner waits for its writes to show (and stops waiting: the caller syncs it). */
  takeWaiting(owner: string): boolean {
    return this.waiting.delete(owner);
  }

  forget(owner: string, names: Iterable<string> = [], namespace = ''): void {
    this.pending.delete(owner);
    this.waiting.delete(owner);
    for (const n of names) this.echoes.delete(`${namespace}/${n}`);
  }
}
