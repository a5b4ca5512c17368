// Exec and attach over channel.k8s.io WebSockets (the kubelet's remotecommand server): channel 0
// stdin, 1 stdout, 2 stderr, 3 the error channel that carries the final Status, 4 terminal
// resizes. Output is forwarded in order with back-pressure, and the Status goes out only after
// stdout and stderr have drained, since clients read them until the connection closes.
import type { Readable } from 'node:stream';
import type { WebSocket } from 'ws';
import type { StreamOptions, StreamSession } from '../../node/runtime.ts';
import { ChannelSocket } from './channels.ts';
import { failureStatus, sessionStatus, type StreamStatus } from './options.ts';

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;

/** A resize message: {"Width":…,"Height":…}; undefined when malformed. */
export function parseResize(data: Buffer): { cols: number; rows: number } | undefined {
  try {
    const v = JSON.parse(data.toString('utf8')) as { Width?: unknown; Height?: unknown };
    if (typeof v.Width === 'number' && typeof v.Height === 'number') return { cols: v.Width, rows: v.Height };
  } catch {
    // ignored, as the kubelet ignores a malformed resize
  }
  return undefined;
}

/**
 * Runs a session started by `start` over the WebSocket. Attach ends with Success whatever the
 * container's exit code; exec reports the command's.
 */
export async function serveRemoteCommand(ws: WebSocket, protocol: string, o: StreamOptions, op: 'exec' | 'attach', start: () => Promise<StreamSession>): Promise<void> {
  let session: StreamSession | undefined;
  const pendingInput: Buffer[] = [];
  let stdinEnded = false;
  const toStdin = (data: Buffer) => {
    if (!o.stdin) return;
    if (session?.stdin) session.stdin.write(data);
    else if (!session) pendingInput.push(data);
  };
  const endStdin = () => {
    stdinEnded = true;
    session?.stdin?.end();
  };
  const ch = new ChannelSocket(ws, protocol, {
    data: (channel, data) => {
      if (channel === STDIN) toStdin(data);
      else if (channel === RESIZE) {
        const size = parseResize(data);
        if (size) session?.resize(size.cols, size.rows);
      }
    },
    closed: (channel) => {
      if (channel === STDIN) endStdin();
    },
  });
  let clientGone = false;
  ws.once('close', () => {
    clientGone = true;
    session?.close();
    // Without the close signal (before v5), the connection's end is stdin's end.
    session?.stdin?.end();
  });
  // v4 and v5 write the Status as JSON; the older protocols only a failure's message, as text.
  const structured = /^v[45]\./.test(protocol);
  const finish = (status: StreamStatus) => {
    const text = structured ? JSON.stringify(status) : status.status === 'Success' ? '' : (status.message ?? '');
    void (text ? ch.send(ERROR, Buffer.from(text)) : Promise.resolve()).then(() => ch.close());
  };
  try {
    session = await start();
  } catch (e) {
    finish(failureStatus((e as Error).message));
    return;
  }
  if (clientGone) {
    session.close();
    return;
  }
  // The kubelet's "connection established" notice: an empty message on the lowest writable channel.
  void ch.send(o.stdout ? STDOUT : o.stderr ? STDERR : ERROR, Buffer.alloc(0));
  if (session.stdin) {
    session.stdin.on('error', () => {}); // the command may exit without reading its input
    for (const d of pendingInput) session.stdin.write(d);
    if (stdinEnded) session.stdin.end();
  }
  const outputs = [forward(session.stdout, ch, STDOUT), forward(session.stderr, ch, STDERR)];
  finish(await sessionStatus(session, outputs, op));
}

/** Copies a stream to a channel, one message per chunk, pausing while the socket is busy. */
function forward(stream: Readable | undefined, ch: ChannelSocket, channel: number): Promise<void> {
  if (!stream) return Promise.resolve();
  return new Promise((resolve) => {
    let inFlight = Promise.resolve();
    stream.on('data', (chunk: Buffer | string) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      stream.pause();
      inFlight = ch.send(channel, buf).then(() => {
        stream.resume();
      });
    });
    const done = () => void inFlight.then(resolve);
    stream.once('end', done);
    stream.once('close', done);
    stream.once('error', done);
  });
}
