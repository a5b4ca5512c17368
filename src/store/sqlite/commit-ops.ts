// One group of writes as one SQLite transaction: each op's precondition checked against the
// newest row of its key, one row appended per successful op. Plain data in and out, so the
// same code runs in the process's thread or in the writer thread (writer-worker.ts).

import Database from 'better-sqlite3';
import type { KeyValue } from '../backend.ts';
import type { LogRow, LogTable } from './log-table.ts';

export type WriteOp =
  | { kind: 'create'; key: string; value: string }
  | { kind: 'update'; key: string; value: string; expected: number }
  | { kind: 'delete'; key: string; expected?: number };

/** A successful op: its revision, and what the event needs that the op does not carry. */
export interface OpDone {
  ok: true;
  revision: number;
  createRevision: number;
  /** The row this op superseded (updates and deletes). */
  prev?: KeyValue;
}

/** A refused op: the StorageError code and message, and the live value when there is one. */
export interface OpRefused {
  ok: false;
  code: 'KeyExists' | 'NotFound' | 'Conflict';
  message: string;
  live?: KeyValue;
  /** Another writer of the file changed the key between our read and our insert. */
  race?: boolean;
}

export type OpOutcome = OpDone | OpRefused;

/** Outcomes in op order and the newest revision; or the transaction failed as a whole. */
export type CommitResult = { ok: true; rev: number; outcomes: OpOutcome[] } | { ok: false; message: string };

const COMPACT_KEY = 'compact_revision';

export const toKv = (r: LogRow): KeyValue => ({ key: r.name, value: r.value, createRevision: r.create_revision, modRevision: r.id });

/** Runs ops in one IMMEDIATE transaction, the first successful one at revision rev + 1. */
export function commitOps(log: LogTable, ops: readonly WriteOp[], rev: number): CommitResult {
  const outcomes: OpOutcome[] = [];
  let next = rev;
  try {
    log.db
      .transaction(() => {
        for (const op of ops) {
          try {
            const o = applyOp(log, op, next + 1);
            if (o.ok) next = o.revision;
            outcomes.push(o);
          } catch (error) {
            if (!isUniqueViolation(error)) throw error;
            const message = op.kind === 'create' ? `Create failed: key ${op.key} already exists` : `Write failed: key ${op.key} was changed concurrently`;
            outcomes.push({ ok: false, code: op.kind === 'create' ? 'KeyExists' : 'Conflict', message, race: true });
          }
        }
      })
      .immediate();
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  return { ok: true, rev: next, outcomes };
}

/** Deletes superseded rows and tombstones in (from, to] and records `to` as compacted, durably. */
export function compactOps(log: LogTable, from: number, to: number): void {
  log.db
    .transaction(() => {
      log.compactRange(from, to);
      log.setMeta(COMPACT_KEY, to);
    })
    .immediate();
  // Give the pages compaction freed back to the file system, so the file tracks live data
  // (the database is in incremental auto-vacuum mode, see openLogDatabase).
  log.db.pragma('incremental_vacuum');
}

export function compactedRevisionOf(log: LogTable): number {
  return log.getMeta(COMPACT_KEY) ?? 0;
}

function applyOp(log: LogTable, op: WriteOp, revision: number): OpOutcome {
  const cur = log.latest(op.key);
  const live = cur && !cur.deleted ? cur : undefined;
  const row: LogRow = { id: revision, name: op.key, created: 0, deleted: 0, create_revision: 0, prev_revision: cur?.id ?? 0, value: '' };
  if (op.kind === 'create') {
    if (live) return { ok: false, code: 'KeyExists', message: `Create failed: key ${op.key} already exists`, live: toKv(live) };
    log.insert({ ...row, created: 1, create_revision: revision, value: op.value });
    return { ok: true, revision, createRevision: revision };
  }
  const action = op.kind === 'update' ? 'Update' : 'Delete';
  if (!live) return { ok: false, code: 'NotFound', message: `${action} failed: key ${op.key} not found` };
  if (op.expected !== undefined && op.expected !== live.id) {
    return { ok: false, code: 'Conflict', message: `${action} failed: key ${op.key} is at revision ${live.id}, not ${op.expected}`, live: toKv(live) };
  }
  const value = op.kind === 'update' ? op.value : live.value;
  log.insert({ ...row, deleted: op.kind === 'delete' ? 1 : 0, create_revision: live.create_revision, value });
  return { ok: true, revision, createRevision: live.create_revision, prev: toKv(live) };
}

function isUniqueViolation(e: unknown): boolean {
  return e instanceof Database.SqliteError && e.code === 'SQLITE_CONSTRAINT_UNIQUE';
}
