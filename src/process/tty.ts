// Terminals for `kubectl exec -it` and containers with `tty: true`: the command runs on a
// pseudo-terminal (node-pty, an optional dependency) whose output is stdout (a terminal merges
// stderr into it) and whose size follows the client's resize messages. Without node-pty a tty
// request runs on plain pipes, stderr still merged into stdout.
import { PassThrough, Writable } from 'node:stream';
import type { StreamSession } from '../node/runtime.ts';

type NodePty = typeof import('node-pty');
let loaded: Promise<NodePty | undefined> | undefined;

export function loadPty(): Promise<NodePty | undefined> {
  loaded ??= import('node-pty').then(
    (m) => ((m as { default?: NodePty }).default ?? m) as NodePty,
    () => undefined,
  );
  return loaded;
}

export interface PtyProcess {
  session: StreamSession;
  pid: number;
  /** Exit code, with 128 + signal for a killed process. */
  exited: Promise<number>;
}

/** Spawns file with args on a new terminal; stdin goes to it when asked for. */
export async function spawnOnPty(file: string, args: string[], env: Record<string, string>, o: { stdin: boolean; cols?: number; rows?: number }): Promise<PtyProcess | undefined> {
  const pty = await loadPty();
  if (!pty) return undefined;
  // encoding null: bytes in and out, so split UTF-8 sequences survive.
  const p = pty.spawn(file, args, { name: 'xterm', cols: o.cols ?? 80, rows: o.rows ?? 24, env, encoding: null });
  const stdout = new PassThrough();
  p.onData((d: string | Buffer) => stdout.write(d));
  const exited = new Promise<number>((resolve) => {
    p.onExit(({ exitCode, signal }) => {
      stdout.end();
      resolve(signal ? 128 + signal : exitCode);
    });
  });
  const stdin = o.stdin
    ? new Writable({
        write(chunk: Buffer, _enc, cb) {
          try {
            p.write(chunk);
          } catch {
            // The terminal closed: input has nowhere to go.
          }
          cb();
        },
        final(cb) {
          // Ctrl-D: end of input for a program reading the terminal.
          try {
            p.write('\x04');
          } catch {
            // already closed
          }
          cb();
        },
      })
    : undefined;
  return {
    pid: p.pid,
    exited,
    session: {
      stdin,
      stdout,
      resize: (cols, rows) => {
        if (cols > 0 && rows > 0) {
          try {
            p.resize(cols, rows);
          } catch {
            // exited meanwhile
          }
        }
      },
      done: exited,
      close: () => {
        try {
          p.kill('SIGKILL');
        } catch {
          // already gone
        }
      },
    },
  };
}
