// Subresources: status, scale (autoscaling/v1 Scale), pod binding and eviction, namespace
// finalize (pkg/registry/{apps,core}/*/storage), service account tokens through ctx.tokenRequest.
// Log and exec belong to node agents.
import { ApiError, badRequest, conflict, invalid, methodNotAllowed, notFound } from '../api/errors.ts';
import { formatSelector, fromLabelSelector, type LabelSelector } from '../api/meta/labels.ts';
import type { KubeObject } from '../api/meta/types.ts';
import type { ResourceStore } from '../registry/resource-store.ts';
import { rfc3339 } from '../util/clock.ts';
import { decodeBody, mediaType, requireObject } from './body.ts';
import type { ApiServerContext } from './context.ts';
import { applyPatch, PLAIN_JSON_SCHEMA } from './patch/index.ts';
import { patchRequest } from './patching.ts';
import { deleteOptions, writeOptions, type ResourceTarget } from './resource-handler.ts';
import { json, renderObject, warningHeaders, type RenderContext } from './respond.ts';
import type { ApiRequest, ApiResponse } from './types.ts';

export async function handleSubresource(ctx: ApiServerContext, req: ApiRequest, q: URLSearchParams, t: ResourceTarget, render: RenderContext): Promise<ApiResponse> {
  const { store, namespace } = t;
  const name = t.name!;
  const sub = t.subresource!;
  const declared = store.info.subresources?.find((s) => s.name === sub);
  if (!declared || !name) throw new ApiError('NotFound', 404, 'the server could not find the requested resource');
  switch (sub) {
    case 'status':
      return statusSubresource(ctx, req, q, t, render);
    case 'scale':
      return scaleSubresource(ctx, req, q, store, namespace, name);
    case 'binding':
      if (req.method !== 'POST') throw methodNotAllowed();
      return bindPod(ctx, store, namespace, name, requireObject(decodeBody(req.body, req.headers['content-type'])) as KubeObject);
    case 'eviction':
      if (req.method !== 'POST') throw methodNotAllowed();
      return evictPod(ctx, req, store, namespace, name);
    case 'token':
      if (!ctx.tokenRequest) throw new ApiError('NotFound', 404, 'the server could not find the requested resource');
      return ctx.tokenRequest(req, namespace, name);
    case 'finalize':
      if (req.method !== 'PUT') throw methodNotAllowed();
      return finalizeNamespace(store, name, requireObject(decodeBody(req.body, req.headers['content-type'])) as KubeObject, render);
    default:
      return ctx.podSubresource ? ctx.podSubresource(req, q, t) : Promise.reject(badRequest(`${sub} is not available: no node agent serves pod ${namespace}/${name}`));
  }
}

async function statusSubresource(ctx: ApiServerContext, req: ApiRequest, q: URLSearchParams, t: ResourceTarget, render: RenderContext): Promise<ApiResponse> {
  const { store, namespace } = t;
  const name = t.name!;
  if (req.method === 'GET') return renderObject(await store.get(namespace, name), render);
  const base = writeOptions(ctx, req, q, store, 'status');
  if (req.method === 'PUT') {
    const body = requireObject(decodeBody(req.body, req.headers['content-type'])) as KubeObject;
    const res = await store.update(namespace, name, { ...base, subresource: 'status', honorResourceVersion: true, mutate: () => structuredClone(body) });
    return renderObject(res.object, render, 200, warningHeaders(res.warnings));
  }
  if (req.method === 'PATCH') {
    const res = await store.update(namespace, name, patchRequest(ctx, req, q, store, base, 'status'));
    return renderObject(res.object, render, 200, warningHeaders(res.warnings));
  }
  throw methodNotAllowed();
}

function toScale(obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as { replicas?: number; selector?: LabelSelector | Record<string, string> };
  const status = (obj.status ?? {}) as { replicas?: number };
  const sel = spec.selector as LabelSelector | undefined;
  // ReplicationControllers carry a plain map selector; apps kinds a LabelSelector.
  const selector =
    sel && ('matchLabels' in sel || 'matchExpressions' in sel)
      ? formatSelector(fromLabelSelector(sel))
      : formatSelector(fromLabelSelector({ matchLabels: (sel as Record<string, string> | undefined) ?? {} }));
  const m = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector },
  };
}

