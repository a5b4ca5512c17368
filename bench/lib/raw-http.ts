// A lean HTTP/1.1 load client (in the spirit of wrk): a fixed set of keep-alive TLS connections,
// one request in flight on each, requests written as pre-built bytes and responses parsed just
// enough to find the status and the end of the body. On a small machine the load generator
// shares the cores with the server; node:https costs several times more CPU per request.
import { connect, type TLSSocket } from 'node:tls';

export interface RawResponse {
  status: number;
  body: Buffer;
}

interface Pending {
  resolve(r: RawResponse): void;
  reject(e: Error): void;
}

class Connection {
  /** Unparsed bytes; once a response's head is parsed, its body chunks until complete. */
  private chunks: Buffer[] = [];
  private size = 0;
  private head: { status: number; total: number } | undefined;
  private pending: Pending | undefined;
  private readonly ready: Promise<void>;
  private failed: Error | undefined;

  constructor(private readonly socket: TLSSocket) {
    socket.setNoDelay(true);
    this.ready = new Promise((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.size += chunk.length;
      this.parse();
    });
    const fail = (e: Error) => {
      this.failed = e;
      this.pending?.reject(e);
      this.pending = undefined;
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('Connection closed by the server')));
  }

  async send(bytes: Buffer | string): Promise<RawResponse> {
    await this.ready;
    if (this.failed) throw this.failed;
    if (this.pending) throw new Error('Raw HTTP connection is busy');
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(bytes);
    });
  }

  private parse(): void {
    if (!this.pending) return;
    if (!this.head) {
      const buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
      this.chunks = [buf];
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.toString('latin1', 0, end);
      const m = /\r\ncontent-length: *(\d+)/i.exec(head);
      if (!m) {
        this.pending.reject(new Error(`Raw HTTP response without content-length: ${head.split('\r\n')[0]}`));
        this.pending = undefined;
        this.socket.destroy();
        return;
      }
      this.head = { status: Number(head.slice(9, 12)), total: Number(m[1]) };
      this.chunks = [buf.subarray(end + 4)];
      this.size = buf.length - end - 4;
    }
    if (this.size < this.head.total) return;
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    const body = all.subarray(0, this.head.total);
    const rest = all.subarray(this.head.total);
    const status = this.head.status;
    this.head = undefined;
    this.chunks = rest.length ? [rest] : [];
    this.size = rest.length;
    const p = this.pending;
    this.pending = undefined;
    p.resolve({ status, body });
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface RawClientOptions {
  url: string;
  token: string;
  caPem: string;
  connections: number;
}

/** A pool of `connections` connections; request() waits for a free one. */
export class RawHttpClient {
  private readonly free: Connection[] = [];
  private readonly waiting: ((c: Connection) => void)[] = [];
  private readonly all: Connection[] = [];
  private readonly host: string;
  private readonly auth: string;

  constructor(opts: RawClientOptions) {
    const url = new URL(opts.url);
    this.host = url.host;
    this.auth = `Bearer ${opts.token}`;
    for (let i = 0; i < opts.connections; i++) {
      const c = new Connection(connect({ host: url.hostname, port: Number(url.port), ca: opts.caPem, servername: url.hostname === '127.0.0.1' ? undefined : url.hostname }));
      this.all.push(c);
      this.free.push(c);
    }
  }

  /** Serialises a request once; send the result as often as needed. */
  build(method: string, path: string, body?: string, contentType = 'application/json'): Buffer {
    const len = body === undefined ? 0 : Buffer.byteLength(body);
    const head =
      `${method} ${path} HTTP/1.1\r\nHost: ${this.host}\r\nAuthorization: ${this.auth}\r\nAccept: application/json\r\nUser-Agent: k8ts-bench/v0.1.0\r\n` +
      (body === undefined ? '\r\n' : `Content-Type: ${contentType}\r\nContent-Length: ${len}\r\n\r\n`);
    return body === undefined ? Buffer.from(head, 'latin1') : Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body)]);
  }

  async request(bytes: Buffer): Promise<RawResponse> {
    const c = this.free.pop() ?? (await new Promise<Connection>((resolve) => this.waiting.push(resolve)));
    try {
      return await c.send(bytes);
    } finally {
      const next = this.waiting.shift();
      if (next) next(c);
      else this.free.push(c);
    }
  }

  /** Sends and throws unless the status is one of `expect` (default 200 and 201). */
  async expect(bytes: Buffer, expect: number[] = [200, 201]): Promise<RawResponse> {
    const res = await this.request(bytes);
    if (!expect.includes(res.status)) throw new Error(`${bytes.toString('latin1', 0, bytes.indexOf(' HTTP/1.1'))} failed: HTTP ${res.status}: ${res.body.toString('utf8', 0, 300)}`);
    return res;
  }

  close(): void {
    for (const c of this.all) c.close();
  }
}
