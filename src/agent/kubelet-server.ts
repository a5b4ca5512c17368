// What a remote agent answers on its tunnels: the kubelet's side of pods/log and the
// exec/attach/portforward upgrades, for the pods of its own pool. It never listens on a port;
// tunnel-client.ts hands it each tunnel as a connection. The API server authenticated and
// authorized every request before sending it, so nothing here checks users; pods come from the
// pool's cache, as the kubelet serves from its pod manager.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApiError, methodNotAllowed } from '../api/errors.ts';
import { writeResponse } from '../apiserver/https-server.ts';
import { errorResponse } from '../apiserver/respond.ts';
import { podStreamingUpgrade } from '../apiserver/streaming/upgrade.ts';
import type { ApiRequest } from '../apiserver/types.ts';
import type { NodePool } from '../node/node-pool.ts';
import { servePodLog } from '../node/pod-subresource.ts';

const LOG_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log\/?$/;

export function kubeletServer(o: { pool: NodePool; log?: (m: string) => void }): Server {
  const server = createServer((req, res) => void serveLog(o, req, res));
  server.on('upgrade', podStreamingUpgrade({ pool: () => o.pool, log: o.log, pod: (namespace, name) => o.pool.pod(namespace, name) }));
  // A tunnel idles until the API server needs it, and a followed log may be quiet for long.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.keepAliveTimeout = 0;
  return server;
}

async function serveLog(o: { pool: NodePool; log?: (m: string) => void }, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const log = o.log ?? (() => {});
  const abort = new AbortController();
  res.once('close', () => abort.abort());
  const url = new URL(req.url ?? '/', 'http://k8ts-agent');
  const apiReq: ApiRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers as Record<string, string | undefined>, signal: abort.signal };
  let answer;
  try {
    const m = LOG_PATH.exec(url.pathname);
    if (!m) throw new ApiError('NotFound', 404, `the node agent does not serve ${url.pathname}`);
    if (apiReq.method !== 'GET') throw methodNotAllowed();
    const [, namespace, name] = m as unknown as [string, string, string];
    const pod = o.pool.pod(decodeURIComponent(namespace), decodeURIComponent(name));
    if (!pod) throw new ApiError('NotFound', 404, `pods "${decodeURIComponent(name)}" not found`, { name: decodeURIComponent(name), kind: 'pods' });
    answer = servePodLog(o.pool, pod, apiReq, url.searchParams);
  } catch (e) {
    answer = errorResponse(e, log);
  }
  await writeResponse(res, answer, () => abort.signal.aborted).catch(() => res.destroy());
}
