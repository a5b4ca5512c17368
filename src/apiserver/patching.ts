// PATCH requests: the four patch types turned into one guaranteed-update mutation
// (k8s.io/apiserver/pkg/endpoints/handlers/patch.go). Server-side apply may create the object.
import { ApiError, unsupportedMediaType } from '../api/errors.ts';
import type { KubeObject } from '../api/meta/types.ts';
import type { UpdateRequest, WriteOptions } from '../registry/options.ts';
import type { ResourceStore } from '../registry/resource-store.ts';
import { decodeBody, mediaType, requireObject } from './body.ts';
import type { ApiServerContext } from './context.ts';
import { applyPatch } from './patch/index.ts';
import { boolParam } from './query.ts';
import { fieldManagerName } from './resource-handler.ts';
import type { ApiRequest } from './types.ts';

const PATCH_TYPES = new Set(['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']);

export function patchRequest(
  ctx: ApiServerContext,
  req: ApiRequest,
  q: URLSearchParams,
  store: ResourceStore,
  base: WriteOptions,
  subresource?: 'status',
): UpdateRequest {
  const type = mediaType(req.headers['content-type']);
  if (!PATCH_TYPES.has(type)) throw unsupportedMediaType(type);
  const body = decodeBody(req.body, req.headers['content-type']);
  const gvk = { group: store.info.group, version: store.info.version, kind: store.info.kind };
  if (type === 'application/apply-patch+yaml') {
    if (!q.get('fieldManager')) {
      throw new ApiError('Invalid', 422, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', {
        group: 'meta.k8s.io',
        kind: 'PatchOptions',
        causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }],
      });
    }
    const applied = requireObject(body) as KubeObject;
    const manager = fieldManagerName(req, q);
    const force = boolParam(q, 'force');
    return {
      dryRun: base.dryRun,
      fieldValidation: base.fieldValidation,
      trusted: base.trusted,
      createIfMissing: !subresource,
      subresource,
      honorResourceVersion: true,
      mutate: (current) => ctx.apply({ live: current, applied: structuredClone(applied), manager, force, store, subresource }),
    };
  }
  const schema = ctx.schemaFor(gvk);
  if (type === 'application/strategic-merge-patch+json' && !schema) {
    throw unsupportedMediaType(`${type} is not supported for custom resources: use a JSON merge patch or a JSON patch`);
  }
  if (type === 'application/json-patch+json') {
    if (!Array.isArray(body)) throw new ApiError('BadRequest', 400, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  } else requireObject(body, 'patch object');
  return {
    ...base,
    subresource,
    honorResourceVersion: true,
    // The registry hands mutate a fresh decoding of the stored object: patch it in place.
    mutate: (current) => applyPatch(type, current as KubeObject, body, schema, { ownsOriginal: true }) as KubeObject,
  };
}
