// Building responses: JSON bodies, Status errors, and the shapes negotiate.ts chooses.
import { ApiError, internalError } from '../api/errors.ts';
import { isStorageError } from '../store/backend.ts';
import type { KubeList, KubeObject, Status } from '../api/meta/types.ts';
import type { ResourceInfo } from '../api/resources.ts';
import { printTable } from './tables.ts';
import { JSON_TYPE, TABLE_TYPE, type Shape } from './negotiate.ts';
import type { ApiResponse } from './types.ts';

/** A JSON answer whose text is produced only if someone reads `body` (HTTPS does; in-process callers take `value`). */
export function json(status: number, value: unknown, headers: Record<string, string> = {}): ApiResponse {
  let text: string | undefined;
  return {
    status,
    headers: { 'content-type': JSON_TYPE, ...headers },
    value,
    get body() {
      return (text ??= JSON.stringify(value));
    },
  };
}

export function statusResponse(status: Status): ApiResponse {
  return json(status.code, status);
}

/** Renders any thrown value as a Status; unexpected errors are logged and answer 500. */
export function errorResponse(e: unknown, log: (msg: string) => void): ApiResponse {
  if (e instanceof ApiError) return statusResponse(e.toStatus());
  const conflict = applyConflictStatus(e);
  if (conflict) return statusResponse(conflict);
  // The datastore is down or slow (etcd lost): an expected condition the client retries, not a bug.
  if (isStorageError(e, 'Unavailable')) return statusResponse(new ApiError('ServiceUnavailable', 503, e.message).toStatus());
  if (isStorageError(e, 'Timeout')) return statusResponse(new ApiError('Timeout', 504, e.message).toStatus());
  // Upstream answers etcd's "database space exceeded" with a 500 as well; the message says what to do.
  if (isStorageError(e, 'QuotaExceeded')) return statusResponse(internalError(e.message).toStatus());
  const coded = e as { code?: unknown; message?: string; name?: string };
  if ((coded.name === 'PatchError' || coded.name === 'ProtobufError') && typeof coded.code === 'number') {
    const reason = coded.code === 422 ? 'Invalid' : coded.code === 415 ? 'UnsupportedMediaType' : 'BadRequest';
    return statusResponse(new ApiError(reason, coded.code, coded.message ?? 'bad request').toStatus());
  }
  log(`internal error: ${(e as Error)?.stack ?? String(e)}`);
  return statusResponse(internalError((e as Error)?.message ?? String(e)).toStatus());
}

function applyConflictStatus(e: unknown): Status | undefined {
  const c = e as { name?: string; conflicts?: { manager: string; field: string }[]; message?: string; apiVersion?: string };
  if (c?.name !== 'ApplyConflictError' || !Array.isArray(c.conflicts)) return undefined;
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: c.message,
    reason: 'Conflict',
    details: {
      causes: c.conflicts.map((x) => ({ reason: 'FieldManagerConflict', message: `conflict with ${JSON.stringify(x.manager)}${c.apiVersion ? ` using ${c.apiVersion}` : ''}`, field: x.field })),
    },
    code: 409,
  };
}

export function partialMetadata(obj: KubeObject): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export interface RenderContext {
  info: ResourceInfo;
  shape: Shape;
  includeObject?: 'None' | 'Metadata' | 'Object';
  now: Date;
}

export function renderObject(obj: KubeObject, ctx: RenderContext, status = 200, headers: Record<string, string> = {}): ApiResponse {
  if (ctx.shape === 'table') {
    const table = printTable(ctx.info, [obj], { now: ctx.now, includeObject: ctx.includeObject, resourceVersion: obj.metadata.resourceVersion });
    return { status, headers: { 'content-type': TABLE_TYPE, ...headers }, body: JSON.stringify(table) };
  }
  if (ctx.shape === 'metadata') return json(status, partialMetadata(obj), headers);
  return json(status, obj, headers);
}

export function renderList(list: KubeList, ctx: RenderContext): ApiResponse {
  if (ctx.shape === 'table') {
    const table = printTable(ctx.info, list.items, {
      now: ctx.now,
      includeObject: ctx.includeObject,
      resourceVersion: list.metadata.resourceVersion,
      continue: list.metadata.continue,
    });
    return { status: 200, headers: { 'content-type': TABLE_TYPE }, body: JSON.stringify(table) };
  }
  if (ctx.shape === 'metadata') {
    return json(200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: list.metadata, items: list.items.map(partialMetadata) });
  }
  return json(200, list);
}

export function warningHeaders(warnings: string[]): Record<string, string> {
  if (!warnings.length) return {};
  return { warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') };
}
