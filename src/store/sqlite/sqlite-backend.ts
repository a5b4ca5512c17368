// SQLite backend: kine's append-only log (after k3s-io/kine pkg/logstructured/sqllog and
// pkg/drivers/sqlite) on better-sqlite3, single process.
//
// - Writes go through group commit: one transaction at a time holding every op submitted since
//   the previous one, one revision per successful op, a per-op outcome, resolution only after the
//   durable commit. A file database commits in a writer thread (writer.ts), so fsync never
//   blocks the event loop; this thread keeps a read-only connection.
// - After a commit its events go to the broadcaster as one batch; there is no polling because
//   only this process writes the file.
// - Revisions come from an in-memory counter seeded from AUTOINCREMENT's sequence, so a revision
//   is never reused across restarts, compaction or deletes.
// - Compaction deletes superseded rows and tombstones at or below the target in batches of
//   `compactBatchSize` revisions, each batch in its own transaction that also records the
//   compacted revision in `meta`, so progress is durable and writes interleave.

import { StorageError, type Backend, type KeyValue, type ListOptions, type ListResult, type WatchEvent, type WatchOptions, type WatchStream } from '../backend.ts';
import { Broadcaster } from '../broadcaster.ts';
import { Compactor, type CompactionOptions } from '../compactor.ts';
import { closedError, readRevision, shouldCompact } from '../revisions.ts';
import { openWatchStream } from '../watch-stream.ts';
import { compactedRevisionOf, toKv, type OpOutcome, type WriteOp } from './commit-ops.ts';
import { GroupCommit, type GroupCommitStats, type Outcome } from './group-commit.ts';
import { LogTable, openLogDatabase, type EventRow } from './log-table.ts';
import { inThreadWriter, threadWriter, type Writer } from './writer.ts';

export interface SqliteBackendOptions extends CompactionOptions {
  /** Database file (created when missing); ':memory:' for a throwaway store. */
  path: string;
  /** Events a watcher may leave unread before it is dropped. Default 10,000. */
  watchBufferSize?: number;
  /** Revisions compacted per transaction. Default 1000. */
  compactBatchSize?: number;
  /** Most writes committed in one transaction. Default 1000. */
  maxCommitBatch?: number;
  /** Commit in this thread even for a file (a writer thread is the default for files). */
  inThread?: boolean;
  /**
   * Size budget of the database file in bytes (default 8 GiB, etcd's recommended maximum): past
   * 80% a warning is said once, past it creates and updates are refused (deletes go on, so room
   * can be made). 0: no budget.
   */
  quotaBytes?: number;
  /** Where the warning goes (default: stderr). */
  warn?: (message: string) => void;
}

export const DEFAULT_QUOTA_BYTES = 8 * 1024 ** 3;

