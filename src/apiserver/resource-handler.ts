// Verbs on resources: the mapping from HTTP method, path and query to registry calls
// (k8s.io/apiserver/pkg/endpoints/handlers: get.go, create.go, update.go, patch.go, delete.go).
import { ApiError, badRequest, methodNotAllowed } from '../api/errors.ts';
import type { KubeObject } from '../api/meta/types.ts';
import { listObjects, listRawJson } from '../registry/list.ts';
import type { DeleteOptions, PropagationPolicy, WriteOptions } from '../registry/options.ts';
import type { ResourceStore } from '../registry/resource-store.ts';
import { rfc3339 } from '../util/clock.ts';
import { decodeBody, mediaType, requireObject } from './body.ts';
import { negotiateShape } from './negotiate.ts';
import { boolParam, dryRun, fieldValidation, listRequest } from './query.ts';
import { renderList, renderObject, statusResponse, warningHeaders, type RenderContext } from './respond.ts';
import type { ApiRequest, ApiResponse } from './types.ts';
import { patchRequest } from './patching.ts';
import { serveWatch } from './watch-response.ts';
import { defaultManagerFromUserAgent } from './apply/managed-fields.ts';
import type { ApiServerContext } from './context.ts';
import { handleSubresource } from './subresources.ts';

export interface ResourceTarget {
  store: ResourceStore;
  namespace: string;
  name?: string;
  subresource?: string;
}

export async function handleResource(ctx: ApiServerContext, req: ApiRequest, q: URLSearchParams, t: ResourceTarget): Promise<ApiResponse> {
  const { store } = t;
  const render: RenderContext = {
    info: store.info,
    shape: negotiateShape(req.headers['accept']),
    includeObject: (q.get('includeObject') as RenderContext['includeObject']) ?? undefined,
    now: new Date(ctx.clock.now()),
  };
  if (store.info.virtual) {
    if (req.method !== 'POST' || t.name || t.subresource) throw methodNotAllowed();
    if (!ctx.review) throw new ApiError('NotFound', 404, 'the server could not find the requested resource');
    return ctx.review(req, store.info, t.namespace);
  }
  if (t.subresource) return handleSubresource(ctx, req, q, t, render);
  if (store.info.namespaced && !t.namespace && (req.method !== 'GET' || t.name)) {
    // Writes and single-object reads of namespaced resources need a namespace in the path.
    if (req.method !== 'GET' || t.name) throw new ApiError('NotFound', 404, 'the server could not find the requested resource');
  }
  const name = t.name;
  switch (req.method) {
    case 'GET': {
      if (name) return renderObject(await store.get(t.namespace, name, { resourceVersion: q.get('resourceVersion') ?? undefined }), render);
      if (boolParam(q, 'watch')) return serveWatch(ctx, req, q, t, render);
      const lr = listRequest(q);
      if (render.shape === 'object') {
        const raw = await listRawJson(store, t.namespace, lr);
        if (raw !== undefined) return { status: 200, headers: { 'content-type': 'application/json' }, body: raw };
      }
      return renderList(await listObjects(store, t.namespace, lr), render);
    }
    case 'POST': {
      if (name) throw methodNotAllowed();
      const body = requireObject(decodeBody(req.body, req.headers['content-type'])) as KubeObject;
      const res = await store.create(t.namespace, body, writeOptions(ctx, req, q, store));
      return renderObject(res.object, render, 201, warningHeaders(res.warnings));
    }
    case 'PUT': {
      if (!name) throw methodNotAllowed();
      const body = requireObject(decodeBody(req.body, req.headers['content-type'])) as KubeObject;
      const bodyName = (body.metadata as { name?: unknown } | undefined)?.name;
      if (bodyName !== undefined && bodyName !== name) throw badRequest(`the name of the object (${String(bodyName)}) does not match the name on the URL (${name})`);
      const res = await store.update(t.namespace, name, {
        ...writeOptions(ctx, req, q, store),
        mutate: () => structuredClone(body),
        honorResourceVersion: true,
      });
      return renderObject(res.object, render, res.created ? 201 : 200, warningHeaders(res.warnings));
    }
    case 'PATCH': {
      if (!name) throw methodNotAllowed();
      const res = await store.update(t.namespace, name, patchRequest(ctx, req, q, store, writeOptions(ctx, req, q, store)));
      return renderObject(res.object, render, res.created ? 201 : 200, warningHeaders(res.warnings));
    }
    case 'DELETE': {
      const opts = deleteOptions(req, q);
      if (!name) return deleteCollection(ctx, q, t, opts, render);
      const res = await store.delete(t.namespace, name, opts);
      return res.deleted ? statusResponse(store.deletedStatus(res.object)) : renderObject(res.object, render);
    }
    default:
      throw methodNotAllowed();
  }
}

