// HTTPS transport for ApiServer.handle: reads bodies with the 3 MiB limit, writes complete and
// streamed answers with back-pressure (a watch whose client stops reading fills its bounded queue
// and is dropped, never buffered without limit), and aborts handlers when the client leaves.
import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { tooLarge } from '../api/errors.ts';
import type { ApiServer } from './api-server.ts';
import { MAX_BODY_BYTES } from './body.ts';
import { statusResponse } from './respond.ts';
import type { ApiRequest, ApiResponse } from './types.ts';

export interface HttpsOptions {
  cert: string;
  key: string;
  port: number;
  host?: string;
  /** Takes over protocol upgrades (exec, attach, port-forward over WebSocket). */
  onUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

export async function listenHttps(api: ApiServer, opts: HttpsOptions): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer({ cert: opts.cert, key: opts.key, keepAlive: true }, (req, res) => {
    void serve(api, req, res);
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0; // watches and log streams are long-lived
  // Upgraded connections (exec sessions, agents' idle tunnels) leave the server's own tracking,
  // yet server.close() waits for them: close() ends them itself.
  const upgraded = new Set<Duplex>();
  if (opts.onUpgrade) {
    const onUpgrade = opts.onUpgrade;
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      upgraded.add(socket);
      socket.once('close', () => upgraded.delete(socket));
      onUpgrade(req, socket, head);
    });
  }
  server.listen(opts.port, opts.host ?? '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of upgraded) socket.destroy();
      }),
  };
}

async function serve(api: ApiServer, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // The abort signal is made only for handlers that ask for it (watches, log streams): most
  // requests never look, and a signal per request is measurable at thousands of writes a second.
  let controller: AbortController | undefined;
  let closed = false;
  res.on('close', () => {
    closed = true;
    controller?.abort();
  });
  const signal = (): AbortSignal => {
    if (!controller) {
      controller = new AbortController();
      if (closed) controller.abort();
    }
    return controller.signal;
  };
  try {
    const body = await readBody(req);
    const apiReq: ApiRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers as Record<string, string | undefined>,
      body,
      get signal() {
        return signal();
      },
    };
    const out = await api.handle(apiReq);
    await writeResponse(res, out, () => closed);
  } catch (e) {
    if (e instanceof BodyTooLarge) {
      await writeResponse(res, statusResponse(tooLarge().toStatus()), () => closed);
      req.resume();
      return;
    }
    if (!res.headersSent) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `Internal error occurred: ${(e as Error).message}`, reason: 'InternalError', code: 500 }));
    } else res.destroy();
  }
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<Uint8Array | undefined> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

/** Writes an answer: a complete body with its length, or a stream as it comes, until the client leaves. */
export async function writeResponse(res: ServerResponse, out: ApiResponse, isClosed: () => boolean): Promise<void> {
  const stream = out.stream;
  if (!stream) {
    const headers = { ...out.headers };
    const body = out.body;
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    res.writeHead(out.status, headers);
    res.end(body);
    return;
  }
  const headers = { ...out.headers };
  delete headers['transfer-encoding'];
  res.writeHead(out.status, headers);
  res.flushHeaders();
  try {
    for await (const chunk of stream) {
      if (isClosed()) break;
      if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    }
  } finally {
    res.end();
  }
}
