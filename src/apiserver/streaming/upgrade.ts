// Protocol upgrades for pods/exec, pods/attach and pods/portforward: the checks the apiserver
// (pkg/registry/core/pod/strategy.go streamLocation) and the kubelet (remotecommand NewOptions,
// getExec's container lookup) make before upgrading, then the streaming protocol. Errors before
// the upgrade are plain HTTP answers: a Status where the apiserver refuses, plain text where the
// kubelet would. The user must be allowed to create the subresource, and the pod is read with the
// request's own headers through ApiServer.handle, so it is refused as a GET of the pod would be.
// A pod whose node agent runs elsewhere (`k8ts agent`) is handed, once checked here, to that
// agent, which speaks the protocol with the same code (podStreamingUpgrade).
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer, type WebSocket } from 'ws';
import { ApiError, badRequest, isApiError, methodNotAllowed } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { NodePool } from '../../node/node-pool.ts';
import { resolveContainer } from '../../node/pod-subresource.ts';
import type { StreamingRuntime, StreamSession } from '../../node/runtime.ts';
import type { ApiServer } from '../api-server.ts';
import { negotiate, parseExecOptions, parsePorts, PORT_FORWARD_PROTOCOLS, REMOTE_COMMAND_PROTOCOLS, StreamRefusal, type ExecOptions, type StreamOp } from './options.ts';
import { serveChannelPortForward, serveSpdyPortForward } from './port-forward.ts';
import { serveRemoteCommand } from './remote-command.ts';
import { serveSpdyRemoteCommand } from './spdy-remote-command.ts';
import { SpdyConnection } from './spdy.ts';

export interface StreamingOptions {
  api: ApiServer;
  /** The node pool whose agents run the pods (undefined: this server runs none). */
  pool: () => NodePool | undefined;
  log?: (m: string) => void;
  /** Node agents that run in other processes (src/agent/tunnel-server.ts). */
  remote?: RemoteAgents;
}

/** What the upgrade path needs from the agents that connect to this server from elsewhere. */
export interface RemoteAgents {
  /** Takes over an upgrade that is not the API's (an agent opening a tunnel); false for others. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /**
   * Hands an authorized upgrade for a pod on `nodeName` to that node's agent: true once handed
   * over, false when the node's agent is not remote. Throws an ApiError when it is remote but
   * cannot be reached from this server.
   */
  forward(nodeName: string, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<boolean>;
}

/** The upgrade path's needs once the pod is known and the request may go ahead. */
type ProtocolOptions = Pick<StreamingOptions, 'pool' | 'log'>;

export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

const PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward)\/?$/;

/** What a checked request may go on to do. */
interface Target {
  op: StreamOp;
  pod: KubeObject;
  streaming: StreamingRuntime;
  /** The runtime container id (exec, attach). */
  containerId?: string;
  exec?: ExecOptions;
  /** Ports of a channel port-forward. */
  ports?: number[];
}

/** Serves a checked upgrade: the pod it names is known and the request may go ahead. */
type ServeUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer, pod: KubeObject, op: StreamOp, url: URL) => Promise<void>;

/** The API server's upgrade listener: authenticates, authorizes and reads the pod first. */
export function streamingUpgrade(o: StreamingOptions): UpgradeListener {
  const serve = protocolServer(o);
  return listener(o.log, (req, socket, head) => {
    if (o.remote?.accept(req, socket, head)) return Promise.resolve();
    return upgrade(o, serve, req, socket, head);
  });
}

/**
 * A node agent's upgrade listener, for requests the API server has already authenticated,
 * authorized and sent down the agent's tunnel: the pod comes from the agent's own cache.
 */
export function podStreamingUpgrade(o: ProtocolOptions & { pod(namespace: string, name: string): KubeObject | undefined }): UpgradeListener {
  const serve = protocolServer(o);
  return listener(o.log, async (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'https://k8ts.invalid');
    const m = PATH.exec(url.pathname);
    if (!m) return refuse(socket, new ApiError('NotFound', 404, `the node agent does not upgrade connections for ${url.pathname}`));
    const [, namespace, name, op] = m as unknown as [string, string, string, StreamOp];
    const pod = o.pod(namespace, name);
    if (!pod) return relay(socket, 404, 'text/plain; charset=utf-8', 'pod does not exist');
    return serve(req, socket, head, pod, op, url);
  });
}

