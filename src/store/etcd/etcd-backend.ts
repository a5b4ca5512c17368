// etcd backend: the Backend contract on a real etcd (v3 API through the etcd3 client), as
// k8s.io/apiserver/pkg/storage/etcd3/store.go uses it.
//
// - Revisions are etcd's: a KeyValue's modRevision is etcd's mod_revision, the store's revision
//   etcd's header revision. They are global to the etcd server, so a store sharing etcd with
//   others (another key prefix) sees its revision jump by their writes too.
// - Writes are single transactions guarded by compares: create needs create_revision == 0, update
//   mod_revision == expected, delete optionally the same; the failure branch reads the key so a
//   Conflict carries the current value without another round trip.
// - Compaction is etcd's; this process runs the same Compactor policy as SQLite (several servers
//   sharing etcd may each compact; compacting an already compacted revision is a no-op).
// - Every call has a deadline (requestTimeoutMs): an unreachable etcd answers Unavailable, a
//   frozen one Timeout, and nothing waits forever.
import type { Etcd3, IRangeRequest, ITxnRequest, ITxnResponse } from 'etcd3';
import { StorageError, type Backend, type KeyValue, type ListOptions, type ListResult, type WatchOptions, type WatchStream } from '../backend.ts';
import { DEFAULT_WATCH_BUFFER, type Subscription } from '../broadcaster.ts';
import { Compactor, type CompactionOptions } from '../compactor.ts';
import { closedError, compactedError } from '../revisions.ts';
import { findCompactedRevision } from './compacted-revision.ts';
import { connectEtcd, storageErrorOf, type EtcdConnectionOptions } from './etcd-client.ts';
import { KeySpace } from './etcd-keys.ts';
import { openEtcdWatch } from './etcd-watch.ts';

export interface EtcdBackendOptions extends EtcdConnectionOptions, CompactionOptions {
  /** Prepended to every key (default none: keys are stored as `/registry/...`). */
  prefix?: string;
  /** How long opening waits for etcd to answer before failing. Default: requestTimeoutMs. */
  dialTimeoutMs?: number;
  /** Events a watcher may leave unread before it is dropped. Default 10,000. */
  watchBufferSize?: number;
}

/** Connects and checks that etcd answers; rejects with a message naming the endpoints when it does not. */
export async function openEtcdBackend(opts: EtcdBackendOptions): Promise<EtcdBackend> {
  const backend = new EtcdBackend(opts);
  try {
    await backend.ping(opts.dialTimeoutMs);
  } catch (e) {
    await backend.close();
    const reason = e instanceof Error ? e.message.replace(/^[^:]*failed: /, '') : String(e);
    throw new Error(`Open etcd datastore failed: ${reason}`);
  }
  backend.startCompactor();
  return backend;
}

export class EtcdBackend implements Backend {
  private readonly client: Etcd3;
  private readonly space: KeySpace;
  private readonly where: string;
  private readonly watches = new Set<Subscription>();
  private readonly compactor: Compactor;
  private closed = false;
  /** Highest revision any response reported (for the compactor's samples). */
  private seen = 0;
  /** A lower bound of etcd's compacted revision; see compacted-revision.ts. */
  private compacted = 0;
  /** A key no Backend caller uses (keys are not empty), read to learn revisions cheaply. */
  private readonly probeKey: Buffer;

  constructor(private readonly opts: EtcdBackendOptions) {
    this.client = connectEtcd(opts);
    this.space = new KeySpace(opts.prefix);
    this.probeKey = this.space.key('\0');
    this.where = opts.endpoints.join(',');
    this.compactor = new Compactor({ currentRevision: () => this.seen, compactedRevision: () => this.compacted, compact: (r) => this.compact(r) }, opts);
  }

  /** Starts background compaction (openEtcdBackend does, once etcd answered). */
  startCompactor(): void {
    this.compactor.start();
  }

  /** One cheap read within timeoutMs; rejects with the mapped StorageError. */
  async ping(timeoutMs?: number): Promise<number> {
    const res = await this.range('Connect', { key: this.probeKey, count_only: true }, timeoutMs);
    return Number(res.header.revision);
  }

  async get(key: string, opts: { revision?: number } = {}): Promise<KeyValue | undefined> {
    const res = await this.range('Get', { key: this.space.key(key), revision: opts.revision || undefined });
    const raw = res.kvs[0];
    return raw ? this.space.kv(raw) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const limit = opts.limit && opts.limit > 0 ? opts.limit : undefined;
    const res = await this.range('List', { ...this.space.range(prefix, opts.startAfter), limit, revision: opts.revision || undefined });
    const items = res.kvs.map((raw) => this.space.kv(raw));
    // etcd's count is every key in the range, returned or not; its header holds the current
    // revision even for a read at an older one.
    return { items, revision: opts.revision || Number(res.header.revision), remaining: Number(res.count) - items.length };
  }

  async count(prefix: string): Promise<number> {
    return Number((await this.range('Count', { ...this.space.range(prefix), count_only: true })).count);
  }

