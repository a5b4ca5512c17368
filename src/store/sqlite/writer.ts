// Where the SQLite backend's transactions run. A file database gets a writer thread: a commit's
// fsync (most of a small transaction's cost) then never blocks the event loop, and writes that
// arrive meanwhile form the next, larger group. ':memory:' databases exist per connection, so
// theirs run in this thread on the one connection.

import { Worker } from 'node:worker_threads';
import { commitOps, compactOps, type CommitResult, type WriteOp } from './commit-ops.ts';
import type { LogTable } from './log-table.ts';
import type { WriterReply, WriterRequest } from './writer-worker.ts';

export interface Writer {
  /** Commits ops in one transaction, the first successful op at revision rev + 1. */
  commit(ops: WriteOp[], rev: number): Promise<CommitResult>;
  /** Compacts (from, to] in one transaction. */
  compact(from: number, to: number): Promise<void>;
  /** Ends the writer once its queued requests are done. */
  close(): Promise<void>;
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export function inThreadWriter(log: LogTable): Writer {
  return {
    commit: async (ops, rev) => commitOps(log, ops, rev),
    compact: async (from, to) => compactOps(log, from, to),
    close: async () => {},
  };
}

/**
 * A writer thread with its own connection to the file at path (opened by the caller already).
 * Until the thread has its connection (some 50 ms, most of it loading the addon), transactions
 * run in this thread on `log`: a start's first writes do not wait for it. The group commit runs
 * one transaction at a time, so the two connections never write at once.
 */
export function threadWriter(path: string, log: LogTable): Writer {
  const local = inThreadWriter(log);
  let threadReady = false;
  // Built: the bundle ships the worker as sqlite-writer.mjs beside it. From source: a bootstrap
  // that loads TypeScript first.
  const built = !import.meta.url.endsWith('.ts');
  const url = built ? new URL('./sqlite-writer.mjs', import.meta.url) : new URL('./writer-worker-dev.mjs', import.meta.url);
  const worker = new Worker(url, { workerData: { path } });
  worker.unref();
  const pending = new Map<number, { resolve: (r: WriterReply) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let failure: Error | undefined;
  const failAll = (e: Error) => {
    failure ??= e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  worker.on('message', (reply: WriterReply) => {
    if (reply.kind === 'ready') {
      threadReady = true;
      return;
    }
    const p = pending.get(reply.id);
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
    if (reply.kind === 'error') p?.reject(new Error(reply.message));
    else p?.resolve(reply);
  });
  worker.on('error', (e) => failAll(new Error(`SQLite writer failed: ${e.message}`)));
  worker.on('exit', (code) => failAll(new Error(`SQLite writer exited with code ${code}`)));
  const request = (req: WithoutId<WriterRequest>): Promise<WriterReply> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    // Held open only while a request is out: an idle writer does not keep the process alive.
    if (pending.size === 0) worker.ref();
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...req, id } as WriterRequest);
    });
  };
  return {
    async commit(ops, rev) {
      if (!threadReady) return local.commit(ops, rev);
      try {
        const reply = await request({ kind: 'commit', ops, rev });
        return reply.kind === 'commit' ? reply.result : { ok: false, message: 'unexpected reply from the SQLite writer' };
      } catch (e) {
        return { ok: false, message: (e as Error).message };
      }
    },
    async compact(from, to) {
      if (!threadReady) return local.compact(from, to);
      await request({ kind: 'compact', from, to });
    },
    async close() {
      if (failure) return;
      await request({ kind: 'close' }).catch(() => undefined);
      await worker.terminate();
    },
  };
}