const gib = (n: number) => (n < 1024 ** 3 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${(n / 1024 ** 3).toFixed(1)} GiB`);

export async function openSqliteBackend(opts: SqliteBackendOptions): Promise<SqliteBackend> {
  return new SqliteBackend(opts);
}

export class SqliteBackend implements Backend {
  private readonly log: LogTable;
  private readonly writer: Writer;
  private readonly writes: GroupCommit<WriteOp, WatchEvent>;
  private readonly broadcaster: Broadcaster;
  private readonly compactor: Compactor;
  private rev: number;
  private compacted: number;
  private closed = false;
  private compaction: Promise<void> = Promise.resolve();
  // The newest value of recently written or read keys (null: deleted). This process is the only
  // writer (the data-dir lock), so an entry is replaced by every commit that touches its key and
  // a read of the newest revision need not query the table; a conflict refreshes it from the table.
  private readonly recent = new Map<string, KeyValue | null>();
  private sizeCheckedAt = -Infinity;
  private size = 0;
  private warned = false;

  constructor(private readonly opts: SqliteBackendOptions) {
    this.log = new LogTable(openLogDatabase(opts.path));
    this.writer = opts.inThread || opts.path === ':memory:' ? inThreadWriter(this.log) : threadWriter(opts.path, this.log);
    this.compacted = compactedRevisionOf(this.log);
    this.rev = Math.max(this.log.highestRevision(), this.compacted);
    this.writes = new GroupCommit((ops) => this.commit(ops), opts.maxCommitBatch);
    this.broadcaster = new Broadcaster({ bufferSize: opts.watchBufferSize });
    this.compactor = new Compactor(
      { currentRevision: () => this.rev, compactedRevision: () => this.compacted, compact: (r) => this.compact(r) },
      opts,
    );
    this.compactor.start();
  }

  /** Transactions and ops committed so far (group commit makes transactions < ops under load). */
  get commitStats(): Readonly<GroupCommitStats> {
    return this.writes.stats;
  }

  async get(key: string, opts: { revision?: number } = {}): Promise<KeyValue | undefined> {
    this.assertOpen('Get');
    if (opts.revision === undefined) {
      const hit = this.recent.get(key);
      if (hit !== undefined) return hit ?? undefined;
    }
    const row = this.log.at(key, readRevision(opts.revision, this.rev, this.compacted));
    const kv = row && !row.deleted ? toKv(row) : undefined;
    if (opts.revision === undefined) this.remember(key, kv ?? null);
    return kv;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.assertOpen('List');
    const at = readRevision(opts.revision, this.rev, this.compacted);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : -1;
    const rows = this.log.list(prefix, opts.startAfter, at, limit);
    const items = rows.map((r) => ({ key: r.name, value: r.value, createRevision: r.create_revision, modRevision: r.id }));
    const remaining = limit > 0 && rows.length === limit ? this.log.count(prefix, at, rows[rows.length - 1]!.name) : 0;
    return { items, revision: at, remaining };
  }

  async count(prefix: string): Promise<number> {
    this.assertOpen('Count');
    return this.log.count(prefix, this.rev);
  }

  /** The database's size, read at most every 500 ms (the header's page count: cheap, but not free). */
  databaseBytes(): number {
    const now = performance.now();
    if (now - this.sizeCheckedAt > 500) {
      this.sizeCheckedAt = now;
      this.size = (this.log.db.pragma('page_count', { simple: true }) as number) * (this.log.db.pragma('page_size', { simple: true }) as number);
    }
    return this.size;
  }

  /** Creates and updates stop at the size budget; deletes never do. */
  private checkQuota(action: string): void {
    const quota = this.opts.quotaBytes ?? DEFAULT_QUOTA_BYTES;
    if (quota <= 0) return;
    const size = this.databaseBytes();
    if (size >= quota) {
      throw new StorageError('QuotaExceeded', `${action} refused: the datastore is over its size budget (${gib(size)} of ${gib(quota)}): delete objects (deletes are still accepted, and compaction gives their space back) or restart k8ts with a larger --datastore-quota`);
    }
    if (!this.warned && size >= quota * 0.8) {
      this.warned = true;
      (this.opts.warn ?? ((m) => process.stderr.write(`k8ts: ${m}\n`)))(`warning: the datastore holds ${gib(size)}, over 80% of its ${gib(quota)} budget; past it, creates and updates are refused (--datastore-quota sets the budget)`);
    }
  }

  async create(key: string, value: string): Promise<KeyValue> {
    this.assertOpen('Create');
    this.checkQuota('Create');
    return (await this.writes.submit({ kind: 'create', key, value })).kv;
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    this.assertOpen('Update');
    this.checkQuota('Update');
    return (await this.writes.submit({ kind: 'update', key, value, expected: expectedRevision })).kv;
  }

  async delete(key: string, expectedRevision?: number): Promise<{ revision: number; prevKv: KeyValue }> {
    this.assertOpen('Delete');
    const e = await this.writes.submit({ kind: 'delete', key, expected: expectedRevision });
    return { revision: e.revision, prevKv: e.prevKv! };
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

  /** Resolves once history at or below revision is gone and the new floor is durable. */
  compact(revision: number): Promise<void> {
    const run = async () => {
      this.assertOpen('Compact');
      if (!shouldCompact(revision, this.rev, this.compacted)) return;
      const step = this.opts.compactBatchSize ?? 1000;
      while (this.compacted < revision) {
        this.assertOpen('Compact');
        const from = this.compacted;
        const to = Math.min(revision, from + step);
        await this.writer.compact(from, to);
        this.compacted = to;
        if (to < revision) await new Promise((r) => setImmediate(r)); // let writes in between batches
      }
    };
    const next = this.compaction.then(run, run);
    this.compaction = next.catch(() => undefined);
    return next;
  }

  /** Background compaction pass (tests drive it with a fake clock). Resolves to the target or 0. */
  compactNow(): Promise<number> {
    return this.compactor.tick();
  }

  /** Commits queued writes, fails watches with Closed, and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.writes.drain();
    this.closed = true;
    this.compactor.stop();
    await this.compaction;
    this.broadcaster.close(closedError('Watch'));
    await this.writer.close();
    this.log.db.close();
  }

  private readonly history = {
    currentRevision: () => this.rev,
    compactedRevision: () => this.compacted,
    readEvents: (prefix: string, after: number, upTo: number, limit: number) =>
      this.log.events(prefix, after, upTo, limit).map(toEvent),
  };

  /** One transaction for a group of ops; a refused op (precondition, race) fails only itself. */
  private async commit(ops: WriteOp[]): Promise<Outcome<WatchEvent>[]> {
    if (this.closed) return ops.map(() => ({ ok: false, error: closedError('Write') }));
    const result = await this.writer.commit(ops, this.rev);
    if (!result.ok) {
      // Rolled back as a whole; the table is the truth again for every key.
      this.recent.clear();
      const failed = new StorageError('Internal', `Write failed: ${result.message}`);
      return ops.map(() => ({ ok: false, error: failed }));
    }
    const events: WatchEvent[] = [];
    const outcomes = ops.map((op, i): Outcome<WatchEvent> => {
      const o = result.outcomes[i]!;
      if (!o.ok) return { ok: false, error: this.refused(op, o) };
      const e = eventOf(op, o);
      events.push(e);
      this.remember(op.key, e.type === 'delete' ? null : e.kv);
      return { ok: true, value: e };
    });
    this.rev = Math.max(this.rev, result.rev);
    this.broadcaster.publish(events);
    return outcomes;
  }

  /** The StorageError of a refused op; what it revealed of the key refreshes the read cache. */
  private refused(op: WriteOp, o: Extract<OpOutcome, { ok: false }>): StorageError {
    if (o.race) this.recent.delete(op.key);
    else this.remember(op.key, o.code === 'NotFound' ? null : (o.live ?? null));
    return new StorageError(o.code, o.message, o.live);
  }

  private remember(key: string, kv: KeyValue | null): void {
    this.recent.delete(key);
    if (this.recent.size >= RECENT_KEYS) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(key, kv);
  }

  private assertOpen(action: string): void {
    if (this.closed) throw closedError(action);
  }
}

// Enough for the keys a busy cluster rewrites within seconds (pods starting, leases), a few
// tens of MB at most.
const RECENT_KEYS = 8192;

function eventOf(op: WriteOp, o: Extract<OpOutcome, { ok: true }>): WatchEvent {
  if (op.kind === 'create') return { type: 'create', revision: o.revision, kv: { key: op.key, value: op.value, createRevision: o.revision, modRevision: o.revision } };
  const value = op.kind === 'update' ? op.value : o.prev!.value;
  return { type: op.kind, revision: o.revision, kv: { key: op.key, value, createRevision: o.createRevision, modRevision: o.revision }, prevKv: o.prev };
}

function toEvent(r: EventRow): WatchEvent {
  const kv = toKv(r);
  if (r.created) return { type: 'create', revision: r.id, kv };
  const prevKv = r.p_id === null ? undefined : { key: r.name, value: r.p_value!, createRevision: r.p_create!, modRevision: r.p_id };
  return { type: r.deleted ? 'delete' : 'update', revision: r.id, kv, ...(prevKv && { prevKv }) };
}
