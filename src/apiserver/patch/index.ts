// The patch algorithms behind PATCH, chosen by media type as
// k8s.io/apiserver/pkg/endpoints/handlers/patch.go does (patcher.patchResource). Server-side
// apply (`application/apply-patch+yaml`) is not here: it merges by field ownership, not by
// patch document, and lives with the apply machinery.
import type { SchemaNode } from '../../api/schema/types.ts';
import { PatchError } from './errors.ts';
import { applyJsonPatch } from './json-patch.ts';
import { isObject, type JsonObject } from './json-values.ts';
import { applyMergePatch } from './merge-patch.ts';
import { acceptedPatchTypes, applyStrategicMergePatch } from './strategic-merge-patch.ts';

export { PatchError, isPatchError, type PatchErrorCode } from './errors.ts';
export { applyJsonPatch, decodeJsonPatch, jsonPatchStrictErrors, MAX_JSON_PATCH_OPERATIONS } from './json-patch.ts';
export { applyMergePatch } from './merge-patch.ts';
export {
  acceptedPatchTypes,
  applyStrategicMergePatch,
  supportsStrategicMergePatch,
} from './strategic-merge-patch.ts';

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';

export type PatchContentType = typeof JSON_PATCH | typeof MERGE_PATCH | typeof STRATEGIC_MERGE_PATCH;

/**
 * A schema with no patch metadata: strategic merge patch then merges maps and replaces every
 * list. For typed objects without merge lists whose full schema is not at hand (the Scale
 * subresource), where upstream accepts strategic merge patch but has nothing to merge by key.
 */
export const PLAIN_JSON_SCHEMA: SchemaNode = Object.freeze({ type: 'object' }) as SchemaNode;

/**
 * Applies a patch body (already JSON-decoded) to `original` and returns the patched object;
 * `original` is never modified unless the caller hands it over (`ownsOriginal`: a merge or
 * strategic merge patch then works in place instead of on a copy). `contentType` may carry parameters (`; charset=utf-8`).
 * `schema` is the kind's root node; strategic merge patch needs it and answers 415 without it,
 * as upstream does for custom resources. Failures throw PatchError with upstream's code, and a
 * result that is not a JSON object fails with 422 (upstream cannot decode it into the kind).
 */
export function applyPatch(contentType: string, original: unknown, patchBody: unknown, schema?: SchemaNode, opts: { ownsOriginal?: boolean } = {}): JsonObject {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  let result: unknown;
  switch (type) {
    case JSON_PATCH:
      result = applyJsonPatch(original, patchBody);
      break;
    case MERGE_PATCH:
      result = applyMergePatch(original, patchBody, { ownsDoc: opts.ownsOriginal });
      break;
    case STRATEGIC_MERGE_PATCH:
      result = applyStrategicMergePatch(original, patchBody, schema, opts);
      break;
    case APPLY_PATCH:
      throw new Error('Apply patch: server-side apply is not a patch document; route it to the apply handler');
    default:
      throw new PatchError(
        415,
        `the body of the request was in an unknown format - accepted media types include: ${acceptedPatchTypes(schema !== undefined).join(', ')}`,
      );
  }
  if (!isObject(result)) {
    throw new PatchError(422, `Patch result is not an object: a ${Array.isArray(result) ? 'list' : 'value'} cannot be decoded into the resource`);
  }
  return result;
}
