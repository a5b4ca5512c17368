// The API server's requests down an agent's tunnel, as upstream's apiserver proxies pod logs and
// upgrades to the kubelet (UpgradeAwareHandler): the server has authenticated and authorized the
// request and read the pod; the agent answers as the kubelet would.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError, badRequest } from '../api/errors.ts';
import type { ApiServerContext } from '../apiserver/context.ts';
import { splice } from '../apiserver/streaming/port-forward.ts';
import type { ApiRequest, ApiResponse } from '../apiserver/types.ts';
import type { NodePool } from '../node/node-pool.ts';
import { servePodSubresource } from '../node/pod-subresource.ts';
import { FORWARDED_BY_HEADER } from './tunnel-protocol.ts';

type PodSubresource = NonNullable<ApiServerContext['podSubresource']>;

/**
 * A connection a request for a pod can go down: a tunnel to the agent itself, or a connection to
 * the API server holding the agent's tunnels, with the headers that server needs to accept it.
 */
export interface Route {
  socket: Duplex;
  headers?: Record<string, string>;
}

/** The part of tunnel-server.ts's Tunnels that requests need. */
export interface TunnelSource {
  /** `forwarded`: the request came from another server, so it is not passed on again. */
  connect(nodeName: string, signal?: AbortSignal, forwarded?: boolean): Promise<Route | undefined>;
}

/** The client's credentials stay with the API server: the agent trusts what its tunnel carries. */
const NOT_FORWARDED = new Set(['authorization', 'proxy-authorization', 'cookie']);

/**
 * Pod subresources served by this server's own node pool, or, for a pod on a remote agent's
 * node, by that agent through a tunnel (logs; exec, attach and port-forward take the upgrade path).
 */
export function podSubresourceWithTunnels(o: { pool: () => NodePool | undefined; tunnels?: TunnelSource }): PodSubresource {
  return async (req, q, target) => {
    const pool = o.pool();
    if (target.subresource === 'log' && o.tunnels) {
      const pod = await target.store.get(target.namespace, target.name!);
      const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
      if (nodeName && !pool?.agent(nodeName)?.isServing) {
        const route = await o.tunnels.connect(nodeName, req.signal, req.headers[FORWARDED_BY_HEADER] !== undefined);
        if (route) return proxyRequest(route, req, nodeName);
      }
    }
    if (!pool) throw badRequest(`${target.subresource} is not available: no node agent serves pod ${target.namespace}/${target.name}`);
    return servePodSubresource(pool)(req, q, target);
  };
}

/**
 * Sends `req` (path and query as received) down the route and relays the answer: complete
 * answers as a body, a followed log as a stream that ends when the agent's does or the client leaves.
 */
export function proxyRequest(route: Route, req: ApiRequest, nodeName: string): Promise<ApiResponse> {
  const tunnel = route.socket;
  const headers: Record<string, string> = { host: 'k8ts-agent' };
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !NOT_FORWARDED.has(k.toLowerCase()) && k.toLowerCase() !== 'host') headers[k] = v;
  Object.assign(headers, route.headers);
  return new Promise((resolve, reject) => {
    const out = httpRequest({ createConnection: () => tunnel, method: req.method, path: req.url, headers });
    const onAbort = () => out.destroy();
    const signal = req.signal;
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      signal?.removeEventListener('abort', onAbort);
      tunnel.destroy();
    };
    out.once('error', (e) => {
      done();
      reject(new ApiError('ServiceUnavailable', 503, `the node agent of ${nodeName} did not answer: ${e.message}`));
    });
    out.once('response', (res) => {
      const answer = { status: res.statusCode ?? 502, headers: { 'content-type': String(res.headers['content-type'] ?? 'text/plain') } };
      if (res.headers['content-length'] === undefined && answer.status === 200) return resolve({ ...answer, stream: relayed(res, done) });
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', () => {
        done();
        resolve({ ...answer, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.once('error', (e) => {
        done();
        reject(new ApiError('ServiceUnavailable', 503, `the node agent of ${nodeName} broke off its answer: ${e.message}`));
      });
    });
    out.end();
  });
}

async function* relayed(res: IncomingMessage, done: () => void): AsyncGenerator<string> {
  res.setEncoding('utf8');
  try {
    for await (const chunk of res) yield chunk as string;
  } catch {
    // The agent or the client went away: the stream ends here, as a followed log does.
  } finally {
    done();
  }
}

/**
 * Sends the client's upgrade request down the route as received (request line, headers without
 * credentials, and any bytes read past them), then carries bytes both ways: the agent upgrades
 * and speaks the streaming protocol with the client directly.
 */
export function forwardUpgrade(req: IncomingMessage, head: Buffer, client: Duplex, route: Route): void {
  const tunnel = route.socket;
  const lines = [`${req.method} ${req.url} HTTP/1.1`];
  const added = new Set(Object.keys(route.headers ?? {}).map((k) => k.toLowerCase()));
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    if (!NOT_FORWARDED.has(name) && !added.has(name)) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  }
  for (const [k, v] of Object.entries(route.headers ?? {})) lines.push(`${k}: ${v}`);
  tunnel.on('error', () => tunnel.destroy());
  tunnel.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (head.length) tunnel.write(head);
  splice(client, tunnel, () => {});
}
