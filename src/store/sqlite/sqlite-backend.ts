// SQLite backend: kine's append-only log (after k3s-io/kine pkg/logstructured/sqllog and
// pkg/drivers/sqlite) on better-sqlite3, single process.
//
// - Writes go through group commit: one transaction per event-loop turn, one revision per
//   successful op, a per-op outcome, resolution only after the durable commit.
// - After a commit its events go to the broadcaster as one batch; there is no polling because
//   only this process writes the file.
// - Revisions come from an in-memory counter seeded from AUTOINCREMENT's sequence, so a revision
//   is never reused across restarts, compaction or deletes.
// - Compaction deletes superseded rows and tombstones at or below the target in batches of
//   `compactBatchSize` revisions, each batch in its own transaction that also records the
//   compacted revision in `meta`, so progress is durable and writes interleave.

import Database from 'better-sqlite3';
import { StorageError, type Backend, type KeyValue, type ListOptions, type ListResult, type WatchEvent, type WatchOptions, type WatchStream } from '../backend.ts';
import { Broadcaster } from '../broadcaster.ts';
import { Compactor, type CompactionOptions } from '../compactor.ts';
import { closedError, readRevision, shouldCompact } from '../revisions.ts';
import { openWatchStream } from '../watch-stream.ts';
import { GroupCommit, type GroupCommitStats, type Outcome } from './group-commit.ts';
import { LogTable, openLogDatabase, type EventRow, type LogRow } from './log-table.ts';

export interface SqliteBackendOptions extends CompactionOptions {
  /** Database file (created when missing); ':memory:' for a throwaway store. */
  path: string;
  /** Events a watcher may leave unread before it is dropped. Default 10,000. */
  watchBufferSize?: number;
  /** Revisions compacted per transaction. Default 1000. */
  compactBatchSize?: number;
  /** Most writes committed in one transaction. Default 1000. */
  maxCommitBatch?: number;
}

type WriteOp =
  | { kind: 'create'; key: string; value: string }
  | { kind: 'update'; key: string; value: string; expected: number }
  | { kind: 'delete'; key: string; expected?: number };

const COMPACT_KEY = 'compact_revision';

export async function openSqliteBackend(opts: SqliteBackendOptions): Promise<SqliteBackend> {
  return new SqliteBackend(opts);
}

export class SqliteBackend implements Backend {
  private readonly log: LogTable;
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

  constructor(private readonly opts: SqliteBackendOptions) {
    this.log = new LogTable(openLogDatabase(opts.path));
    this.compacted = this.log.getMeta(COMPACT_KEY) ?? 0;
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

  async create(key: string, value: string): Promise<KeyValue> {
    this.assertOpen('Create');
    return (await this.writes.submit({ kind: 'create', key, value })).kv;
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    this.assertOpen('Update');
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
        this.log.db.transaction(() => {
          this.log.compactRange(from, to);
          this.log.setMeta(COMPACT_KEY, to);
        }).immediate();
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
    this.writes.flush(true);
    this.closed = true;
    this.compactor.stop();
    await this.compaction;
    this.broadcaster.close(closedError('Watch'));
    this.log.db.close();
  }

  private readonly history = {
    currentRevision: () => this.rev,
    compactedRevision: () => this.compacted,
    readEvents: (prefix: string, after: number, upTo: number, limit: number) =>
      this.log.events(prefix, after, upTo, limit).map(toEvent),
  };

  /** One transaction for a group of ops; a StorageError or unique violation fails only its op. */
  private commit(ops: WriteOp[]): Outcome<WatchEvent>[] {
    if (this.closed) return ops.map(() => ({ ok: false, error: closedError('Write') }));
    const outcomes: Outcome<WatchEvent>[] = [];
    const events: WatchEvent[] = [];
    let rev = this.rev;
    try {
      this.log.db.transaction(() => {
        for (const op of ops) {
          try {
            const e = this.apply(op, rev + 1);
            rev = e.revision;
            events.push(e);
            outcomes.push({ ok: true, value: e });
          } catch (error) {
            if (!(error instanceof StorageError) && !isUniqueViolation(error)) throw error;
            if (isUniqueViolation(error)) this.recent.delete(op.key);
            outcomes.push({ ok: false, error: isUniqueViolation(error) ? conflictAfterRace(op) : error });
          }
        }
      }).immediate();
    } catch (error) {
      // Rolled back: what apply() remembered from inside the transaction may not exist.
      this.recent.clear();
      const failed = new StorageError('Internal', `Write failed: ${error instanceof Error ? error.message : String(error)}`);
      return ops.map(() => ({ ok: false, error: failed }));
    }
    this.rev = rev;
    for (const e of events) this.remember(e.kv.key, e.type === 'delete' ? null : e.kv);
    this.broadcaster.publish(events);
    return outcomes;
  }

  /** Checks op's precondition against the newest row and appends its row at revision. */
  private apply(op: WriteOp, revision: number): WatchEvent {
    const cur = this.log.latest(op.key);
    const live = cur && !cur.deleted ? cur : undefined;
    const row: LogRow = { id: revision, name: op.key, created: 0, deleted: 0, create_revision: 0, prev_revision: cur?.id ?? 0, value: '' };
    if (op.kind === 'create') {
      if (live) {
        this.remember(op.key, toKv(live));
        throw new StorageError('KeyExists', `Create failed: key ${op.key} already exists`, toKv(live));
      }
      this.log.insert({ ...row, created: 1, create_revision: revision, value: op.value });
      return { type: 'create', revision, kv: { key: op.key, value: op.value, createRevision: revision, modRevision: revision } };
    }
    const action = op.kind === 'update' ? 'Update' : 'Delete';
    if (!live) {
      this.remember(op.key, null);
      throw new StorageError('NotFound', `${action} failed: key ${op.key} not found`);
    }
    if (op.expected !== undefined && op.expected !== live.id) {
      this.remember(op.key, toKv(live));
      throw new StorageError('Conflict', `${action} failed: key ${op.key} is at revision ${live.id}, not ${op.expected}`, toKv(live));
    }
    const value = op.kind === 'update' ? op.value : live.value;
    this.log.insert({ ...row, deleted: op.kind === 'delete' ? 1 : 0, create_revision: live.create_revision, value });
    const kv = { key: op.key, value, createRevision: live.create_revision, modRevision: revision };
    return { type: op.kind, revision, kv, prevKv: toKv(live) };
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

function toKv(r: LogRow): KeyValue {
  return { key: r.name, value: r.value, createRevision: r.create_revision, modRevision: r.id };
}

function toEvent(r: EventRow): WatchEvent {
  const kv = toKv(r);
  if (r.created) return { type: 'create', revision: r.id, kv };
  const prevKv = r.p_id === null ? undefined : { key: r.name, value: r.p_value!, createRevision: r.p_create!, modRevision: r.p_id };
  return { type: r.deleted ? 'delete' : 'update', revision: r.id, kv, ...(prevKv && { prevKv }) };
}

function isUniqueViolation(e: unknown): boolean {
  return e instanceof Database.SqliteError && e.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Another writer of the same file won the (name, prev_revision) race; this process never races itself. */
function conflictAfterRace(op: WriteOp): StorageError {
  return op.kind === 'create'
    ? new StorageError('KeyExists', `Create failed: key ${op.key} already exists`)
    : new StorageError('Conflict', `Write failed: key ${op.key} was changed concurrently`);
}