async function scaleSubresource(ctx: ApiServerContext, req: ApiRequest, q: URLSearchParams, store: ResourceStore, namespace: string, name: string): Promise<ApiResponse> {
  if (req.method === 'GET') return json(200, toScale(await store.get(namespace, name)));
  if (req.method !== 'PUT' && req.method !== 'PATCH') throw methodNotAllowed();
  const body = decodeBody(req.body, req.headers['content-type']);
  const type = mediaType(req.headers['content-type']);
  if (type === 'application/apply-patch+yaml') throw new ApiError('UnsupportedMediaType', 415, 'server-side apply is not supported on the scale subresource yet');
  const base = writeOptions(ctx, req, q, store, 'scale');
  const res = await store.update(namespace, name, {
    ...base,
    honorResourceVersion: true,
    mutate: (current) => {
      const obj = current!;
      const scale = toScale(obj);
      const next = (req.method === 'PUT' ? requireObject(body) : applyPatch(type, scale, body, PLAIN_JSON_SCHEMA)) as KubeObject;
      const rv = next.metadata?.resourceVersion;
      if (rv && rv !== obj.metadata.resourceVersion) {
        throw conflict(store.ref, name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      const replicas = (next.spec as { replicas?: unknown } | undefined)?.replicas;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw invalid('Scale', 'autoscaling', name, [{ type: 'Invalid value', field: 'spec.replicas', value: replicas ?? null, detail: 'must be greater than or equal to 0' }]);
      }
      obj.spec = { ...((obj.spec as object) ?? {}), replicas };
      return obj;
    },
  });
  return json(200, toScale(res.object), warningHeaders(res.warnings));
}

/** pods/binding: assigns a node once (pkg/registry/core/pod/storage/storage.go assignPod). */
export async function bindPod(ctx: ApiServerContext, store: ResourceStore, namespace: string, name: string, binding: KubeObject): Promise<ApiResponse> {
  const target = binding.target as { kind?: string; name?: string } | undefined;
  if (!target?.name) throw invalid('Binding', '', name, [{ type: 'Required value', field: 'target.name' }]);
  if (target.kind && target.kind !== 'Node') throw invalid('Binding', '', name, [{ type: 'Unsupported value', field: 'target.kind', value: target.kind, supported: ['Node'] }]);
  await store.update(namespace, name, {
    bypassStrategy: true,
    mutate: (current) => {
      const pod = current!;
      const spec = (pod.spec ?? {}) as { nodeName?: string };
      if (pod.metadata.deletionTimestamp) throw conflict({ group: '', resource: 'pods/binding' }, name, `pod ${name} is being deleted, cannot be assigned to a host`);
      if (spec.nodeName) throw conflict({ group: '', resource: 'pods/binding' }, name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
      spec.nodeName = target.name;
      pod.spec = spec;
      for (const [k, v] of Object.entries(binding.metadata?.annotations ?? {})) pod.metadata.annotations = { ...pod.metadata.annotations, [k]: v };
      const status = (pod.status ?? {}) as { conditions?: { type: string; status: string; lastTransitionTime?: string | null; lastProbeTime?: null }[] };
      const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(ctx.clock.now()) });
      pod.status = { ...status, conditions };
      return pod;
    },
  });
  return json(201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

async function evictPod(ctx: ApiServerContext, req: ApiRequest, store: ResourceStore, namespace: string, name: string): Promise<ApiResponse> {
  const body = requireObject(decodeBody(req.body, req.headers['content-type'])) as { deleteOptions?: Record<string, unknown>; metadata?: { name?: string } };
  if (body.metadata?.name && body.metadata.name !== name) throw badRequest(`name in URL does not match name in Eviction object`);
  if (ctx.admitEviction) await ctx.admitEviction(namespace, name);
  const opts = deleteOptions({ ...req, body: undefined }, new URLSearchParams());
  Object.assign(opts, body.deleteOptions ?? {});
  try {
    await store.delete(namespace, name, opts);
  } catch (e) {
    if (e instanceof ApiError && e.code === 404) throw notFound(store.ref, name);
    throw e;
  }
  return json(201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

async function finalizeNamespace(store: ResourceStore, name: string, body: KubeObject, render: RenderContext): Promise<ApiResponse> {
  const finalizers = ((body.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).slice();
  const res = await store.update('', name, {
    bypassStrategy: true,
    honorResourceVersion: true,
    mutate: (current) => {
      const ns = current!;
      if (body.metadata?.resourceVersion) ns.metadata.resourceVersion = body.metadata.resourceVersion;
      ns.spec = { ...((ns.spec as object) ?? {}), finalizers };
      return ns;
    },
  });
  return renderObject(res.object, render);
}