function listener(log: ((m: string) => void) | undefined, handle: (req: IncomingMessage, socket: Duplex, head: Buffer) => Promise<void>): UpgradeListener {
  return (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    void handle(req, socket, head).catch((e: unknown) => {
      if (!isApiError(e)) log?.(`internal error: streaming upgrade: ${(e as Error)?.stack ?? String(e)}`);
      refuse(socket, isApiError(e) ? e : new ApiError('InternalError', 500, `Internal error occurred: ${(e as Error).message}`));
    });
  };
}

async function upgrade(o: StreamingOptions, serve: ServeUpgrade, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://k8ts.invalid');
  const headers = req.headers as Record<string, string | undefined>;
  const m = PATH.exec(url.pathname);
  if (!m) {
    // Authenticate first so an anonymous client learns nothing about paths.
    const auth = await o.api.handle({ method: 'GET', url: '/version', headers });
    if (auth.status !== 200) return relay(socket, auth.status, auth.headers['content-type'], auth.body);
    return refuse(socket, new ApiError('NotFound', 404, `the server does not upgrade connections for ${url.pathname}`));
  }
  const [, namespace, name, op] = m as unknown as [string, string, string, StreamOp];
  if (req.method !== 'GET' && req.method !== 'POST') return refuse(socket, methodNotAllowed());
  // Upgrades need `create` on the subresource whatever the method, as upstream does since
  // WebSockets (which GET) became kubectl's default.
  const refused = await o.api.admitRequest({ method: 'POST', url: url.pathname, headers });
  if (refused) return relay(socket, refused.status, refused.headers['content-type'], refused.body);
  const got = await o.api.handle({ method: 'GET', url: `/api/v1/namespaces/${namespace}/pods/${name}`, headers: { ...headers, accept: 'application/json' } });
  if (got.status !== 200) return relay(socket, got.status, got.headers['content-type'], got.body);
  const pod = (got.value ?? JSON.parse(String(got.body))) as KubeObject;
  const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  // A node this server's pool does not run may be a remote agent's: it speaks the protocol itself.
  if (nodeName && o.remote && !o.pool()?.agent(nodeName)?.isServing && (await o.remote.forward(nodeName, req, socket, head))) return;
  return serve(req, socket, head, pod, op, url);
}

/** The kubelet's side: its checks, then the protocol the client asked for. */
function protocolServer(o: ProtocolOptions): ServeUpgrade {
  const protocols = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (_offered, req) => protocols.get(req) || false });
  return (req, socket, head, pod, op, url) => serveProtocol(o, wss, protocols, req, socket, head, pod, op, url);
}

