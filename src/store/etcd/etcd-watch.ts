// One Backend watch as one etcd watch (etcd's v3 Watch API on its own gRPC stream, after
// k8s.io/apiserver/pkg/storage/etcd3/watcher.go): start_revision = afterRevision + 1, prev_kv for
// updates and deletes, and progress notifications so an idle watch still hears the revision.
// etcd delivers each response's events in revision order; each response becomes one batch.
//
// The stream never reconnects by itself: a lost connection ends it with Unavailable (Timeout
// when keepalives went unanswered) so that the consumer re-lists, as with a dropped watcher.
// etcd cancelling the watch for compaction ends it with Compacted.
import type { IDuplexStream, IEvent, IWatchRequest, IWatchResponse } from 'etcd3';
import { StorageError, type KeyValue, type WatchEvent, type WatchOptions, type WatchStream } from '../backend.ts';
import { Subscription } from '../broadcaster.ts';
import { compactedError } from '../revisions.ts';
import type { KeySpace } from './etcd-keys.ts';

export interface EtcdWatchDeps {
  space: KeySpace;
  bufferSize: number;
  /** Opens a fresh Watch stream. */
  openStream(): Promise<IDuplexStream<IWatchRequest, IWatchResponse>>;
  /** Resolves when a watch from `afterRevision` may start; rejects with Compacted when it may not. */
  precheck(afterRevision: number): Promise<void>;
  /** etcd reported a revision (events, progress) or its compacted revision. */
  sawRevision(revision: number): void;
  sawCompacted(revision: number): void;
  errorOf(err: unknown): StorageError;
  /** Called once when the watch ends, however it ends. */
  ended(sub: Subscription): void;
}

export function openEtcdWatch(deps: EtcdWatchDeps, prefix: string, opts: WatchOptions): { stream: WatchStream; sub: Subscription } {
  const local = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, local.signal]) : local.signal;
  let grpc: IDuplexStream<IWatchRequest, IWatchResponse> | undefined;
  const sub = new Subscription(prefix, deps.bufferSize, (s) => {
    grpc?.cancel();
    deps.ended(s);
  }, signal);

  const start = async () => {
    await deps.precheck(opts.afterRevision);
    if (sub.ended) return;
    const stream = await deps.openStream();
    grpc = stream;
    if (sub.ended) return stream.cancel();
    stream.on('data', (res) => onResponse(res));
    // Errors after our own cancel land on an ended subscription and are ignored by fail().
    stream.on('error', (err) => sub.fail(deps.errorOf(err)));
    stream.on('end', () => sub.fail(new StorageError('Unavailable', 'Watch failed: etcd ended the watch stream')));
    stream.write({
      create_request: { ...deps.space.range(prefix), start_revision: opts.afterRevision + 1, prev_kv: true, progress_notify: true },
    });
  };

  const onResponse = (res: IWatchResponse) => {
    const compactRevision = Number(res.compact_revision);
    if (compactRevision > 0) {
      deps.sawCompacted(compactRevision);
      return sub.fail(compactedError(opts.afterRevision, compactRevision));
    }
    if (res.canceled) return sub.fail(new StorageError('Internal', `Watch failed: etcd cancelled it: ${res.cancel_reason || 'no reason given'}`));
    deps.sawRevision(Number(res.header.revision));
    if (res.events.length === 0) return; // created, or a progress notification
    sub.offer(res.events.map((e) => toEvent(deps.space, e)));
  };

  start().catch((e: unknown) => sub.fail(deps.errorOf(e)));
  return { stream: { [Symbol.asyncIterator]: () => sub[Symbol.asyncIterator](), close: () => local.abort() }, sub };
}

/** A put is a create when it made the key (version 1); a delete carries the last value, as the Backend contract says. */
function toEvent(space: KeySpace, e: IEvent): WatchEvent {
  const revision = Number(e.kv.mod_revision);
  const prevKv: KeyValue | undefined = e.prev_kv && e.prev_kv.key.length > 0 ? space.kv(e.prev_kv) : undefined;
  if (e.type === 'Delete') {
    const last = prevKv ?? { key: space.strip(e.kv.key), value: '', createRevision: 0, modRevision: revision };
    return { type: 'delete', revision, kv: { ...last, modRevision: revision }, ...(prevKv && { prevKv }) };
  }
  const kv = space.kv(e.kv);
  if (e.kv.version === '1') return { type: 'create', revision, kv };
  return { type: 'update', revision, kv, ...(prevKv && { prevKv }) };
}
