// pods/log, pods/exec, pods/attach and pods/portforward, served by the node agent that runs the
// pod. Container selection and its messages follow pkg/registry/core/pod/strategy.go
// (LogLocation); log state checks follow pkg/kubelet/kubelet_pods.go validateContainerLogStatus;
// the options are PodLogOptions'. The simulated runtime cannot exec, attach or forward ports, so
// those answer 400 naming the runtime that can.
import { ApiError, badRequest, methodNotAllowed } from '../api/errors.ts';
import type { KubeObject } from '../api/meta/types.ts';
import type { ApiServerContext } from '../apiserver/context.ts';
import type { ApiRequest, ApiResponse } from '../apiserver/types.ts';
import { AsyncQueue } from '../util/async-queue.ts';
import type { NodePool } from './node-pool.ts';
import type { PodSpecLite } from './pod-plan.ts';
import type { LogLine, RuntimeContainer } from './runtime.ts';

type PodSubresource = NonNullable<ApiServerContext['podSubresource']>;

export interface LogOptions {
  container?: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceMs?: number;
  sinceTime?: number;
  limitBytes?: number;
}

const KNOWN = new Set(['container', 'follow', 'previous', 'timestamps', 'tailLines', 'sinceSeconds', 'sinceTime', 'limitBytes', 'insecureSkipTLSVerifyBackend', 'pretty', 'stream']);

function int(q: URLSearchParams, name: string, min: number): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw badRequest(`invalid ${name} ${JSON.stringify(v)}: must be an integer`);
  if (n < min) throw badRequest(`invalid ${name} ${n}: must be greater than or equal to ${min}`);
  return n;
}

/** PodLogOptions from the query, refusing what is malformed or unknown. */
export function parseLogOptions(q: URLSearchParams): LogOptions {
  for (const k of q.keys()) if (!KNOWN.has(k)) throw badRequest(`unknown pod log option: ${k}`);
  const bool = (k: string) => q.get(k) === 'true' || q.get(k) === '1';
  const sinceSeconds = int(q, 'sinceSeconds', 1);
  const sinceTimeRaw = q.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTimeRaw) throw badRequest('at most one of sinceTime or sinceSeconds may be specified');
  const sinceTime = sinceTimeRaw ? Date.parse(sinceTimeRaw) : undefined;
  if (sinceTime !== undefined && Number.isNaN(sinceTime)) throw badRequest(`invalid sinceTime ${JSON.stringify(sinceTimeRaw)}: must be an RFC 3339 time`);
  return {
    container: q.get('container') || undefined,
    follow: bool('follow'),
    previous: bool('previous'),
    timestamps: bool('timestamps'),
    tailLines: int(q, 'tailLines', 0),
    sinceMs: sinceSeconds !== undefined ? sinceSeconds * 1000 : undefined,
    sinceTime,
    limitBytes: int(q, 'limitBytes', 1),
  };
}

