// Watch responses: newline-delimited JSON events over a chunked body, optionally as Table rows
// (kubectl get -w), ended by timeoutSeconds or the client; errors after the start become an
// ERROR event with a Status, as upstream's watch server does.
import { ApiError } from '../api/errors.ts';
import type { KubeObject } from '../api/meta/types.ts';
import type { ApiWatchEvent } from '../registry/options.ts';
import { watchObjects } from '../registry/watch.ts';
import { AsyncQueue, QueueOverflowError } from '../util/async-queue.ts';
import type { ApiServerContext } from './context.ts';
import { JSON_TYPE } from './negotiate.ts';
import { printTable } from './tables.ts';
import { boolParam, timeoutSeconds } from './query.ts';
import { partialMetadata, type RenderContext } from './respond.ts';
import { isShared, sharedJson } from '../registry/codec.ts';
import type { ResourceTarget } from './resource-handler.ts';
import type { ApiRequest, ApiResponse } from './types.ts';

export async function serveWatch(ctx: ApiServerContext, req: ApiRequest, q: URLSearchParams, t: ResourceTarget, render: RenderContext): Promise<ApiResponse> {
  const sendInitialEvents = q.has('sendInitialEvents') ? boolParam(q, 'sendInitialEvents') : undefined;
  const allowWatchBookmarks = boolParam(q, 'allowWatchBookmarks');
  if (sendInitialEvents !== undefined) {
    // Upstream's ListOptions validation for streaming lists.
    if (q.get('resourceVersionMatch') !== 'NotOlderThan') {
      throw new ApiError('Invalid', 422, 'resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
    }
    if (sendInitialEvents && !allowWatchBookmarks) {
      throw new ApiError('Invalid', 422, 'allowWatchBookmarks: Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true');
    }
  }
  const controller = new AbortController();
  req.signal?.addEventListener('abort', () => controller.abort(), { once: true });
  const events = await watchObjects(t.store, t.namespace, {
    labelSelector: q.get('labelSelector') ?? undefined,
    fieldSelector: q.get('fieldSelector') ?? undefined,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    allowWatchBookmarks,
    sendInitialEvents: sendInitialEvents ?? false,
    signal: controller.signal,
  });
  const timeout = timeoutSeconds(q);
  const cancelTimer = timeout ? ctx.clock.setTimer(() => controller.abort(), timeout * 1000) : undefined;
  let headerSent = false;
  const encodeEvent = (ev: ApiWatchEvent): string => {
    if (ev.type !== 'BOOKMARK' && ev.type !== 'ERROR') {
      if (render.shape === 'table') {
        const object = printTable(t.store.info, [ev.object], { now: new Date(ctx.clock.now()), includeObject: render.includeObject, noHeaders: headerSent, resourceVersion: ev.object.metadata.resourceVersion });
        headerSent = true;
        return `${JSON.stringify({ type: ev.type, object })}\n`;
      }
      if (render.shape === 'metadata') return `${JSON.stringify({ type: ev.type, object: partialMetadata(ev.object as KubeObject) })}\n`;
      // Shared event objects are serialised once for every watcher that sends them.
      if (isShared(ev.object)) return `{"type":"${ev.type}","object":${sharedJson(ev.object)}}\n`;
    }
    return `${JSON.stringify({ type: ev.type, object: ev.object })}\n`;
  };
  const finish = () => {
    cancelTimer?.();
    controller.abort();
  };
  const errorEvent = (e: unknown): ApiWatchEvent => ({
    type: 'ERROR',
    object: (e instanceof ApiError ? e.toStatus() : new ApiError('InternalError', 500, `watch ended: ${(e as Error).message}`).toStatus()) as unknown as KubeObject,
  });
  async function* batches(): AsyncGenerator<ApiWatchEvent[]> {
    try {
      for await (const batch of events as AsyncQueue<ApiWatchEvent[]>) yield batch;
    } catch (e) {
      // A consumer that fell too far behind is dropped silently: it re-watches from its last
      // revision, as from any closed watch.
      if (!(e instanceof QueueOverflowError)) yield [errorEvent(e)];
    } finally {
      finish();
    }
  }
  async function* text(): AsyncGenerator<string> {
    for await (const batch of batches()) yield batch.map(encodeEvent).join('');
  }
  const headers = { 'content-type': render.shape === 'table' ? 'application/json;as=Table;v=v1;g=meta.k8s.io' : JSON_TYPE, 'transfer-encoding': 'chunked' };
  // One of the two is consumed: `events` by in-process clients asking for plain objects, `stream` otherwise.
  let source: AsyncIterable<string> | undefined;
  return {
    status: 200,
    headers,
    ...(render.shape === 'object' ? { events: batches() } : {}),
    get stream() {
      return (source ??= text());
    },
  };
}
