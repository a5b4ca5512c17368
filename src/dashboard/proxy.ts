// `k8ts dashboard`: the dashboard for any cluster a kubeconfig reaches. A local HTTP server serves
// the page and passes /api and /apis to the cluster with the kubeconfig's credentials (as
// `kubectl proxy` does), so the page needs no token of its own. It listens on loopback only and,
// as kubectl proxy, answers only requests addressed to a loopback name (no DNS rebinding) and
// refuses writes from other origins (no cross-site requests from other pages).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ClusterAccess } from '../cli/remote-client.ts';
import { serveDashboard, DASHBOARD_PATH } from './serve.ts';

const PROXIED = /^\/(api|apis|version|openapi)(\/|$|\?)/;
const LOOPBACK_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

export interface DashboardProxy {
  url: string;
  close(): Promise<void>;
}

export async function startDashboardProxy(access: ClusterAccess, opts: { port: number; host?: string }): Promise<DashboardProxy> {
  const files = serveDashboard();
  const target = new URL(access.server);
  const agent = new Agent({ keepAlive: true, ca: access.caPem, cert: access.certPem, key: access.keyPem, maxSockets: 64 });
  const host = opts.host ?? '127.0.0.1';

  const answer = (res: ServerResponse, status: number, text: string) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`${text}\n`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (!LOOPBACK_HOST.test(req.headers.host ?? '')) return answer(res, 403, 'the dashboard proxy answers only requests to localhost or 127.0.0.1');
    const path = req.url ?? '/';
    if (path === '/') {
      res.writeHead(302, { location: DASHBOARD_PATH });
      return res.end();
    }
    const page = await files(path.split('?')[0]!);
    if (page) {
      res.writeHead(page.status, page.headers);
      return res.end(page.body);
    }
    if (!PROXIED.test(path)) return answer(res, 404, '404 page not found');
    const origin = req.headers.origin;
    if (req.method !== 'GET' && origin !== undefined && !LOOPBACK_HOST.test(origin.replace(/^https?:\/\//, ''))) return answer(res, 403, `requests from ${origin} are refused`);
    const headers: Record<string, string | string[]> = {};
    for (const k of ['accept', 'content-type', 'content-length', 'user-agent']) if (req.headers[k] !== undefined) headers[k] = req.headers[k]!;
    if (access.token) headers.authorization = `Bearer ${access.token}`;
    const upstream = request({ protocol: target.protocol, hostname: target.hostname, port: target.port, path, method: req.method, headers, agent }, (up) => {
      res.writeHead(up.statusCode ?? 502, Object.fromEntries(Object.entries(up.headers).filter(([k]) => k !== 'connection' && k !== 'keep-alive')) as Record<string, string>);
      up.pipe(res);
    });
    upstream.on('error', (e) => {
      if (!res.headersSent) answer(res, 502, `the cluster at ${access.server} did not answer: ${e.message}`);
      else res.destroy();
    });
    // A watch ends when the page goes away.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => answer(res, 500, e.message));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${DASHBOARD_PATH}`,
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
