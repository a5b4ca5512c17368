// The page's copy of the cluster: for each resource, list then watch from the list's revision
// (as client-go's reflector), re-listing when the revision is gone (410) and retrying when the
// server goes away, so a restarted server is followed without a reload. Listeners hear about
// changes at most once per animation frame, however many events arrive.
import type { KubeList, KubeObject } from '../../api/meta/types.ts';
import { emptyObjects, RESOURCES, type Objects, type ResourceName } from '../model/objects.ts';
import { ApiFailure, getJson, watch, type WatchEvent } from './api.ts';

const RETRY_MS = 1000;

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export function collectionPath(resource: ResourceName): string {
  const { apiVersion } = RESOURCES[resource];
  return `${apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`}/${resource}`;
}

class ResourceCache {
  readonly items = new Map<string, KubeObject>();
  private array: readonly KubeObject[] = [];
  private stale = false;
  synced = false;
  resourceVersion = '';

  all(): readonly KubeObject[] {
    if (this.stale) {
      this.array = [...this.items.values()];
      this.stale = false;
    }
    return this.array;
  }

  replace(items: KubeObject[], resourceVersion: string): void {
    this.items.clear();
    for (const o of items) this.items.set(keyOf(o), o);
    this.resourceVersion = resourceVersion;
    this.stale = true;
    this.synced = true;
  }

  apply(e: WatchEvent): void {
    this.resourceVersion = e.object.metadata.resourceVersion ?? this.resourceVersion;
    if (e.type === 'BOOKMARK') return;
    if (e.type === 'DELETED') this.items.delete(keyOf(e.object));
    else this.items.set(keyOf(e.object), e.object);
    this.stale = true;
  }
}

export type Connection = 'connecting' | 'live' | 'reconnecting';

export class ClusterStore {
  private readonly caches = new Map<ResourceName, ResourceCache>();
  private readonly listeners = new Set<() => void>();
  private readonly stop = new AbortController();
  private frame = false;
  private failing = new Set<ResourceName>();
  /** The last failure each resource met (a 403 names what the token may not do). */
  readonly errors = new Map<ResourceName, string>();

  constructor(private readonly schedule: (fn: () => void) => void = (fn) => requestAnimationFrame(fn)) {}

  /** Starts following `resources` (once each). */
  follow(resources: readonly ResourceName[]): void {
    for (const r of resources) {
      if (this.caches.has(r)) continue;
      const cache = new ResourceCache();
      this.caches.set(r, cache);
      void this.run(r, cache);
    }
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  objects(): Objects {
    const out = emptyObjects() as Record<ResourceName, readonly KubeObject[]>;
    for (const [r, cache] of this.caches) out[r] = cache.all();
    return out as unknown as Objects;
  }

  synced(resources: readonly ResourceName[]): boolean {
    return resources.every((r) => this.caches.get(r)?.synced);
  }

  connection(): Connection {
    if (this.failing.size) return 'reconnecting';
    return [...this.caches.values()].every((c) => c.synced) ? 'live' : 'connecting';
  }

  close(): void {
    this.stop.abort();
  }

  private changed(): void {
    if (this.frame) return;
    this.frame = true;
    this.schedule(() => {
      this.frame = false;
      for (const fn of this.listeners) fn();
    });
  }

  private async run(resource: ResourceName, cache: ResourceCache): Promise<void> {
    const path = collectionPath(resource);
    let relist = true;
    while (!this.stop.signal.aborted) {
      try {
        if (relist) {
          const list = await getJson<KubeList>(path, this.stop.signal);
          cache.replace([...list.items], list.metadata.resourceVersion ?? '');
          relist = false;
          this.recovered(resource);
          this.changed();
        }
        await watch(
          `${path}?watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(cache.resourceVersion)}`,
          (e) => {
            if (e.type === 'ERROR') {
              // 410 Gone: the revision was compacted away; anything else also warrants a fresh list.
              relist = true;
              return;
            }
            cache.apply(e);
            this.changed();
          },
          this.stop.signal,
        );
      } catch (e) {
        if (this.stop.signal.aborted) return;
        this.errors.set(resource, e instanceof Error ? e.message : String(e));
        if (e instanceof ApiFailure && e.code === 410) relist = true;
        if (!this.failing.has(resource)) {
          this.failing.add(resource);
          this.changed();
        }
        await new Promise((r) => setTimeout(r, RETRY_MS));
        // After an outage the server may have lost or compacted the revision: list afresh.
        relist = true;
      }
    }
  }

  private recovered(resource: ResourceName): void {
    this.errors.delete(resource);
    if (this.failing.delete(resource)) this.changed();
  }
}
