// The append-only log table and its prepared statements (after k3s-io/kine
// pkg/drivers/sqlite and pkg/drivers/generic: one row per write, row id = revision).
//
// A row is a create (created = 1), an update, or a tombstone (deleted = 1, value = last value).
// prev_revision points at the row this one supersedes (0 for the first create of a name);
// UNIQUE(name, prev_revision) makes two writes from the same base impossible even if a second
// process opened the file. The newest row per name (at or below a revision) is that name's state;
// the index (name, id, deleted) finds it and answers counts without touching the table.

import Database from 'better-sqlite3';

export interface LogRow {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: string;
}

/** A replayed row joined with the row it superseded (absent for creates). */
export interface EventRow extends LogRow {
  p_id: number | null;
  p_create: number | null;
  p_value: string | null;
}

export interface ListRow {
  id: number;
  name: string;
  create_revision: number;
  value: string;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS kv (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    created INTEGER NOT NULL,
    deleted INTEGER NOT NULL,
    create_revision INTEGER NOT NULL,
    prev_revision INTEGER NOT NULL,
    value TEXT NOT NULL
  );
  CREATE UNIQUE INDEX IF NOT EXISTS kv_name_prev_revision ON kv (name, prev_revision);
  CREATE INDEX IF NOT EXISTS kv_name_id_deleted ON kv (name, id, deleted);
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
`;

const COLS = 'id, name, created, deleted, create_revision, prev_revision, value';

/** Newest row id (and its tombstone flag) per name in a key range at a revision, index only. */
const latestPerName = (lower: '>=' | '>') =>
  `SELECT MAX(id) AS id, deleted FROM kv WHERE name ${lower} ? AND name < ? AND id <= ? GROUP BY name`;

/**
 * Upper bound of the key range for prefix. SQLite compares TEXT as UTF-8 bytes and U+10FFFF has
 * the largest encoding, so every key starting with prefix sorts below prefix + U+10FFFF (keys
 * continuing with U+10FFFF itself, a noncharacter, are not supported).
 */
export function prefixEnd(prefix: string): string {
  return prefix + '\u{10FFFF}';
}

export function openLogDatabase(path: string): Database.Database {
  const db = new Database(path);
  // WAL + FULL: a commit returns only after the WAL is fsynced, so an acknowledged write
  // survives kill -9 and power loss; readers never block the writer.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  // Incremental auto-vacuum lets compaction return freed pages (PRAGMA incremental_vacuum) so the
  // file shrinks with the live data. A database made before it is converted once by a VACUUM.
  if (db.pragma('auto_vacuum', { simple: true }) !== 2) {
    db.pragma('auto_vacuum = INCREMENTAL');
    db.exec('VACUUM');
  }
  db.exec(SCHEMA);
  return db;
}

export class LogTable {
  private readonly s;

  constructor(readonly db: Database.Database) {
    const p = <P extends unknown[], R>(sql: string) => db.prepare<P, R>(sql);
    this.s = {
      latest: p<[string], LogRow>(`SELECT ${COLS} FROM kv WHERE name = ? ORDER BY id DESC LIMIT 1`),
      at: p<[string, number], LogRow>(`SELECT ${COLS} FROM kv WHERE name = ? AND id <= ? ORDER BY id DESC LIMIT 1`),
      insert: p<[number, string, number, number, number, number, string], unknown>(`INSERT INTO kv (${COLS}) VALUES (?, ?, ?, ?, ?, ?, ?)`),
      listFrom: p<[string, string, number, number], ListRow>(listSql('>=')),
      listAfter: p<[string, string, number, number], ListRow>(listSql('>')),
      countFrom: p<[string, string, number], { n: number }>(countSql('>=')),
      countAfter: p<[string, string, number], { n: number }>(countSql('>')),
      events: p<[number, number, string, string, number], EventRow>(
        `SELECT r.id, r.name, r.created, r.deleted, r.create_revision, r.prev_revision, r.value,
           p.id AS p_id, p.create_revision AS p_create, p.value AS p_value
         FROM kv AS r LEFT JOIN kv AS p ON p.id = r.prev_revision AND r.created = 0
         WHERE r.id > ? AND r.id <= ? AND r.name >= ? AND r.name < ? ORDER BY r.id LIMIT ?`,
      ),
      compact: p<[number, number, number, number], unknown>(
        `DELETE FROM kv WHERE id IN (
           SELECT prev_revision FROM kv WHERE id > ? AND id <= ? AND prev_revision != 0
           UNION SELECT id FROM kv WHERE id > ? AND id <= ? AND deleted = 1)`,
      ),
      maxId: p<[], { n: number | null }>(`SELECT MAX(id) AS n FROM kv`),
      sequence: p<[], { n: number }>(`SELECT seq AS n FROM sqlite_sequence WHERE name = 'kv'`),
      getMeta: p<[string], { value: number }>(`SELECT value FROM meta WHERE key = ?`),
      setMeta: p<[string, number], unknown>(
        `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      ),
    };
  }

  /** Newest row of name (possibly a tombstone). */
  latest(name: string): LogRow | undefined {
    return this.s.latest.get(name);
  }

  /** Newest row of name at or below revision (possibly a tombstone). */
  at(name: string, revision: number): LogRow | undefined {
    return this.s.at.get(name, revision);
  }

  insert(r: LogRow): void {
    this.s.insert.run(r.id, r.name, r.created, r.deleted, r.create_revision, r.prev_revision, r.value);
  }

  /** Live keys in [prefix, end) (or (startAfter, end)) at revision, in key order; limit < 0: all. */
  list(prefix: string, startAfter: string | undefined, revision: number, limit: number): ListRow[] {
    const end = prefixEnd(prefix);
    return startAfter !== undefined && startAfter >= prefix
      ? this.s.listAfter.all(startAfter, end, revision, limit)
      : this.s.listFrom.all(prefix, end, revision, limit);
  }

  /** Number of live keys under prefix at revision, optionally only those after a key. */
  count(prefix: string, revision: number, after?: string): number {
    const end = prefixEnd(prefix);
    const row = after !== undefined && after >= prefix ? this.s.countAfter.get(after, end, revision) : this.s.countFrom.get(prefix, end, revision);
    return row?.n ?? 0;
  }

  /** Rows under prefix with after < id <= upTo, joined with the rows they superseded. */
  events(prefix: string, after: number, upTo: number, limit: number): EventRow[] {
    return this.s.events.all(after, upTo, prefix, prefixEnd(prefix), limit);
  }

  /** Deletes rows superseded by rows in (from, to] and tombstones in (from, to]. */
  compactRange(from: number, to: number): number {
    return Number((this.s.compact.run(from, to, from, to) as Database.RunResult).changes);
  }

  /** Highest revision ever assigned: AUTOINCREMENT's sequence survives deletion of the rows. */
  highestRevision(): number {
    return Math.max(this.s.sequence.get()?.n ?? 0, this.s.maxId.get()?.n ?? 0);
  }

  getMeta(key: string): number | undefined {
    return this.s.getMeta.get(key)?.value;
  }

  setMeta(key: string, value: number): void {
    this.s.setMeta.run(key, value);
  }
}

/**
 * Walks the (name, id, deleted) index in key order and keeps a row only when it is its name's
 * newest at the revision: no sort, and LIMIT stops the walk early, so a page costs O(limit).
 * (Measured: 10,000 live keys with 20,000 rows of history list in ~45 ms with values; the
 * GROUP BY + join form needs a temp sort and reads the whole range for every page.)
 */
function listSql(lower: '>=' | '>'): string {
  return `SELECT kv.id, kv.name, kv.create_revision, kv.value FROM kv INDEXED BY kv_name_id_deleted
    WHERE kv.name ${lower} ? AND kv.name < ? AND kv.deleted = 0
      AND kv.id = (SELECT MAX(m.id) FROM kv AS m WHERE m.name = kv.name AND m.id <= ?)
    ORDER BY kv.name LIMIT ?`;
}

function countSql(lower: '>=' | '>'): string {
  return `SELECT COUNT(*) AS n FROM (${latestPerName(lower)}) WHERE deleted = 0`;
}
