// The agent's side of its tunnels (tunnel-protocol.ts): for every group of its nodes it keeps a
// few idle connections open to the API server, each authenticated with the group's node
// credentials over TLS verified against the cluster CA. A connection the server sends a request
// down is handed to the local kubelet server and replaced at once; one that fails or is dropped
// is dialled again after a back-off, so agents ride out server restarts.
import type { Server } from 'node:http';
import { request } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { statusMessage } from './join-client.ts';
import type { ServerChoice } from '../client/server-list.ts';
import { credentialHeaders, IDLE_PER_GROUP, KEEPALIVE_MS, redialDelayMs, SHORT_LIVED_MS, TUNNEL_PATH, TUNNEL_UPGRADE, tunnelGroups } from './tunnel-protocol.ts';

export interface TunnelClientOptions {
  /** The API servers; a tunnel that cannot be opened moves on to the next. */
  servers: ServerChoice;
  caPem: string;
  /** Each node's credential (system:node:<name>), by node name. */
  tokens: Record<string, string>;
  /** Answers what the server sends down a tunnel (kubelet-server.ts). */
  kubelet: Server;
  /** Idle connections per group of nodes (default IDLE_PER_GROUP). */
  idle?: number;
  log?: (m: string) => void;
}

export interface TunnelClient {
  /** Whether every slot has an idle tunnel open (tests wait for it). */
  connected(): boolean;
  /** Stops dialling and ends every tunnel, idle or in use. */
  close(): void;
}


export function openTunnels(o: TunnelClientOptions): TunnelClient {
  const abort = new AbortController();
  const sockets = new Set<Duplex>();
  /** Idle tunnels, each with what to do when the server first uses it. */
  const waiting = new Map<Duplex, () => void>();
  const used = (socket: Duplex) => {
    const settle = waiting.get(socket);
    waiting.delete(socket);
    settle?.();
  };
  o.kubelet.on('request', (req) => used(req.socket));
  o.kubelet.on('upgrade', (req) => used(req.socket));
  const log = o.log ?? (() => {});
  let slots = 0;

  /** Hands a tunnel to the kubelet server; resolves 'used' on its first request, 'closed' if it ends unused. */
  const handOver = (socket: Duplex): Promise<'used' | 'closed'> =>
    new Promise((resolve) => {
      sockets.add(socket);
      socket.once('close', () => {
        sockets.delete(socket);
        if (waiting.delete(socket)) resolve('closed');
      });
      waiting.set(socket, () => resolve('used'));
      o.kubelet.emit('connection', socket);
    });

  const slot = async (tokens: string[]) => {
    let failures = 0;
    while (!abort.signal.aborted) {
      let socket: Duplex;
      const server = o.servers.current();
      try {
        socket = await dial(server, o, tokens, abort.signal);
      } catch (e) {
        if (abort.signal.aborted) return;
        failures++;
        o.servers.failed(server);
        log(`tunnel to ${server} failed (${failures} in a row): ${(e as Error).message}`);
        await delay(redialDelayMs(failures), undefined, { signal: abort.signal }).catch(() => {});
        continue;
      }
      const opened = Date.now();
      const outcome = await handOver(socket);
      if (outcome === 'used' || Date.now() - opened >= SHORT_LIVED_MS) failures = 0;
      else {
        failures++;
        await delay(redialDelayMs(failures), undefined, { signal: abort.signal }).catch(() => {});
      }
    }
  };

  for (const group of tunnelGroups(Object.keys(o.tokens))) {
    const tokens = group.map((n) => o.tokens[n]!);
    for (let i = 0; i < (o.idle ?? IDLE_PER_GROUP); i++) {
      slots++;
      void slot(tokens);
    }
  }
  return {
    connected: () => waiting.size === slots,
    close: () => {
      abort.abort();
      for (const s of sockets) s.destroy();
    },
  };
}

/** Opens one tunnel: resolves with the connection once the server has switched protocols. */
function dial(server: string, o: TunnelClientOptions, tokens: string[], signal: AbortSignal): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const r = request(new URL(TUNNEL_PATH, server), {
      method: 'GET',
      ca: o.caPem,
      agent: false,
      signal,
      timeout: 10_000,
      headers: { connection: 'Upgrade', upgrade: TUNNEL_UPGRADE, ...credentialHeaders(tokens) },
    });
    r.once('upgrade', (_res, socket: Socket, head: Buffer) => {
      socket.setTimeout(0);
      socket.setKeepAlive(true, KEEPALIVE_MS);
      socket.setNoDelay(true);
      if (head.length) socket.unshift(head);
      resolve(socket);
    });
    r.once('response', (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.once('end', () => reject(new Error(`the server refused the tunnel (HTTP ${res.statusCode}): ${statusMessage(body)}`)));
    });
    r.once('timeout', () => r.destroy(new Error('no answer within 10 s')));
    r.once('error', reject);
    r.end();
  });
}
