// The API server's side of agents' tunnels (tunnel-protocol.ts): accepts them from node
// credentials, keeps the idle ones per node, and hands one out per request for a pod on a
// remote agent's node. With several API servers an agent's tunnels land on the one it dials; the
// server holding them records itself on the Node (TUNNEL_SERVER_ANNOTATION), and the others pass
// such requests to it over TLS, as the cluster's admin (they have authorized the client already),
// marked so that it does not pass them on again.
import type { IncomingMessage } from 'node:http';
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import { ApiError, badRequest } from '../api/errors.ts';
import type { ApiServer } from '../apiserver/api-server.ts';
import { refuse, type RemoteAgents } from '../apiserver/streaming/upgrade.ts';
import { nodeNameOf } from '../auth/user.ts';
import type { Client } from '../client/client.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import { AGENT_ANNOTATION } from '../node/contract.ts';
import { forwardUpgrade, type Route } from './tunnel-proxy.ts';
import { credentialsOf, FORWARDED_BY_HEADER, GROUP_SIZE, KEEPALIVE_MS, serverEndpoint, TUNNEL_PATH, TUNNEL_SERVER_ANNOTATION, TUNNEL_UPGRADE } from './tunnel-protocol.ts';

export interface TunnelsOptions {
  /** Authenticates the node credentials a tunnel carries. */
  api: ApiServer;
  /** Reads Nodes and records on them which server holds their tunnels. */
  client: Client;
  /** This server's name as other servers and users should see it (its address or election identity). */
  identity: string;
  clock?: Clock;
  log?: (m: string) => void;
  /** How long a request waits for an agent to open a tunnel when none is idle (default 5 s). */
  waitMs?: number;
  /**
   * How to reach the other API servers of the cluster (several servers on one datastore): the
   * cluster CA their certificates chain to and the admin token they accept. Absent: requests for
   * agents connected elsewhere are answered 503 naming the server.
   */
  peers?: { caPem: string; token: string };
}

interface Parked {
  socket: Duplex;
  /** The nodes whose credentials opened it: it serves requests for any of them. */
  nodes: string[];
}

const NODES = { apiVersion: 'v1', resource: 'nodes', namespaced: false } as const;
/** Idle tunnels must survive NATs and notice a vanished peer. */

const unavailable = (message: string) => new ApiError('ServiceUnavailable', 503, message);

export class Tunnels implements RemoteAgents {
  private readonly idle = new Map<string, Set<Parked>>();
  private readonly waiters = new Map<string, ((p: Parked | undefined) => void)[]>();
  /** Open tunnels per node, idle or in use; a node leaves when its count drops to zero. */
  private readonly open = new Map<string, number>();
  /** Nodes whose Node this server has marked as its own since their tunnels last opened here. */
  private readonly annotated = new Set<string>();
  private readonly sockets = new Set<Duplex>();
  private readonly clock: Clock;
  private closed = false;

  constructor(private readonly o: TunnelsOptions) {
    this.clock = o.clock ?? systemClock;
  }

  accept(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (new URL(req.url ?? '/', 'https://k8ts.invalid').pathname !== TUNNEL_PATH) return false;
    void this.admit(req, socket, head).catch((e: unknown) => {
      if (!(e instanceof ApiError)) this.o.log?.(`internal error: agent tunnel: ${(e as Error)?.stack ?? String(e)}`);
      refuse(socket, e instanceof ApiError ? e : new ApiError('InternalError', 500, `Internal error occurred: ${(e as Error).message}`));
    });
    return true;
  }

  /**
   * A fresh tunnel to the agent of `nodeName`, owned by the caller (it carries one request);
   * undefined when the node is not a remote agent's. Waits a little for the agent to replace a
   * used tunnel; throws 503 when the agent is connected to another server or to none.
   */
  async connect(nodeName: string, signal?: AbortSignal, forwarded = false): Promise<Route | undefined> {
    const ready = this.takeIdle(nodeName);
    if (ready) return { socket: ready };
    const node = await this.o.client.resource(NODES).find('', nodeName);
    const annotations = node?.metadata.annotations ?? {};
    const holder = annotations[TUNNEL_SERVER_ANNOTATION];
    if (holder && holder !== this.o.identity && !this.open.get(nodeName)) {
      if (this.o.peers && !forwarded) return this.dialPeer(holder, nodeName, signal);
      throw unavailable(`the node agent of ${nodeName} is connected to API server ${holder}, not to this one (${this.o.identity}): send the request to ${holder}`);
    }
    if (!holder && !this.open.get(nodeName) && annotations[AGENT_ANNOTATION] === undefined) return undefined;
    const waited = await this.wait(nodeName, signal);
    if (waited) return { socket: waited };
    if (signal?.aborted) throw unavailable(`the request for node ${nodeName} ended before its agent answered`);
    throw unavailable(`the node agent of ${nodeName} has no open connection to this API server (${this.o.identity}): it may be stopped, or unable to reach this server`);
  }

