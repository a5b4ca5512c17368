// In-memory MVCC backend: the same append-only log model as the SQLite backend (after
// k3s-io/kine pkg/logstructured/sqllog), held in maps and arrays. Every version of a key is kept
// until compaction, so reads at a past revision and watches from a past revision work.
//
// Writes commit synchronously, so each write is its own transaction and its own watch batch.
// Keys are ordered by JavaScript string comparison (UTF-16 code units); for the ASCII keys the
// registry writes this is the same order as SQLite's.

import { StorageError, type Backend, type KeyValue, type ListOptions, type ListResult, type WatchEvent, type WatchOptions, type WatchStream } from '../backend.ts';
import { Broadcaster } from '../broadcaster.ts';
import { Compactor, type CompactionOptions } from '../compactor.ts';
import { closedError, readRevision, shouldCompact } from '../revisions.ts';
import { openWatchStream } from '../watch-stream.ts';

export interface MemoryBackendOptions extends CompactionOptions {
  /** Events a watcher may leave unread before it is dropped. Default 10,000. */
  watchBufferSize?: number;
}

/** One version of a key; a tombstone carries the last value and the delete's revision. */
interface Version {
  kv: KeyValue;
  deleted: boolean;
}

export function createMemoryBackend(opts: MemoryBackendOptions = {}): MemoryBackend {
  return new MemoryBackend(opts);
}

export class MemoryBackend implements Backend {
  private rev = 0;
  private compacted = 0;
  private closed = false;
  /** Versions per key, oldest first. */
  private readonly versions = new Map<string, Version[]>();
  /** Every key in `versions`, sorted. */
  private keys: string[] = [];
  /** Events with revision > compacted; log[i].revision === compacted + 1 + i. */
  private log: WatchEvent[] = [];
  private readonly broadcaster: Broadcaster;
  private readonly compactor: Compactor;

  constructor(private readonly opts: MemoryBackendOptions = {}) {
    this.broadcaster = new Broadcaster({ bufferSize: opts.watchBufferSize });
    this.compactor = new Compactor(
      { currentRevision: () => this.rev, compactedRevision: () => this.compacted, compact: (r) => this.compact(r) },
      opts,
    );
    this.compactor.start();
  }

  async get(key: string, opts: { revision?: number } = {}): Promise<KeyValue | undefined> {
    this.assertOpen('Get');
    const at = readRevision(opts.revision, this.rev, this.compacted);
    return this.liveAt(key, at);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.assertOpen('List');
    const at = readRevision(opts.revision, this.rev, this.compacted);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const start = opts.startAfter !== undefined && opts.startAfter >= prefix ? opts.startAfter : undefined;
    const items: KeyValue[] = [];
    let remaining = 0;
    for (let i = start === undefined ? lowerBound(this.keys, prefix) : upperBound(this.keys, start); i < this.keys.length; i++) {
      const key = this.keys[i]!;
      if (!key.startsWith(prefix)) break;
      const kv = this.liveAt(key, at);
      if (!kv) continue;
      if (items.length < limit) items.push(kv);
      else remaining++;
    }
    return { items, revision: at, remaining };
  }

  async count(prefix: string): Promise<number> {
    return (await this.list(prefix)).items.length;
  }

  async create(key: string, value: string): Promise<KeyValue> {
    this.assertOpen('Create');
    const cur = this.latest(key);
    if (cur && !cur.deleted) throw new StorageError('KeyExists', `Create failed: key ${key} already exists`, cur.kv);
    const rev = this.rev + 1;
    const kv = freezeKv({ key, value, createRevision: rev, modRevision: rev });
    this.append(key, { kv, deleted: false }, { type: 'create', revision: rev, kv });
    return kv;
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    this.assertOpen('Update');
    const cur = this.current(key, 'Update');
    if (cur.modRevision !== expectedRevision) {
      throw new StorageError('Conflict', `Update failed: key ${key} is at revision ${cur.modRevision}, not ${expectedRevision}`, cur);
    }
    const rev = this.rev + 1;
    const kv = freezeKv({ key, value, createRevision: cur.createRevision, modRevision: rev });
    this.append(key, { kv, deleted: false }, { type: 'update', revision: rev, kv, prevKv: cur });
    return kv;
  }

