// Exec and attach over SPDY/3.1 (remotecommand protocol v4.channel.k8s.io), for clients that do
// not speak WebSocket (kubectl before 1.30, or KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false): the
// client opens one stream per `streamType` (error, stdin, stdout, stderr, and resize with a tty);
// the session starts once the streams it asked for are there, and the error stream carries the
// same final Status as the WebSocket error channel.
import { once } from 'node:events';
import type { StreamOptions, StreamSession } from '../../node/runtime.ts';
import { failureStatus, sessionStatus, type StreamStatus } from './options.ts';
import { parseResize } from './remote-command.ts';
import type { SpdyConnection, SpdyStream } from './spdy.ts';

/** How long the client may take to open its streams (the kubelet's stream creation timeout). */
const STREAMS_TIMEOUT_MS = 30_000;

export function serveSpdyRemoteCommand(conn: SpdyConnection, o: StreamOptions, op: 'exec' | 'attach', start: () => Promise<StreamSession>): void {
  const required = ['error', ...(['stdin', 'stdout', 'stderr'] as const).filter((t) => o[t])];
  const streams = new Map<string, SpdyStream>();
  let session: StreamSession | undefined;
  /** A resize that came before the session started (kubectl sends the terminal's size at once). */
  let early: [number, number] | undefined;
  const timer = setTimeout(() => conn.close(), STREAMS_TIMEOUT_MS);
  timer.unref();
  conn.onClose(() => {
    clearTimeout(timer);
    session?.close();
  });
  conn.listen((s) => {
    const type = s.header('streamType') ?? '';
    const allowed = required.includes(type) || (type === 'resize' && o.tty);
    if (!allowed || streams.has(type)) return s.reset();
    s.reply();
    s.on('error', () => {});
    streams.set(type, s);
    if (type === 'resize') watchResizes(s, (cols, rows) => (session ? session.resize(cols, rows) : (early = [cols, rows])));
    if (required.every((t) => streams.has(t)) && !session) {
      clearTimeout(timer);
      void run();
    }
  });

  async function run(): Promise<void> {
    const error = streams.get('error')!;
    error.resume(); // the client sends nothing on it
    const finish = async (status: StreamStatus) => {
      error.end(JSON.stringify(status));
      await once(error, 'finish').catch(() => {});
      conn.close();
    };
    try {
      session = await start();
    } catch (e) {
      for (const t of ['stdout', 'stderr']) streams.get(t)?.end();
      return finish(failureStatus((e as Error).message));
    }
    if (early) session.resize(...early);
    const stdin = streams.get('stdin');
    if (stdin && session.stdin) {
      session.stdin.on('error', () => {});
      stdin.pipe(session.stdin);
    }
    const outputs = (['stdout', 'stderr'] as const).map((t) => {
      const to = streams.get(t);
      const from = session![t];
      if (!to) return Promise.resolve();
      if (!from) {
        to.end();
        return Promise.resolve();
      }
      from.pipe(to);
      return once(to, 'finish').then(() => undefined, () => undefined);
    });
    await finish(await sessionStatus(session, outputs, op));
  }
}

/** The resize stream is a run of JSON objects ({"Width":…,"Height":…}), one per line. */
function watchResizes(s: SpdyStream, resize: (cols: number, rows: number) => void): void {
  let pending = '';
  s.on('data', (d: Buffer) => {
    const lines = (pending + d.toString('utf8')).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const size = line.trim() ? parseResize(Buffer.from(line)) : undefined;
      if (size) resize(size.cols, size.rows);
    }
  });
}