  async forward(nodeName: string, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<boolean> {
    const gone = new AbortController();
    const onClose = () => gone.abort();
    socket.once('close', onClose);
    try {
      const route = await this.connect(nodeName, gone.signal, req.headers[FORWARDED_BY_HEADER] !== undefined);
      if (!route) return false;
      forwardUpgrade(req, head, socket, route);
      return true;
    } finally {
      socket.off('close', onClose);
    }
  }

  /** A TLS connection to the server holding the agent's tunnels, and the headers it accepts. */
  private dialPeer(holder: string, nodeName: string, signal?: AbortSignal): Promise<Route> {
    const peers = this.o.peers!;
    const at = serverEndpoint(holder);
    if (!at) return Promise.reject(unavailable(`the node agent of ${nodeName} is connected to API server ${holder}, which cannot be dialled by that name: send the request to it`));
    return new Promise((resolve, reject) => {
      // The peer's certificate must chain to the cluster CA; its names need not include how the
      // peer named itself (a machine name for a wildcard address).
      const socket = tlsConnect({ host: at.host, port: at.port, ca: peers.caPem, checkServerIdentity: () => undefined, ...(isIP(at.host) ? {} : { servername: at.host }) });
      const fail = (why: string) => {
        cancel();
        socket.destroy();
        reject(unavailable(`the node agent of ${nodeName} is connected to API server ${holder}, which this server (${this.o.identity}) cannot reach: ${why}`));
      };
      const onError = (e: Error) => fail(e.message);
      const onAbort = () => fail('the request ended first');
      const cancel = this.clock.setTimer(() => fail('no answer within 5 s'), 5_000);
      socket.once('error', onError);
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('secureConnect', () => {
        cancel();
        socket.off('error', onError);
        signal?.removeEventListener('abort', onAbort);
        socket.on('error', () => socket.destroy());
        resolve({ socket, headers: { authorization: `Bearer ${peers.token}`, [FORWARDED_BY_HEADER]: this.o.identity } });
      });
    });
  }

  /** Ends every tunnel, idle or in use; later ones are refused. */
  close(): void {
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    for (const list of this.waiters.values()) for (const w of [...list]) w(undefined);
  }

  private async admit(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (String(req.headers.upgrade ?? '').toLowerCase() !== TUNNEL_UPGRADE) throw badRequest(`${TUNNEL_PATH} upgrades to ${TUNNEL_UPGRADE} only`);
    const tokens = credentialsOf(req.headers);
    if (tokens.length > GROUP_SIZE) throw badRequest(`a tunnel carries at most ${GROUP_SIZE} node credentials, not ${tokens.length}`);
    const nodes: string[] = [];
    for (const token of tokens) {
      const user = await this.o.api.authenticate({ method: 'GET', url: TUNNEL_PATH, headers: { authorization: `Bearer ${token}` } });
      const node = user && nodeNameOf(user);
      if (!node) throw new ApiError('Unauthorized', 401, 'Unauthorized: a tunnel must carry node credentials (system:node:<name>) only');
      nodes.push(node);
    }
    if (nodes.length === 0) throw new ApiError('Unauthorized', 401, 'Unauthorized');
    if (this.closed || !socket.writable) return void socket.destroy();
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${TUNNEL_UPGRADE}\r\n\r\n`);
    if (head.length) socket.unshift(head);
    (socket as Socket).setKeepAlive?.(true, KEEPALIVE_MS);
    (socket as Socket).setNoDelay?.(true);
    this.park({ socket, nodes });
  }

  private park(p: Parked): void {
    this.sockets.add(p.socket);
    for (const n of p.nodes) this.open.set(n, (this.open.get(n) ?? 0) + 1);
    p.socket.once('close', () => {
      this.sockets.delete(p.socket);
      this.unpark(p);
      for (const n of p.nodes) {
        const left = (this.open.get(n) ?? 1) - 1;
        if (left > 0) this.open.set(n, left);
        else {
          this.open.delete(n);
          // Reconnecting later (perhaps after using another server) records this server again.
          this.annotated.delete(n);
        }
      }
    });
    for (const n of p.nodes) void this.annotate(n);
    for (const n of p.nodes) {
      const waiter = this.waiters.get(n)?.[0];
      if (waiter) return waiter(p);
    }
    for (const n of p.nodes) {
      let set = this.idle.get(n);
      if (!set) this.idle.set(n, (set = new Set()));
      set.add(p);
    }
  }

  private unpark(p: Parked): void {
    for (const n of p.nodes) {
      const set = this.idle.get(n);
      set?.delete(p);
      if (set?.size === 0) this.idle.delete(n);
    }
  }

  private takeIdle(nodeName: string): Duplex | undefined {
    for (const p of this.idle.get(nodeName) ?? []) {
      this.unpark(p);
      if (!p.socket.destroyed) return p.socket;
    }
    return undefined;
  }

  /** The next tunnel parked for `nodeName`, or undefined after waitMs or once `signal` aborts. */
  private wait(nodeName: string, signal?: AbortSignal): Promise<Duplex | undefined> {
    if (this.closed || signal?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      let list = this.waiters.get(nodeName);
      if (!list) this.waiters.set(nodeName, (list = []));
      const waiters = list;
      const finish = (p: Parked | undefined) => {
        cancel();
        signal?.removeEventListener('abort', onAbort);
        waiters.splice(waiters.indexOf(finish), 1);
        if (waiters.length === 0 && this.waiters.get(nodeName) === waiters) this.waiters.delete(nodeName);
        resolve(p?.socket);
      };
      const onAbort = () => finish(undefined);
      waiters.push(finish);
      const cancel = this.clock.setTimer(() => finish(undefined), this.o.waitMs ?? 5_000);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Records this server on the Node, once per run of tunnels, so other servers can name it. */
  private async annotate(nodeName: string): Promise<void> {
    if (this.annotated.has(nodeName)) return;
    this.annotated.add(nodeName);
    try {
      const node = await this.o.client.resource(NODES).find('', nodeName);
      if (!node || node.metadata.annotations?.[TUNNEL_SERVER_ANNOTATION] === this.o.identity) return;
      await this.o.client.resource(NODES).patch('', nodeName, 'merge', { metadata: { annotations: { [TUNNEL_SERVER_ANNOTATION]: this.o.identity } } });
    } catch (e) {
      // Tried again when the node's next tunnel opens.
      this.annotated.delete(nodeName);
      this.o.log?.(`recording the tunnel server of node ${nodeName} failed: ${(e as Error).message}`);
    }
  }
}
