// The page's copy of the cluster: for each resource, list then watch from the list's revision
// (as client-go's reflector), re-listing when the revision is gone (410) and retrying when the
// server goes away, so a restarted server is followed without a reload. Listeners hear about
// changes at most once per animation frame, however many events arrive.
//
// Only the resources the current view draws are watched: the API is HTTP/1.1, where a browser
// opens at most six connections to a server, and each watch holds one; the last must stay free
// for the actions' requests.
import type { KubeList, KubeObject } from '../../api/meta/types.ts';
import { emptyObjects, RESOURCES, type Objects, type ResourceName } from '../model/objects.ts';
import { ApiFailure, getJson, watch, type WatchEvent } from './api.ts';

const RETRY_MS = 1000;

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** The collection's path: one namespace's objects when `namespace` is set and the resource is namespaced. */
export function collectionPath(resource: ResourceName, namespace = ''): string {
  const { apiVersion, namespaced } = RESOURCES[resource];
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${resource}` : `${base}/${resource}`;
}

class ResourceCache {
  readonly stop = new AbortController();
  constructor(readonly path: string) {}
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
  /** By resource; each cache knows the collection (one namespace or all) it follows. */
  private readonly caches = new Map<ResourceName, ResourceCache>();
  private readonly listeners = new Set<() => void>();
  private frame = false;
  private failing = new Set<ResourceName>();
  /** The last failure each resource met (a 403 names what the token may not do). */
  readonly errors = new Map<ResourceName, string>();

  constructor(private readonly schedule: (fn: () => void) => void = (fn) => requestAnimationFrame(fn)) {}

  /**
   * Follows exactly `resources`, of one namespace ('' for all): starts the missing ones and stops
   * the others, and those following another namespace.
   */
  follow(resources: readonly ResourceName[], namespace = ''): void {
    for (const [r, cache] of this.caches) {
      if (resources.includes(r) && cache.path === collectionPath(r, namespace)) continue;
      cache.stop.abort();
      this.caches.delete(r);
      this.failing.delete(r);
      this.errors.delete(r);
    }
    for (const r of resources) {
      if (this.caches.has(r)) continue;
      const cache = new ResourceCache(collectionPath(r, namespace));
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
    this.follow([]);
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
    const path = cache.path;
    const signal = cache.stop.signal;
    let relist = true;
    while (!signal.aborted) {
      try {
        if (relist) {
          const list = await getJson<KubeList>(path, signal);
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
          signal,
        );
      } catch (e) {
        if (signal.aborted) return;
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