async function serveProtocol(o: ProtocolOptions, wss: WebSocketServer, protocols: WeakMap<IncomingMessage, string>, req: IncomingMessage, socket: Duplex, head: Buffer, pod: KubeObject, op: StreamOp, url: URL): Promise<void> {
  const namespace = pod.metadata.namespace;
  const name = pod.metadata.name;
  const upgradeTo = (req.headers.upgrade ?? '').toLowerCase();
  let target: Target;
  try {
    target = check(o, pod, op, url.searchParams);
  } catch (e) {
    if (e instanceof StreamRefusal) return relay(socket, e.code, 'text/plain; charset=utf-8', e.message);
    throw e;
  }
  if (upgradeTo === 'websocket') {
    const offered = req.headers['sec-websocket-protocol'];
    const supported = op === 'portforward' ? PORT_FORWARD_PROTOCOLS : REMOTE_COMMAND_PROTOCOLS;
    const protocol = negotiate(offered, supported);
    if (protocol === undefined) return relay(socket, 400, 'text/plain; charset=utf-8', `requested protocol(s) are not supported: [${offered}]; supports [${supported.join(' ')}]`);
    // Channel port-forwarding names its ports in the query; SPDY through WebSocket in stream headers.
    if (op === 'portforward' && !protocol.startsWith('SPDY/')) {
      try {
        target.ports = parsePorts(url.searchParams);
      } catch (e) {
        if (e instanceof StreamRefusal) return relay(socket, e.code, 'text/plain; charset=utf-8', e.message);
        throw e;
      }
    }
    protocols.set(req, protocol);
    // ws accepts only RFC 7230 tokens, and "SPDY/3.1+portforward.k8s.io" has a "/": it is shown a
    // placeholder, and handleProtocols answers with the protocol chosen here.
    if (protocol) req.headers['sec-websocket-protocol'] = 'negotiated';
    o.log?.(`${op} ${namespace}/${name} over WebSocket ${protocol || '(no subprotocol)'}`);
    wss.handleUpgrade(req, socket, head, (ws) => void serveWebSocket(o, ws, protocol, target));
    return;
  }
  if (upgradeTo === 'spdy/3.1') {
    // httpstream.Handshake: the client lists the stream protocols it speaks; the answer names one.
    const want = op === 'portforward' ? 'portforward.k8s.io' : 'v4.channel.k8s.io';
    const versions = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((v) => v.trim());
    if (!versions.includes(want)) return relay(socket, 403, 'text/plain; charset=utf-8', `unable to upgrade: unable to negotiate protocol: client supports [${versions.join(' ')}], server supports [${want}]`);
    o.log?.(`${op} ${namespace}/${name} over SPDY/3.1`);
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${want}\r\n\r\n`);
    if (head.length) socket.unshift(head);
    const conn = new SpdyConnection(socket);
    if (op === 'portforward') serveSpdyPortForward(conn, pod, target.streaming, o.log);
    else serveSpdyRemoteCommand(conn, target.exec!, op, starter(target));
    return;
  }
  return refuse(socket, badRequest(`unsupported upgrade: ${req.headers.upgrade}`));
}

/** The apiserver's and kubelet's checks, in their order. */
function check(o: ProtocolOptions, pod: KubeObject, op: StreamOp, q: URLSearchParams): Target {
  const name = pod.metadata.name!;
  const exec = op === 'portforward' ? undefined : parseExecOptions(q, op);
  const container = exec ? resolveContainer(pod, exec.container) : undefined;
  const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  if (!nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  const pool = o.pool();
  if (!pool) throw badRequest(`${op} is not available for pod ${name}: this server runs no node agents`);
  const streaming = pool.runtime.streaming;
  if (!streaming) throw badRequest(pool.runtime.unsupported(op, nodeName) ?? `${op} is not available for pod ${name}`);
  const agent = pool.agent(nodeName);
  const track = agent?.pods.tracks.get(`${pod.metadata.namespace}/${name}`);
  if (!agent?.isServing || !track || track.uid !== pod.metadata.uid) throw new StreamRefusal(404, 'pod does not exist');
  if (!container) return { op, pod, streaming };
  const c = track.containers.get(container)?.current;
  if (!c || c.state !== 'running') throw new StreamRefusal(500, `container not found (${JSON.stringify(container)})`);
  return { op, pod, streaming, containerId: c.id, exec };
}

async function serveWebSocket(o: ProtocolOptions, ws: WebSocket, protocol: string, t: Target): Promise<void> {
  ws.on('error', () => ws.terminate());
  if (t.op === 'portforward') {
    // SPDY tunnelled through binary messages (client-go's TunnelingConnection), or channels.
    if (protocol.startsWith('SPDY/')) return serveSpdyPortForward(new SpdyConnection(createWebSocketStream(ws)), t.pod, t.streaming, o.log);
    return serveChannelPortForward(ws, protocol, t.pod, t.streaming, t.ports ?? []);
  }
  await serveRemoteCommand(ws, protocol, t.exec!, t.op, starter(t));
}

/** Starts the exec'd command or attaches, once the streams are in place. */
function starter(t: Target): () => Promise<StreamSession> {
  const e = t.exec!;
  const id = t.containerId!;
  return t.op === 'exec' ? () => t.streaming.exec(id, e.command, e) : () => t.streaming.attach(id, e);
}

export function refuse(socket: Duplex, e: ApiError): void {
  relay(socket, e.code, 'application/json', JSON.stringify(e.toStatus()));
}

/** Answers the upgrade request with a plain HTTP response and closes the connection. */
export function relay(socket: Duplex, status: number, contentType: string | undefined, body: string | Uint8Array | undefined): void {
  const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(body as string);
  const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}`, `Content-Type: ${contentType ?? 'text/plain; charset=utf-8'}`, `Content-Length: ${bytes.length}`, 'Connection: close', '', ''].join('\r\n');
  if (!socket.writable) return void socket.destroy();
  socket.end(Buffer.concat([Buffer.from(head), bytes]));
}