  async create(key: string, value: string): Promise<KeyValue> {
    const k = this.space.key(key);
    const res = await this.txn('Create', {
      compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key: k, value: Buffer.from(value) } }],
    });
    if (!res.succeeded) throw new StorageError('KeyExists', `Create failed: key ${key} exists`);
    const rev = Number(res.header.revision);
    return { key, value, createRevision: rev, modRevision: rev };
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    const k = this.space.key(key);
    const res = await this.txn('Update', {
      compare: [
        { key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRevision },
        { key: k, target: 'Create', result: 'Greater', create_revision: 0 },
      ],
      success: [{ request_put: { key: k, value: Buffer.from(value), prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    });
    if (!res.succeeded) throw this.mismatch('Update', key, res);
    const prev = res.responses[0]!.response_put.prev_kv;
    return { key, value, createRevision: Number(prev.create_revision), modRevision: Number(res.header.revision) };
  }

  async delete(key: string, expectedRevision?: number): Promise<{ revision: number; prevKv: KeyValue }> {
    const k = this.space.key(key);
    const compare: ITxnRequest['compare'] = [{ key: k, target: 'Create', result: 'Greater', create_revision: 0 }];
    if (expectedRevision !== undefined) compare.push({ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRevision });
    const res = await this.txn('Delete', {
      compare,
      success: [{ request_delete_range: { key: k, prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    });
    if (!res.succeeded) throw this.mismatch('Delete', key, res);
    const prev = res.responses[0]!.response_delete_range.prev_kvs[0]!;
    return { revision: Number(res.header.revision), prevKv: this.space.kv(prev) };
  }

  watch(prefix: string, opts: WatchOptions): WatchStream {
    const { stream, sub } = openEtcdWatch(
      {
        space: this.space,
        bufferSize: this.opts.watchBufferSize ?? DEFAULT_WATCH_BUFFER,
        openStream: () => this.client.watchClient.watch(),
        precheck: async (after) => {
          this.assertOpen('Watch');
          const compacted = await this.compactedRevision();
          if (after < compacted) throw compactedError(after, compacted);
        },
        sawRevision: (r) => this.saw(r),
        sawCompacted: (r) => (this.compacted = Math.max(this.compacted, r)),
        errorOf: (e) => (this.closed ? closedError('Watch') : storageErrorOf(e, 'Watch', this.where)),
        ended: (s) => this.watches.delete(s),
      },
      prefix,
      opts,
    );
    if (this.closed) sub.fail(closedError('Watch'));
    else if (!sub.ended) this.watches.add(sub);
    return stream;
  }

  async currentRevision(): Promise<number> {
    return this.ping();
  }

  async compactedRevision(): Promise<number> {
    const probe = { key: this.probeKey, count_only: true };
    const found = await findCompactedRevision(this.compacted, () => this.ping(), async (revision) => {
      try {
        await this.range('Read compacted revision', { ...probe, revision });
        return true;
      } catch (e) {
        if (e instanceof StorageError && e.code === 'Compacted') return false;
        throw e;
      }
    });
    this.compacted = Math.max(this.compacted, found);
    return this.compacted;
  }

  async compact(revision: number): Promise<void> {
    this.assertOpen('Compact');
    try {
      await this.client.kv.compact({ revision }, this.deadline());
      this.compacted = Math.max(this.compacted, revision);
    } catch (e) {
      const err = storageErrorOf(e, 'Compact', this.where);
      if (err.code === 'Compacted') return; // at or below etcd's compacted revision: nothing to do
      if (err.code === 'Internal' && /newer than the current/.test(err.message)) {
        throw new StorageError('Internal', `Compact failed: revision ${revision} is newer than the current revision ${await this.ping()}`);
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.compactor.stop();
    for (const sub of [...this.watches]) sub.fail(closedError('Watch'));
    this.client.close();
  }

  private async range(action: string, req: IRangeRequest, timeoutMs?: number) {
    this.assertOpen(action);
    try {
      const res = await this.client.kv.range(req, this.deadline(timeoutMs));
      this.saw(Number(res.header.revision));
      return res;
    } catch (e) {
      throw this.closed ? closedError(action) : storageErrorOf(e, action, this.where);
    }
  }

  private async txn(action: string, req: ITxnRequest): Promise<ITxnResponse> {
    this.assertOpen(action);
    try {
      const res = await this.client.kv.txn(req, this.deadline());
      this.saw(Number(res.header.revision));
      return res;
    } catch (e) {
      throw this.closed ? closedError(action) : storageErrorOf(e, action, this.where);
    }
  }

  /** The failure branch of a guarded write read the key: absent is NotFound, present a Conflict. */
  private mismatch(action: string, key: string, res: ITxnResponse): StorageError {
    const raw = res.responses[0]?.response_range?.kvs[0];
    if (!raw) return new StorageError('NotFound', `${action} failed: key ${key} not found`);
    const current = this.space.kv(raw);
    return new StorageError('Conflict', `${action} failed: key ${key} is at revision ${current.modRevision}`, current);
  }

  private deadline(timeoutMs = this.opts.requestTimeoutMs) {
    return timeoutMs === undefined ? undefined : { deadline: Date.now() + timeoutMs };
  }

  private saw(revision: number): void {
    if (revision > this.seen) this.seen = revision;
  }

  private assertOpen(action: string): void {
    if (this.closed) throw closedError(action);
  }
}
