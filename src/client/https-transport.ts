// The Client's transport to a remote API server: HTTPS with a keep-alive agent, the cluster CA
// and a bearer token (what a remote node agent uses). Streamed answers (watch) come back as an
// async iterable of text chunks, ended when the server closes or the request's signal aborts.
import { Agent, request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { ApiRequest, ApiResponse } from '../apiserver/types.ts';
import type { Transport } from './client.ts';
import { neverSent, ServerList, type ServerChoice } from './server-list.ts';

export interface HttpsTransportOptions {
  /** `https://host:port`, or several servers of one cluster to fail over between. */
  server: string | ServerChoice;
  caPem: string;
  /** Bearer token; else a client certificate and key (kind's kubeconfigs) authenticate. */
  token?: string;
  certPem?: string;
  keyPem?: string;
  maxSockets?: number;
  /** Connections shared with other transports to the same server (each sends its own token). */
  agent?: Agent;
}

export function httpsTransport(opts: HttpsTransportOptions): Transport & { close(): void } {
  const servers: ServerChoice = typeof opts.server === 'string' ? new ServerList([opts.server]) : opts.server;
  const agent = opts.agent ?? new Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64, ca: opts.caPem, ...(opts.certPem && opts.keyPem ? { cert: opts.certPem, key: opts.keyPem } : {}) });
  const transport = async (req: ApiRequest): Promise<ApiResponse> => {
    // Each server at most once for a request that reached none of them.
    for (let tries = 1; ; tries++) {
      const server = servers.current();
      try {
        return await send(new URL(server), req);
      } catch (e) {
        // An aborted watch or a reset connection says nothing about the server; a refused one does.
        if (!neverSent(e)) throw e;
        servers.failed(server);
        if (tries >= servers.size) throw e;
      }
    }
  };
  const send = (base: URL, req: ApiRequest): Promise<ApiResponse> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = opts.token ? { authorization: `Bearer ${opts.token}` } : {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = v;
      if (req.body) headers['content-length'] = String(req.body.length);
      const r = request(
        { protocol: base.protocol, hostname: base.hostname, port: base.port, path: req.url, method: req.method, headers, agent, signal: req.signal },
        (res) => resolve(toResponse(res, req)),
      );
      r.on('error', reject);
      r.end(req.body ? Buffer.from(req.body) : undefined);
    });
  return Object.assign(transport, { close: () => agent.destroy() });
}

async function toResponse(res: IncomingMessage, req: ApiRequest): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v;
  const isWatch = /[?&]watch=(true|1)(&|$)/.test(req.url) && (res.statusCode ?? 500) < 300;
  if (isWatch) {
    res.setEncoding('utf8');
    async function* stream(): AsyncGenerator<string> {
      try {
        for await (const chunk of res) yield chunk as string;
      } catch (e) {
        if (!req.signal?.aborted) throw e;
      }
    }
    return { status: res.statusCode ?? 500, headers, stream: stream() };
  }
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return { status: res.statusCode ?? 500, headers, body: Buffer.concat(chunks).toString('utf8') };
}
