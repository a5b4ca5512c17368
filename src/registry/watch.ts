// Watch as the apiserver serves it (k8s.io/apiserver/pkg/storage/cacher and etcd3/watcher.go):
// optional initial state as ADDED events, the WatchList end-of-initial-events bookmark, then live
// changes filtered by selectors — an object that stops matching is reported DELETED, one that
// starts matching ADDED — plus periodic bookmarks when the client allows them.
import { ApiError } from '../api/errors.ts';
import type { KubeObject } from '../api/meta/types.ts';
import { isStorageError, type WatchEvent } from '../store/backend.ts';
import { AsyncQueue } from '../util/async-queue.ts';
import { collectionPrefix } from './keys.ts';
import { listObjects } from './list.ts';
import type { ApiWatchEvent, WatchRequest } from './options.ts';
import { parseRevision, type ResourceStore } from './resource-store.ts';
import { compileSelection } from './selection.ts';

export const BOOKMARK_INTERVAL_MS = 60_000;
export const WATCH_BUFFER_EVENTS = 10_000;
export const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

/**
 * Starts a watch. Resolves once the starting point is known (so 410s and 400s are thrown before
 * the response starts); the returned stream yields batches of events until the signal aborts.
 */
export async function watchObjects(store: ResourceStore, namespace: string, req: WatchRequest): Promise<AsyncQueue<ApiWatchEvent[]>> {
  const sel = compileSelection(store.info, req.labelSelector, req.fieldSelector);
  const backend = store.deps.backend;
  const rv = req.resourceVersion;
  // Bounded in events: a client that stops reading is dropped (it re-watches from its last
  // revision) rather than buffered without limit.
  const out = new AsyncQueue<ApiWatchEvent[]>(req.bufferEvents ?? WATCH_BUFFER_EVENTS);
  let fromRevision: number;
  const initial: ApiWatchEvent[] = [];
  if (req.sendInitialEvents || !rv || rv === '0') {
    const list = await listObjects(store, namespace, { labelSelector: req.labelSelector, fieldSelector: req.fieldSelector });
    fromRevision = Number(list.metadata.resourceVersion);
    for (const item of list.items) initial.push({ type: 'ADDED', object: item });
    if (req.sendInitialEvents) initial.push(bookmark(store, fromRevision, true));
  } else {
    fromRevision = parseRevision(rv);
    const compacted = await backend.compactedRevision();
    if (fromRevision < compacted) throw new ApiError('Expired', 410, `too old resource version: ${fromRevision} (${compacted})`);
  }
  const controller = new AbortController();
  const stop = () => controller.abort();
  req.signal?.addEventListener('abort', stop, { once: true });
  const stream = backend.watch(collectionPrefix(store.info, namespace), { afterRevision: fromRevision, signal: controller.signal });
  // The initial state is not held against the buffer: it is as large as the collection.
  if (initial.length) out.push(initial, 0);
  let lastRevision = fromRevision;
  let cancelBookmarks: (() => void) | undefined;
  if (req.allowWatchBookmarks) {
    const tick = () => {
      out.push([bookmark(store, lastRevision, false)]);
      cancelBookmarks = store.deps.clock.setTimer(tick, BOOKMARK_INTERVAL_MS);
    };
    cancelBookmarks = store.deps.clock.setTimer(tick, BOOKMARK_INTERVAL_MS);
  }
  const pump = async () => {
    try {
      for await (const batch of stream) {
        const events: ApiWatchEvent[] = [];
        for (const ev of batch) {
          lastRevision = ev.revision;
          const converted = convert(store, ev, sel.predicate);
          if (converted) events.push(converted);
        }
        if (events.length) out.push(events, events.length);
        if (out.closed) break;
      }
      out.end();
    } catch (e) {
      // A dropped (too slow) watcher just ends: the client re-watches from its last revision.
      if (isStorageError(e, 'WatcherTooSlow') || isStorageError(e, 'Closed')) out.end();
      else if (isStorageError(e, 'Compacted')) out.end(new ApiError('Expired', 410, `too old resource version: ${fromRevision}`));
      else out.end(e);
    } finally {
      cancelBookmarks?.();
      req.signal?.removeEventListener('abort', stop);
      stream.close();
    }
  };
  void pump();
  req.signal?.addEventListener('abort', () => out.end(), { once: true });
  return out;
}

// Objects in events are decoded once per stored value and shared (frozen) by all watchers.
function convert(store: ResourceStore, ev: WatchEvent, predicate: (o: KubeObject) => boolean): ApiWatchEvent | undefined {
  if (ev.type === 'delete') {
    // A delete event's kv holds the last value at the delete's revision (Backend contract).
    const last = store.decodeShared(ev.kv);
    return predicate(last) ? { type: 'DELETED', object: last } : undefined;
  }
  const obj = store.decodeShared(ev.kv);
  const now = predicate(obj);
  if (ev.type === 'create') return now ? { type: 'ADDED', object: obj } : undefined;
  const before = ev.prevKv ? predicate(store.decodeShared(ev.prevKv)) : false;
  if (now && before) return { type: 'MODIFIED', object: obj };
  if (now) return { type: 'ADDED', object: obj };
  if (before) return { type: 'DELETED', object: obj };
  return undefined;
}

function bookmark(store: ResourceStore, revision: number, initialEnd: boolean): ApiWatchEvent {
  const metadata: KubeObject['metadata'] = { resourceVersion: String(revision) };
  if (initialEnd) metadata.annotations = { [INITIAL_EVENTS_END]: 'true' };
  return { type: 'BOOKMARK', object: { apiVersion: store.apiVersion, kind: store.info.kind, metadata } };
}
