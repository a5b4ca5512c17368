// The SQLite writer thread (see writer.ts): its own connection to the database file, running
// commits and compactions one at a time in the order they arrive.

import { parentPort, workerData } from 'node:worker_threads';
import { commitOps, compactOps, type CommitResult, type WriteOp } from './commit-ops.ts';
import { LogTable, openLogDatabase } from './log-table.ts';

export type WriterRequest =
  | { id: number; kind: 'commit'; ops: WriteOp[]; rev: number }
  | { id: number; kind: 'compact'; from: number; to: number }
  | { id: number; kind: 'close' };

export type WriterReply =
  | { id: number; kind: 'commit'; result: CommitResult }
  | { id: number; kind: 'done' }
  | { id: number; kind: 'error'; message: string }
  /** Sent once, unasked (id 0), when the thread has its connection. */
  | { id: 0; kind: 'ready' };

if (parentPort && (workerData as { path?: string } | undefined)?.path) {
  const port = parentPort;
  const log = new LogTable(openLogDatabase((workerData as { path: string }).path));
  port.postMessage({ id: 0, kind: 'ready' } satisfies WriterReply);
  port.on('message', (req: WriterRequest) => {
    let reply: WriterReply;
    try {
      if (req.kind === 'commit') reply = { id: req.id, kind: 'commit', result: commitOps(log, req.ops, req.rev) };
      else if (req.kind === 'compact') {
        compactOps(log, req.from, req.to);
        reply = { id: req.id, kind: 'done' };
      } else {
        log.db.close();
        port.postMessage({ id: req.id, kind: 'done' } satisfies WriterReply);
        port.close();
        return;
      }
    } catch (e) {
      reply = { id: req.id, kind: 'error', message: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(reply);
  });
}