export function writeOptions(ctx: ApiServerContext, req: ApiRequest, q: URLSearchParams, store: ResourceStore, subresource?: string): WriteOptions {
  const manager = fieldManagerName(req, q);
  return {
    dryRun: dryRun(q),
    fieldValidation: fieldValidation(q),
    trusted: req.trusted,
    user: req.user,
    manageFields: (live, updated) =>
      ctx.trackUpdate({ live, updated, manager, apiVersion: store.apiVersion, now: rfc3339(ctx.clock.now()), subresource, store }),
  };
}

export function fieldManagerName(req: ApiRequest, q: URLSearchParams): string {
  const m = q.get('fieldManager');
  if (m !== null) {
    if (m.length > 128) throw new ApiError('Invalid', 422, `fieldManager: Too long: may not be more than 128 bytes`);
    return m;
  }
  return defaultManagerFromUserAgent(req.headers['user-agent']);
}

export function deleteOptions(req: ApiRequest, q: URLSearchParams): DeleteOptions {
  let opts: DeleteOptions = {};
  if (req.body && req.body.length > 0) {
    const body = requireObject(decodeBody(req.body, req.headers['content-type']), 'DeleteOptions') as DeleteOptions & { kind?: string };
    if (body.kind !== undefined && body.kind !== 'DeleteOptions') throw badRequest(`expected a DeleteOptions body, got kind ${JSON.stringify(body.kind)}`);
    opts = body;
  }
  const grace = q.get('gracePeriodSeconds');
  if (grace !== null) {
    const n = Number(grace);
    if (!Number.isInteger(n)) throw badRequest(`invalid gracePeriodSeconds "${grace}"`);
    opts.gracePeriodSeconds = n;
  }
  const policy = q.get('propagationPolicy');
  if (policy !== null) opts.propagationPolicy = policy as PropagationPolicy;
  if (q.has('orphanDependents')) opts.orphanDependents = boolParam(q, 'orphanDependents');
  if (q.has('dryRun')) opts.dryRun = dryRun(q);
  if (Array.isArray((opts as { dryRun?: unknown }).dryRun)) opts.dryRun = ((opts as { dryRun?: unknown }).dryRun as string[]).includes('All');
  if (opts.propagationPolicy && !['Background', 'Foreground', 'Orphan'].includes(opts.propagationPolicy)) {
    throw new ApiError('Invalid', 422, `propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < 0) opts.gracePeriodSeconds = 1;
  return opts;
}

async function deleteCollection(ctx: ApiServerContext, q: URLSearchParams, t: ResourceTarget, opts: DeleteOptions, render: RenderContext): Promise<ApiResponse> {
  if (!t.store.info.verbs.includes('deletecollection')) throw methodNotAllowed();
  const list = await listObjects(t.store, t.namespace, { ...listRequest(q), limit: undefined, continue: undefined });
  const deleted: KubeObject[] = [];
  for (const item of list.items) {
    try {
      const res = await t.store.delete(item.metadata.namespace ?? '', item.metadata.name!, opts);
      deleted.push(res.object);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
    }
  }
  void ctx;
  return renderList({ ...list, items: deleted }, { ...render, shape: render.shape === 'table' ? 'object' : render.shape });
}

