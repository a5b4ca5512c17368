// Running one probe as the kubelet does (pkg/probe/http, tcp, exec): httpGet succeeds on a status
// from 200 to 399, tcpSocket when the connection opens, exec when the command exits 0. Outputs
// follow upstream's wording, since they surface in Unhealthy events.
import { request } from 'node:http';
import { connect as http2Connect } from 'node:http2';
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface ProbeHandler {
  exec?: { command?: string[] };
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: string; httpHeaders?: { name: string; value: string }[] };
  tcpSocket?: { port: number | string; host?: string };
  grpc?: { port: number; service?: string };
  timeoutSeconds?: number;
}

export interface ProbeTarget {
  podIP: string;
  /** Named container ports. */
  ports: Map<string, number>;
  connect(host: string, port: number, timeoutMs: number): Promise<Socket>;
  exec(command: string[], timeoutMs: number): Promise<{ code: number; output: string }>;
}

export interface ProbeOutcome {
  ok: boolean;
  output: string;
}

function portOf(p: number | string, ports: Map<string, number>): number | undefined {
  if (typeof p === 'number') return p;
  if (/^\d+$/.test(p)) return Number(p);
  return ports.get(p);
}

export async function runProbe(h: ProbeHandler, t: ProbeTarget): Promise<ProbeOutcome> {
  const timeoutMs = (h.timeoutSeconds ?? 1) * 1000;
  if (h.exec) {
    try {
      const r = await t.exec(h.exec.command ?? [], timeoutMs);
      return { ok: r.code === 0, output: r.output.trimEnd() };
    } catch (e) {
      return { ok: false, output: (e as Error).message };
    }
  }
  if (h.tcpSocket) {
    const port = portOf(h.tcpSocket.port, t.ports);
    const host = h.tcpSocket.host || t.podIP;
    if (port === undefined) return { ok: false, output: `unknown port: ${JSON.stringify(h.tcpSocket.port)}` };
    try {
      (await t.connect(host, port, timeoutMs)).destroy();
      return { ok: true, output: '' };
    } catch (e) {
      return { ok: false, output: `dial tcp ${host}:${port}: ${(e as Error).message.replace(/^dial tcp [^ ]+ /, '')}` };
    }
  }
  if (h.httpGet) return httpProbe(h.httpGet, t, timeoutMs);
  if (h.grpc) return grpcProbe(h.grpc, t, timeoutMs);
  return { ok: false, output: 'probe has no handler' };
}

async function httpProbe(g: NonNullable<ProbeHandler['httpGet']>, t: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const port = portOf(g.port, t.ports);
  const host = g.host || t.podIP;
  const path = g.path || '/';
  const url = `${(g.scheme ?? 'HTTP').toLowerCase()}://${host}:${port}${path}`;
  if (port === undefined) return { ok: false, output: `unknown port: ${JSON.stringify(g.port)}` };
  let sock: Socket;
  try {
    sock = await t.connect(host, port, timeoutMs);
  } catch (e) {
    return { ok: false, output: `Get "${url}": dial tcp ${host}:${port}: ${(e as Error).message.replace(/^dial tcp [^ ]+ /, '')}` };
  }
  const headers: Record<string, string> = { 'user-agent': 'kube-probe/1.35', accept: '*/*', host: `${host}:${port}` };
  for (const hd of g.httpHeaders ?? []) headers[hd.name.toLowerCase()] = hd.value;
  // HTTPS probes do not verify the certificate, as the kubelet's prober does not.
  const conn: Socket = (g.scheme ?? 'HTTP').toUpperCase() === 'HTTPS' ? tlsConnect({ socket: sock, rejectUnauthorized: false, servername: isIP(host) ? undefined : host }) : sock;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ ok: false, output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    }, timeoutMs);
    const req = request({ createConnection: () => conn, path, method: 'GET', headers }, (res) => {
      const status = res.statusCode ?? 0;
      let body = '';
      res.on('data', (d) => (body.length < 10_240 ? (body += d) : undefined));
      res.on('end', () => {
        clearTimeout(timer);
        sock.destroy();
        resolve(status >= 200 && status < 400 ? { ok: true, output: '' } : { ok: false, output: `HTTP probe failed with statuscode: ${status}` });
      });
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, output: `Get "${url}": ${e.message}` });
    });
    req.end();
  });
}

const GRPC_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/**
 * grpc.health.v1.Health/Check over HTTP/2 (pkg/probe/grpc): SERVING passes; any other status, a
 * non-zero grpc-status or no answer in time fails with upstream's wording.
 */
async function grpcProbe(g: NonNullable<ProbeHandler['grpc']>, t: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const addr = `${t.podIP}:${g.port}`;
  let sock: Socket;
  try {
    sock = await t.connect(t.podIP, g.port, timeoutMs);
  } catch {
    return { ok: false, output: `timeout: failed to connect service "${addr}" within ${timeoutMs / 1000}s` };
  }
  const service = Buffer.from(g.service ?? '');
  // HealthCheckRequest { string service = 1; } in a gRPC frame (no compression, 4-byte length).
  const message = service.length ? Buffer.concat([Buffer.from([0x0a, service.length]), service]) : Buffer.alloc(0);
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, 5);
  return new Promise((resolve) => {
    const session = http2Connect(`http://${addr}`, { createConnection: () => sock });
    let settled = false;
    const done = (o: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      resolve(o);
    };
    const timer = setTimeout(() => done({ ok: false, output: `timeout: health rpc did not complete within ${timeoutMs / 1000}s` }), timeoutMs);
    session.on('error', (e) => done({ ok: false, output: `error: health rpc probe failed: ${e.message}` }));
    const req = session.request({ ':method': 'POST', ':path': '/grpc.health.v1.Health/Check', 'content-type': 'application/grpc', te: 'trailers' });
    let body = Buffer.alloc(0);
    let grpcStatus: string | undefined;
    let grpcMessage = '';
    req.on('response', (h) => {
      if (h['grpc-status'] !== undefined) grpcStatus = String(h['grpc-status']);
    });
    req.on('trailers', (h) => {
      grpcStatus = String(h['grpc-status'] ?? grpcStatus ?? '');
      grpcMessage = String(h['grpc-message'] ?? '');
    });
    req.on('data', (d: Buffer) => (body = Buffer.concat([body, d])));
    req.on('error', (e) => done({ ok: false, output: `error: health rpc probe failed: ${e.message}` }));
    req.on('end', () => {
      if (grpcStatus === '12') return done({ ok: false, output: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${grpcMessage}` });
      if (grpcStatus !== '0') return done({ ok: false, output: `error: health rpc probe failed: rpc error: code = ${grpcStatus} desc = ${grpcMessage}` });
      // HealthCheckResponse { ServingStatus status = 1; }: field 1, varint.
      const msg = body.subarray(5);
      const status = msg[0] === 0x08 ? (msg[1] ?? 0) : 0;
      if (status === 1) return done({ ok: true, output: '' });
      done({ ok: false, output: `service unhealthy (responded with "${GRPC_STATUS[status] ?? status}")` });
    });
    req.end(frame);
  });
}
