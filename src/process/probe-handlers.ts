// Running one probe as the kubelet does (pkg/probe/http, tcp, exec): httpGet succeeds on a status
// from 200 to 399, tcpSocket when the connection opens, exec when the command exits 0. Outputs
// follow upstream's wording, since they surface in Unhealthy events.
import { request } from 'node:http';
import type { Socket } from 'node:net';

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
  if (h.grpc) return { ok: false, output: 'gRPC probes are not supported by the process runtime yet' };
  return { ok: false, output: 'probe has no handler' };
}

async function httpProbe(g: NonNullable<ProbeHandler['httpGet']>, t: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const port = portOf(g.port, t.ports);
  const host = g.host || t.podIP;
  const path = g.path || '/';
  const url = `${(g.scheme ?? 'HTTP').toLowerCase()}://${host}:${port}${path}`;
  if (port === undefined) return { ok: false, output: `unknown port: ${JSON.stringify(g.port)}` };
  if ((g.scheme ?? 'HTTP').toUpperCase() === 'HTTPS') return { ok: false, output: 'HTTPS probes are not supported by the process runtime yet' };
  let sock: Socket;
  try {
    sock = await t.connect(host, port, timeoutMs);
  } catch (e) {
    return { ok: false, output: `Get "${url}": dial tcp ${host}:${port}: ${(e as Error).message.replace(/^dial tcp [^ ]+ /, '')}` };
  }
  const headers: Record<string, string> = { 'user-agent': 'kube-probe/1.35', accept: '*/*', host: `${host}:${port}` };
  for (const hd of g.httpHeaders ?? []) headers[hd.name.toLowerCase()] = hd.value;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ ok: false, output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    }, timeoutMs);
    const req = request({ createConnection: () => sock, path, method: 'GET', headers, agent: false }, (res) => {
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
