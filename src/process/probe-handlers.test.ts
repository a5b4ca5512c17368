import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttp2Server, type Http2Server } from 'node:http2';
import { connect, createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProbe, type ProbeHandler, type ProbeTarget } from './probe-handlers.ts';

const portOf = (s: { address(): unknown }) => (s.address() as AddressInfo).port;
const listen = <S extends { listen(port: number, host: string, cb: () => void): unknown }>(s: S) => new Promise<S>((r) => s.listen(0, '127.0.0.1', () => r(s)));

/** gRPC health answers by service name: "" SERVING, "sick" NOT_SERVING, "nohealth" UNIMPLEMENTED. */
function grpcHealthServer(): Http2Server {
  const server = createHttp2Server();
  server.on('stream', (stream, headers) => {
    let body = Buffer.alloc(0);
    stream.on('data', (d: Buffer) => (body = Buffer.concat([body, d])));
    stream.on('end', () => {
      const msg = body.subarray(5);
      const service = msg[0] === 0x0a ? msg.subarray(2, 2 + msg[1]!).toString() : '';
      if (headers[':path'] !== '/grpc.health.v1.Health/Check' || service === 'nohealth') {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '12', 'grpc-message': 'unknown service grpc.health.v1.Health' }));
        return stream.end();
      }
      const status = service === 'sick' ? 2 : 1;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(Buffer.from([0, 0, 0, 0, 2, 0x08, status]));
    });
  });
  return server;
}

describe('runProbe', () => {
  let http: HttpServer;
  let tcp: Server;
  let grpc: Http2Server;
  let closedPort: number;
  const target = (): ProbeTarget => ({
    podIP: '127.0.0.1',
    ports: new Map([['web', portOf(http)]]),
    connect: (host, port, timeoutMs) =>
      new Promise((resolve, reject) => {
        const s = connect(port, host);
        const timer = setTimeout(() => (s.destroy(), reject(new Error('i/o timeout'))), timeoutMs);
        s.once('connect', () => (clearTimeout(timer), resolve(s)));
        s.once('error', (e) => (clearTimeout(timer), reject(new Error((e as NodeJS.ErrnoException).code === 'ECONNREFUSED' ? 'connect: connection refused' : e.message))));
      }),
    exec: async (command) => (command[0] === 'true' ? { code: 0, output: '' } : { code: 1, output: 'cat: /tmp/ok: No such file or directory\n' }),
  });

  beforeAll(async () => {
    http = await listen(createHttpServer((req, res) => res.writeHead(req.url === '/healthz' ? 200 : req.url === '/moved' ? 302 : 500).end('x')));
    tcp = await listen(createTcpServer((s) => s.end()));
    grpc = await listen(grpcHealthServer());
    const probe = await listen(createTcpServer());
    closedPort = portOf(probe);
    await new Promise((r) => probe.close(r));
  });
  afterAll(() => {
    http.close();
    tcp.close();
    grpc.close();
  });

  const cases: { name: string; handler: () => ProbeHandler; ok: boolean; output?: () => string | RegExp }[] = [
    { name: 'httpGet 200 passes', handler: () => ({ httpGet: { path: '/healthz', port: portOf(http) } }), ok: true },
    { name: 'httpGet by named port', handler: () => ({ httpGet: { path: '/healthz', port: 'web' } }), ok: true },
    { name: 'httpGet 3xx passes', handler: () => ({ httpGet: { path: '/moved', port: portOf(http) } }), ok: true },
    { name: 'httpGet 500 fails with the status', handler: () => ({ httpGet: { path: '/', port: portOf(http) } }), ok: false, output: () => 'HTTP probe failed with statuscode: 500' },
    { name: 'httpGet to a closed port says connection refused', handler: () => ({ httpGet: { path: '/', port: closedPort } }), ok: false, output: () => new RegExp(`^Get "http://127\\.0\\.0\\.1:${closedPort}/": dial tcp 127\\.0\\.0\\.1:${closedPort}: connect: connection refused$`) },
    { name: 'httpGet to an unknown named port', handler: () => ({ httpGet: { port: 'nope' } }), ok: false, output: () => 'unknown port: "nope"' },
    { name: 'tcpSocket open passes', handler: () => ({ tcpSocket: { port: portOf(tcp) } }), ok: true },
    { name: 'tcpSocket closed fails', handler: () => ({ tcpSocket: { port: closedPort } }), ok: false, output: () => `dial tcp 127.0.0.1:${closedPort}: connect: connection refused` },
    { name: 'exec exit 0 passes', handler: () => ({ exec: { command: ['true'] } }), ok: true },
    { name: 'exec non-zero fails with its output', handler: () => ({ exec: { command: ['cat', '/tmp/ok'] } }), ok: false, output: () => 'cat: /tmp/ok: No such file or directory' },
    { name: 'grpc SERVING passes', handler: () => ({ grpc: { port: portOf(grpc) } }), ok: true },
    { name: 'grpc NOT_SERVING fails', handler: () => ({ grpc: { port: portOf(grpc), service: 'sick' } }), ok: false, output: () => 'service unhealthy (responded with "NOT_SERVING")' },
    { name: 'grpc without the health service', handler: () => ({ grpc: { port: portOf(grpc), service: 'nohealth' } }), ok: false, output: () => /does not implement the grpc health protocol/ },
    { name: 'grpc to a closed port', handler: () => ({ grpc: { port: closedPort } }), ok: false, output: () => `timeout: failed to connect service "127.0.0.1:${closedPort}" within 1s` },
  ];
  it.each(cases)('$name', async ({ handler, ok, output }) => {
    const r = await runProbe(handler(), target());
    expect(r.ok, r.output).toBe(ok);
    const want = output?.();
    if (want instanceof RegExp) expect(r.output).toMatch(want);
    else if (want !== undefined) expect(r.output).toBe(want);
  });
});
