// Port-forwarding (the kubelet's portforward server), over SPDY and over channel WebSockets.
// SPDY: each forwarded connection is a pair of client streams, `streamType: error` and
// `streamType: data`, sharing `port` and `requestID` headers; the data stream is piped to the
// pod's port and a failure is written to the error stream. Channels (client-node): the ports
// come in the query, port i uses channels 2i (data) and 2i+1 (error), and the first message on
// each channel is the port as a little-endian uint16.
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { KubeObject } from '../../api/meta/types.ts';
import type { StreamingRuntime } from '../../node/runtime.ts';
import { ChannelSocket } from './channels.ts';
import { parsePort, StreamRefusal } from './options.ts';
import { RstStatus, type SpdyConnection, type SpdyStream } from './spdy.ts';

/** How long the second stream of a pair may take to arrive (the kubelet's stream creation timeout). */
const PAIR_TIMEOUT_MS = 30_000;

function forwardError(pod: KubeObject, port: number, e: unknown): string {
  return `error forwarding port ${port} to pod ${pod.metadata.name}, uid ${pod.metadata.uid}: ${(e as Error)?.message ?? String(e)}`;
}

/** Pipes a client stream and a pod connection both ways, half-closing each direction as it ends. */
export function splice(client: Duplex, target: Duplex, onDone: () => void): void {
  let ended = 0;
  const done = () => {
    if (++ended === 2) onDone();
  };
  client.pipe(target);
  target.pipe(client);
  target.once('end', done);
  client.once('end', done);
  target.once('close', () => {
    if (!client.writableEnded) client.end();
    onDone();
  });
  client.once('close', () => target.destroy());
}

interface Pair {
  data?: SpdyStream;
  error?: SpdyStream;
  timer?: NodeJS.Timeout;
}

export function serveSpdyPortForward(conn: SpdyConnection, pod: KubeObject, streaming: StreamingRuntime, log?: (m: string) => void): void {
  const pairs = new Map<string, Pair>();
  conn.onClose(() => {
    for (const p of pairs.values()) clearTimeout(p.timer);
    pairs.clear();
  });
  conn.listen((s) => {
    // Stream headers are checked before the reply, as the kubelet's stream handler does.
    const type = s.header('streamType');
    let port: number;
    try {
      const raw = s.header('port');
      if (!raw) throw new StreamRefusal(400, '"port" header is required');
      port = parsePort(raw);
      if (type !== 'error' && type !== 'data') throw new StreamRefusal(400, type ? `invalid stream type ${JSON.stringify(type)}` : '"streamType" header is required');
    } catch (e) {
      log?.(`port-forward: refusing stream ${s.id}: ${(e as Error).message}`);
      s.reset(RstStatus.PROTOCOL_ERROR);
      return;
    }
    s.reply();
    s.on('error', () => {});
    // Older clients send no requestID; their streams come in consecutive pairs, error first.
    const requestId = s.header('requestID') ?? String(type === 'error' ? s.id : s.id - 2);
    let pair = pairs.get(requestId);
    if (!pair) {
      const created: Pair = {};
      pair = created;
      pairs.set(requestId, created);
      created.timer = setTimeout(() => {
        pairs.delete(requestId);
        created.error?.end(`(conn=${pod.metadata.name}, request=${requestId}) timed out waiting for streams`);
        created.data?.end();
      }, PAIR_TIMEOUT_MS);
      created.timer.unref();
    }
    if (pair[type]) {
      pair.error?.write(`error processing stream for request ${requestId}: ${type} stream already assigned`);
      s.reset();
      return;
    }
    pair[type] = s;
    if (!pair.data || !pair.error) return;
    clearTimeout(pair.timer);
    pairs.delete(requestId);
    const { data, error } = pair;
    error.resume(); // the client sends nothing on it but its FIN
    streaming.portForward(pod.metadata.uid!, port).then(
      (target) => {
        target.on('error', (e) => {
          if (!error.writableEnded) error.end(forwardError(pod, port, e));
        });
        splice(data, target, () => {
          if (!error.writableEnded) error.end();
        });
      },
      (e: unknown) => {
        error.end(forwardError(pod, port, e));
        data.end();
      },
    );
  });
}

/** Channel port-forwarding: all ports connect at once; the socket closes when they have all ended. */
export function serveChannelPortForward(ws: WebSocket, protocol: string, pod: KubeObject, streaming: StreamingRuntime, ports: number[]): void {
  const targets: (Duplex | undefined)[] = [];
  const pendingInput: Buffer[][] = ports.map(() => []);
  const ch = new ChannelSocket(ws, protocol, {
    data: (channel, data) => {
      const i = channel >> 1;
      if (channel % 2 !== 0 || i >= ports.length) return;
      const t = targets[i];
      if (t) t.write(data);
      else pendingInput[i]!.push(data);
    },
    closed: (channel) => {
      if (channel % 2 === 0) targets[channel >> 1]?.end();
    },
  });
  ws.once('close', () => {
    for (const t of targets) t?.destroy();
  });
  let open = ports.length;
  const ended = () => {
    if (--open === 0) ch.close();
  };
  ports.forEach((port, i) => {
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16LE(port, 0);
    void ch.send(2 * i, portBytes);
    void ch.send(2 * i + 1, portBytes);
    streaming.portForward(pod.metadata.uid!, port).then(
      (target) => {
        targets[i] = target;
        for (const d of pendingInput[i]!) target.write(d);
        target.on('data', (chunk: Buffer) => {
          target.pause();
          void ch.send(2 * i, chunk).then(() => target.resume());
        });
        target.on('error', (e) => void ch.send(2 * i + 1, Buffer.from(forwardError(pod, port, e))));
        target.once('close', ended);
      },
      (e: unknown) => {
        void ch.send(2 * i + 1, Buffer.from(forwardError(pod, port, e))).then(ended);
      },
    );
  });
}