/** The container a log request means (LogLocation's rules and messages). */
export function resolveContainer(pod: KubeObject, requested: string | undefined): string {
  const spec = (pod.spec ?? {}) as PodSpecLite & { ephemeralContainers?: { name: string }[] };
  const app = (spec.containers ?? []).map((c) => c.name);
  const init = (spec.initContainers ?? []).map((c) => c.name);
  const ephemeral = (spec.ephemeralContainers ?? []).map((c) => c.name);
  const name = pod.metadata.name;
  if (!requested) {
    if (app.length === 1) return app[0]!;
    let msg = `a container name must be specified for pod ${name}, choose one of: [${app.join(' ')}]`;
    if (init.length) msg += ` or one of the init containers: [${init.join(' ')}]`;
    if (ephemeral.length) msg += ` or one of the ephemeral containers: [${ephemeral.join(' ')}]`;
    throw badRequest(msg);
  }
  if (![...app, ...init, ...ephemeral].includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
  return requested;
}

/** RFC 3339 with nanoseconds, as container runtimes stamp log lines. */
function nanoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

function render(line: LogLine, timestamps: boolean): string {
  return (timestamps ? `${nanoTime(line.at)} ` : '') + line.text + '\n';
}

/** Selects and renders the lines a request asks for (since, tail, byte limit). */
export function selectLines(lines: readonly LogLine[], o: LogOptions, now: number): string {
  let from = -Infinity;
  if (o.sinceMs !== undefined) from = now - o.sinceMs;
  if (o.sinceTime !== undefined) from = o.sinceTime;
  let picked = lines.filter((l) => l.at >= from);
  if (o.tailLines !== undefined) picked = o.tailLines === 0 ? [] : picked.slice(-o.tailLines);
  const text = picked.map((l) => render(l, o.timestamps)).join('');
  return o.limitBytes !== undefined ? Buffer.from(text).subarray(0, o.limitBytes).toString('utf8') : text;
}

export function servePodSubresource(pool: NodePool): PodSubresource {
  return async (req, q, target) => {
    const sub = target.subresource;
    const pod = await target.store.get(target.namespace, target.name!);
    const name = pod.metadata.name!;
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (sub === 'exec' || sub === 'attach' || sub === 'portforward') {
      if (req.method !== 'GET' && req.method !== 'POST') throw methodNotAllowed();
      if (!nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
      // A runtime that streams is served on the upgrade path (src/apiserver/streaming/).
      if (pool.runtime.streaming) throw badRequest('Upgrade request required');
      throw badRequest(pool.runtime.unsupported(sub, nodeName) ?? `${sub} is not available for pod ${name}`);
    }
    if (sub !== 'log') throw new ApiError('NotFound', 404, 'the server could not find the requested resource');
    if (req.method !== 'GET') throw methodNotAllowed();
    return servePodLog(pool, pod, req, q);
  };
}

/**
 * pods/log of `pod` from the agent in `pool` that runs it: the API server's own pool, or a remote
 * agent answering through its tunnel (the pod then comes from the agent's cache).
 */
export function servePodLog(pool: NodePool, pod: KubeObject, req: ApiRequest, q: URLSearchParams): ApiResponse {
  const name = pod.metadata.name!;
  const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  const opts = parseLogOptions(q);
  const container = resolveContainer(pod, opts.container);
  if (!nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  const agent = pool.agent(nodeName);
  if (!agent?.isServing) throw new ApiError('ServiceUnavailable', 503, `the node agent of ${nodeName} is not running: cannot get logs of pod ${name}`);
  const track = agent.pods.tracks.get(`${pod.metadata.namespace}/${name}`);
  const ct = track?.uid === pod.metadata.uid ? track?.containers.get(container) : undefined;
  let c: RuntimeContainer | undefined = opts.previous ? ct?.previous : ct?.current;
  // Waiting to restart: the exited container is the previous one.
  if (opts.previous && ct?.waiting && ct.current?.state === 'exited') c = ct.current;
  if (!c) {
    if (opts.previous) throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    const reason = ct?.waiting?.reason ?? (((pod.spec as PodSpecLite).initContainers ?? []).length ? 'PodInitializing' : 'ContainerCreating');
    throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${reason}`);
  }
  return logResponse(pool, c, opts, req);
}

function logResponse(pool: NodePool, c: RuntimeContainer, o: LogOptions, req: ApiRequest): ApiResponse {
  const headers = { 'content-type': 'text/plain' };
  const body = selectLines(pool.runtime.logs(c.id), o, pool.clock.now());
  if (!o.follow || c.state === 'exited') return { status: 200, headers, body };
  // Follow: what there is, then each new line, until the container ends or the client leaves.
  const q = new AsyncQueue<string>();
  let budget = o.limitBytes;
  const send = (text: string) => {
    if (budget !== undefined) {
      const buf = Buffer.from(text);
      if (buf.length >= budget) {
        q.push(buf.subarray(0, budget).toString('utf8'));
        budget = 0;
        stop();
        return;
      }
      budget -= buf.length;
    }
    if (text) q.push(text);
  };
  const unsubscribe = pool.runtime.follow(c.id, (line) => (line ? send(render(line, o.timestamps)) : stop()));
  const onAbort = () => stop();
  function stop() {
    unsubscribe();
    req.signal?.removeEventListener('abort', onAbort);
    q.end();
  }
  req.signal?.addEventListener('abort', onAbort, { once: true });
  send(body);
  return { status: 200, headers, stream: q };
}
