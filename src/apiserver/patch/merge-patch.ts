// RFC 7386 JSON merge patch (`application/merge-patch+json`) as the Kubernetes API server applies
// it: gopkg.in/evanphx/json-patch.v4 (merge.go, MergePatch), called from
// k8s.io/apiserver/pkg/endpoints/handlers/patch.go (jsonPatcher.applyJSPatch).
//
// Objects merge member by member; null deletes a member; any other value replaces it (arrays
// are replaced whole). Values copied in from the patch lose their null members, as upstream
// prunes them. Upstream specifics kept here:
// - a top-level patch of null or a scalar is refused (400 "Invalid JSON Patch");
// - a top-level array patch becomes the result, which the caller then rejects as not an object;
// - a null member in the document counts as absent;
// - an array replacing an object member is copied as is (upstream prunes only when the
//   document's member is not an object).
import { PatchError } from './errors.ts';
import { cloneJson, isObject, type JsonObject, pruneNulls } from './json-values.ts';

/** Applies a merge patch to a copy of `doc` and returns it; neither argument is modified. */
export function applyMergePatch(doc: unknown, patch: unknown, opts: { ownsDoc?: boolean } = {}): unknown {
  if (patch === null || patch === undefined || (!isObject(patch) && !Array.isArray(patch))) {
    throw new PatchError(400, 'Invalid JSON Patch');
  }
  const p = cloneJson(patch);
  if (Array.isArray(p) || !isObject(doc)) {
    // Not a pair of documents: the result is the patch itself, less its null members.
    pruneNulls(p);
    return p;
  }
  const result = opts.ownsDoc ? doc : cloneJson(doc);
  mergeInto(result, p);
  return result;
}

/** Merges `patch` into `doc` in place. Both are owned copies. */
function mergeInto(doc: JsonObject, patch: JsonObject): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete doc[k];
      continue;
    }
    const cur = Object.hasOwn(doc, k) ? doc[k] : null;
    doc[k] = mergeValue(cur, v);
  }
}

function mergeValue(cur: unknown, patch: unknown): unknown {
  if (!isObject(cur)) {
    pruneNulls(patch);
    return patch;
  }
  if (!isObject(patch)) return patch;
  mergeInto(cur, patch);
  return cur;
}
