// A minimal HTTPS client for driving `k8ts up`: bearer token, the cluster CA, and a keep-alive
// agent so the timed loops measure requests rather than TLS handshakes.
import { Agent, request } from 'node:https';
import type { IncomingMessage } from 'node:http';

const USER_AGENT = 'k8ts-bench/v0.1.0';

export interface ApiClientOptions {
  url: string;
  token: string;
  caPem: string;
  /** Sockets the keep-alive agent may open; default 32. */
  maxSockets?: number;
}

export interface ApiResponse {
  status: number;
  body: string;
}

export interface WatchHandle {
  /** The live response; pause() it (and its socket) to play a client that stops reading. */
  readonly res: IncomingMessage;
  /** Resolves when the server ends or drops the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

export class ApiClient {
  readonly url: URL;
  private readonly agent: Agent;
  private readonly auth: string;

  constructor(private readonly opts: ApiClientOptions) {
    this.url = new URL(opts.url);
    this.auth = `Bearer ${opts.token}`;
    this.agent = new Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 32, ca: opts.caPem });
  }

  /** One request; resolves with the status and whole body (any status), rejects on transport errors. */
  request(method: string, path: string, body?: unknown, opts: { signal?: AbortSignal; contentType?: string } = {}): Promise<ApiResponse> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string> = { authorization: this.auth, accept: 'application/json', 'user-agent': USER_AGENT };
    if (payload !== undefined) {
      headers['content-type'] = opts.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      const req = request(
        { host: this.url.hostname, port: this.url.port, path, method, headers, agent: this.agent, signal: opts.signal },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Like request(), but throws unless the status is one of `expect` (default 200 and 201). */
  async expect(method: string, path: string, body?: unknown, opts: { signal?: AbortSignal; contentType?: string; expect?: number[] } = {}): Promise<ApiResponse> {
    const res = await this.request(method, path, body, opts);
    if (!(opts.expect ?? [200, 201]).includes(res.status)) throw new Error(`${method} ${path} failed: HTTP ${res.status}: ${res.body.slice(0, 300)}`);
    return res;
  }

  /**
   * Opens a watch stream on its own connection (long-lived streams must not hold pooled sockets)
   * and calls onLine with each newline-terminated event and the time its chunk arrived.
   */
  watch(path: string, onLine: (line: string, receivedAt: number) => void, opts: { signal?: AbortSignal } = {}): Promise<WatchHandle> {
    return new Promise((resolve, reject) => {
      const req = request(
        { host: this.url.hostname, port: this.url.port, path, method: 'GET', headers: { authorization: this.auth, accept: 'application/json', 'user-agent': USER_AGENT }, ca: this.opts.caPem, agent: false, signal: opts.signal },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            reject(new Error(`Watch ${path} failed: HTTP ${res.statusCode}`));
            return;
          }
          res.setEncoding('utf8');
          let pending = '';
          res.on('data', (chunk: string) => {
            const at = performance.now();
            let start = 0;
            let nl = chunk.indexOf('\n');
            if (nl === -1) {
              pending += chunk;
              return;
            }
            onLine(pending + chunk.slice(0, nl), at);
            pending = '';
            start = nl + 1;
            while ((nl = chunk.indexOf('\n', start)) !== -1) {
              onLine(chunk.slice(start, nl), at);
              start = nl + 1;
            }
            pending = chunk.slice(start);
          });
          const ended = new Promise<void>((done) => {
            res.once('end', done);
            res.once('close', done);
            res.once('error', () => done());
          });
          resolve({ res, ended, close: () => req.destroy() });
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