  async delete(key: string, expectedRevision?: number): Promise<{ revision: number; prevKv: KeyValue }> {
    this.assertOpen('Delete');
    const cur = this.current(key, 'Delete');
    if (expectedRevision !== undefined && cur.modRevision !== expectedRevision) {
      throw new StorageError('Conflict', `Delete failed: key ${key} is at revision ${cur.modRevision}, not ${expectedRevision}`, cur);
    }
    const rev = this.rev + 1;
    const kv = freezeKv({ key, value: cur.value, createRevision: cur.createRevision, modRevision: rev });
    this.append(key, { kv, deleted: true }, { type: 'delete', revision: rev, kv, prevKv: cur });
    return { revision: rev, prevKv: cur };
  }

  /** After close() the stream fails with Closed on first read. */
  watch(prefix: string, opts: WatchOptions): WatchStream {
    return openWatchStream(this.broadcaster, this.history, prefix, { ...opts, bufferSize: this.opts.watchBufferSize });
  }

  async currentRevision(): Promise<number> {
    this.assertOpen('Read revision');
    return this.rev;
  }

  async compactedRevision(): Promise<number> {
    this.assertOpen('Read revision');
    return this.compacted;
  }

  /** Keeps, per key, the newest version at or below revision (unless it is a tombstone) and all later ones. */
  async compact(revision: number): Promise<void> {
    this.assertOpen('Compact');
    if (!shouldCompact(revision, this.rev, this.compacted)) return;
    for (const [key, list] of this.versions) {
      let keep = 0;
      while (keep + 1 < list.length && list[keep + 1]!.kv.modRevision <= revision) keep++;
      const drop = list[keep]!.kv.modRevision <= revision && list[keep]!.deleted ? keep + 1 : keep;
      if (drop > 0) list.splice(0, drop);
      if (list.length === 0) this.versions.delete(key);
    }
    if (this.keys.length !== this.versions.size) this.keys = this.keys.filter((k) => this.versions.has(k));
    this.log = this.log.slice(revision - this.compacted);
    this.compacted = revision;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.compactor.stop();
    this.broadcaster.close(closedError('Watch'));
  }

  /** Background compaction pass (tests drive it with a fake clock). */
  compactNow(): Promise<number> {
    return this.compactor.tick();
  }

  private readonly history = {
    currentRevision: () => this.rev,
    compactedRevision: () => this.compacted,
    readEvents: (prefix: string, after: number, upTo: number, limit: number): WatchEvent[] => {
      const out: WatchEvent[] = [];
      for (let r = after + 1; r <= upTo && out.length < limit; r++) {
        const e = this.log[r - this.compacted - 1];
        if (e && e.kv.key.startsWith(prefix)) out.push(e);
      }
      return out;
    },
  };

  private append(key: string, version: Version, event: WatchEvent): void {
    let list = this.versions.get(key);
    if (!list) {
      list = [];
      this.versions.set(key, list);
      this.keys.splice(lowerBound(this.keys, key), 0, key);
    }
    list.push(version);
    this.rev = event.revision;
    this.log.push(Object.freeze(event));
    this.broadcaster.publish([event]);
  }

  private latest(key: string): Version | undefined {
    const list = this.versions.get(key);
    return list?.[list.length - 1];
  }

  private current(key: string, action: string): KeyValue {
    const v = this.latest(key);
    if (!v || v.deleted) throw new StorageError('NotFound', `${action} failed: key ${key} not found`);
    return v.kv;
  }

  private liveAt(key: string, at: number): KeyValue | undefined {
    const list = this.versions.get(key);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const v = list[i]!;
      if (v.kv.modRevision <= at) return v.deleted ? undefined : v.kv;
    }
    return undefined;
  }

  private assertOpen(action: string): void {
    if (this.closed) throw closedError(action);
  }
}

function freezeKv(kv: KeyValue): KeyValue {
  return Object.freeze(kv);
}

/** First index whose key is >= key. */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose key is > key. */
function upperBound(keys: readonly string[], key: string): number {
  const i = lowerBound(keys, key);
  return i < keys.length && keys[i] === key ? i + 1 : i;
}
