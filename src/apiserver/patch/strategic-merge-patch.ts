// Strategic merge patch (`application/strategic-merge-patch+json`), the server side of
// k8s.io/apimachinery/pkg/util/strategicpatch/patch.go (StrategicMergeMapPatch: mergeMap,
// mergeSlice, mergePatchIntoOriginal, applyRetainKeysDirective) with the field metadata that
// upstream reads from Go struct tags taken from the schema's x-kubernetes-patch-* annotations.
//
// Semantics, as upstream:
// - maps merge key by key; null deletes a key; a value of another type replaces;
// - a list whose field has strategy `merge` merges: objects by the field's merge key (a patch
//   element updates the live element with the same key, or is appended), scalars as a set;
//   every other list is replaced by the patch's list;
// - `$patch: replace` in a map replaces the map; `$patch: delete` empties it (or drops the key
//   when the live object has none); as a list element, `$patch: replace` replaces the list with
//   the patch's other elements and `{<key>: v, $patch: delete}` removes every element keyed v;
// - `$retainKeys: [...]` clears the live map's keys not listed (the patch may only set listed keys);
// - `$setElementOrder/<list>: [...]` gives the final order of the elements it names; live
//   elements it does not name stay, interleaved where the live order puts them; elements it
//   names that exist nowhere are ignored;
// - `$deleteFromPrimitiveList/<list>: [...]` removes those scalars from the live list.
//
// Where this differs from upstream's map-level result: values taken whole from the patch (new
// keys, replaced lists and maps, appended elements) lose null members and directive markers.
// Upstream leaves some of those in its intermediate map and drops them when decoding into the
// typed object; we store JSON, so we drop them here. Fields the schema does not describe are
// merged as plain JSON (maps merge, lists replace) where upstream would fail on the struct.
import type { SchemaNode } from '../../api/schema/types.ts';
import { PatchError } from './errors.ts';
import { cloneJson, describe, isObject, type JsonObject, jsonType, pruneNulls } from './json-values.ts';
import {
  DIRECTIVE,
  elementKind,
  findByMergeKey,
  noMergeKey,
  normalizeElementOrder,
  partitionByPresence,
  validateSetElementOrder,
} from './smp-order.ts';

const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';

/** The media types a kind accepts for PATCH, as upstream lists them in its 415 message. */
export function acceptedPatchTypes(strategicMerge: boolean): string[] {
  return [
    'application/json-patch+json',
    'application/merge-patch+json',
    ...(strategicMerge ? ['application/strategic-merge-patch+json'] : []),
    'application/apply-patch+yaml',
  ];
}

/**
 * Whether a kind can take a strategic merge patch: only with patch metadata, i.e. a schema
 * (built-in kinds). Upstream serves custom resources without this media type, so their PATCH
 * with it answers 415 before any patching.
 */
export function supportsStrategicMergePatch(schema: SchemaNode | undefined): schema is SchemaNode {
  return schema !== undefined;
}

/**
 * Applies a strategic merge patch to a copy of `original` (to `original` itself when the caller
 * hands it over with `ownsOriginal`) and returns it; the patch is never modified. `schema` is the kind's root node; undefined (a kind without patch metadata) answers
 * 415 as upstream does for custom resources.
 */
export function applyStrategicMergePatch(original: unknown, patch: unknown, schema: SchemaNode | undefined, opts: { ownsOriginal?: boolean } = {}): JsonObject {
  if (!supportsStrategicMergePatch(schema)) {
    throw new PatchError(
      415,
      `the body of the request was in an unknown format - accepted media types include: ${acceptedPatchTypes(false).join(', ')}`,
    );
  }
  if (patch === null) return isObject(original) ? cloneJson(original) : {};
  if (!isObject(patch)) {
    throw new PatchError(400, `json: cannot unmarshal ${jsonType(patch)} into Go value of type map[string]interface {}`);
  }
  const base = isObject(original) ? (opts.ownsOriginal ? original : cloneJson(original)) : {};
  return mergeMap(base, cloneJson(patch), schema);
}

interface FieldMeta {
  /** Schema of the field's value (for lists: of one element). */
  node: SchemaNode | undefined;
  /** `merge`, `replace` or '' (the default: maps merge, lists replace). */
  strategy: string;
  mergeKey: string;
}

/** Patch metadata of `key` under `node`, like upstream's LookupPatchMetadataFor{Struct,Slice}. */
function fieldMeta(node: SchemaNode | undefined, key: string, list: boolean): FieldMeta {
  let field = node?.properties?.[key];
  if (!field && isObject(node?.additionalProperties)) field = node.additionalProperties as SchemaNode;
  if (!field) return { node: undefined, strategy: '', mergeKey: '' };
  const strategies = (field['x-kubernetes-patch-strategy'] ?? '').split(',').map((s) => s.trim());
  return {
    // Below a preserve-unknown-fields node nothing is described: plain JSON from there on.
    node: field['x-kubernetes-preserve-unknown-fields'] ? undefined : list ? field.items : field,
    // retainKeys only shapes how clients build patches; applying acts on the $retainKeys directive.
    strategy: strategies.find((s) => s !== '' && s !== 'retainKeys') ?? '',
    mergeKey: field['x-kubernetes-patch-merge-key'] ?? '',
  };
}

/** Merges `patch` into `original` (both owned copies, mutated) and returns the result. */
function mergeMap(original: JsonObject, patch: JsonObject, node: SchemaNode | undefined): JsonObject {
  if (Object.hasOwn(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    if (directive === 'replace') {
      delete patch[DIRECTIVE];
      return takeWhole(patch) as JsonObject;
    }
    if (directive === 'delete') return {};
    throw new PatchError(500, `unknown patch type: ${String(directive)} in map: ${describe(patch)}`);
  }
  applyRetainKeys(original, patch);
  mergeOrderedLists(original, patch, node);

  for (const [rawKey, patchV] of Object.entries(patch)) {
    let key = rawKey;
    let isDeleteList = false;
    if (rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      key = directiveTarget(rawKey, DELETE_FROM_PRIMITIVE_LIST, 'invalid patch format of primitive list');
      isDeleteList = true;
    }
    if (patchV === null) {
      delete original[key];
      continue;
    }
    const has = Object.hasOwn(original, key);
    const origV = original[key];
    if (!has || jsonType(origV) !== jsonType(patchV)) {
      if (!isDeleteList) setTaken(original, key, patchV);
      continue;
    }
    if (isObject(origV)) {
      const meta = fieldMeta(node, key, false);
      original[key] =
        meta.strategy === 'replace' ? takeWhole(patchV) : mergeMap(origV, patchV as JsonObject, meta.node);
    } else if (Array.isArray(origV)) {
      const meta = fieldMeta(node, key, true);
      original[key] = mergeListField(origV, patchV as unknown[], meta, isDeleteList);
    } else {
      original[key] = patchV;
    }
  }
  return original;
}

/** Sets `key` to a value taken whole from the patch, or drops the key if the value is a directive. */
function setTaken(target: JsonObject, key: string, value: unknown): void {
  const taken = takeWhole(value);
  if (taken === undefined) delete target[key];
  else target[key] = taken;
}

/**
 * A patch value adopted as is: null members pruned (upstream's discardNullValuesFromPatch),
 * maps carrying `$patch` removed (removeDirectives) and other directive keys dropped.
 * Undefined when the value itself is a directive map.
 */
function takeWhole(value: unknown): unknown {
  pruneNulls(value);
  return stripDirectives(value);
}

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(stripDirectives).filter((v) => v !== undefined);
  }
  if (!isObject(value)) return value;
  if (Object.hasOwn(value, DIRECTIVE)) return undefined;
  for (const [k, v] of Object.entries(value)) {
    if (k === RETAIN_KEYS || k.startsWith(SET_ELEMENT_ORDER) || k.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      delete value[k];
      continue;
    }
    const kept = stripDirectives(v);
    if (kept === undefined) delete value[k];
    else value[k] = kept;
  }
  return value;
}

/** `$prefix/field` → `field`; anything else is a malformed directive (400). */
function directiveTarget(key: string, prefix: string, badFormat: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) throw new PatchError(400, badFormat);
  return key.slice(slash + 1);
}

/** Applies and removes a `$retainKeys` directive (upstream's applyRetainKeysDirective). */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw new PatchError(400, 'invalid patch format of retainKeys');
  const retained = new Set(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!retained.has(k)) throw new PatchError(400, 'invalid patch format of retainKeys');
  }
  for (const k of Object.keys(original)) {
    if (!retained.has(k)) delete original[k];
  }
}

/**
 * Handles every `$setElementOrder/<field>` in `patch` together with `<field>` (upstream's
 * mergePatchIntoOriginal): merges the list, then orders it by the directive. Both keys leave
 * `patch` so the main loop does not see them again.
 */
function mergeOrderedLists(original: JsonObject, patch: JsonObject, node: SchemaNode | undefined): void {
  for (const directiveKey of Object.keys(patch)) {
    if (!directiveKey.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[directiveKey];
    delete patch[directiveKey];
    if (!Array.isArray(order)) {
      throw new PatchError(500, `expected a []interface {}, but received a ${jsonType(order)}`);
    }
    const key = directiveTarget(directiveKey, SET_ELEMENT_ORDER, 'invalid patch format of setElementOrder list');
    if (patch[key] === null) continue; // the list is being deleted: nothing to order
    // A null live value counts as absent (upstream only meets typed, never-null lists).
    const origList = listAt(original, key);
    const patchList = listAt(patch, key);
    const meta = fieldMeta(node, key, true);
    validateSetElementOrder(patchList ?? [], order, meta.mergeKey);

    let merged: unknown[];
    if (origList && !patchList) merged = origList;
    else if (!origList && patchList) merged = takeWhole(patchList) as unknown[];
    else if (origList && patchList) merged = mergeListField(origList, patchList, meta, false);
    else continue;
    delete patch[key];

    const kind = elementKind(origList, patchList);
    if (kind === undefined || (kind === 'object' && !meta.mergeKey)) {
      original[key] = merged; // nothing to order, or no key to order objects by
      continue;
    }
    const { present, absent } = partitionByPresence(merged, order, meta.mergeKey, kind);
    // origList now reads as upstream's view of the live list after merging (see LiveList).
    original[key] = normalizeElementOrder(present, absent, order, origList ?? [], meta.mergeKey, kind);
  }
}

function listAt(obj: JsonObject, key: string): unknown[] | undefined {
  if (!Object.hasOwn(obj, key) || obj[key] === null) return undefined;
  const v = obj[key];
  if (!Array.isArray(v)) throw new PatchError(500, `expected a []interface {}, but received a ${jsonType(v)}`);
  return v;
}

/** A list field: merged under strategy `merge` (or as a deletion list), else replaced. */
function mergeListField(original: unknown[], patch: unknown[], meta: FieldMeta, isDeleteList: boolean): unknown[] {
  if (meta.strategy === 'merge' || isDeleteList) {
    return mergeList(original, patch, meta.node, meta.mergeKey, isDeleteList);
  }
  return takeWhole(patch) as unknown[];
}

/**
 * Upstream's mergeSlice: set union for scalars, keyed merge for objects, then ordering. For
 * object lists `original` is also written in place the way Go's slice operations write into the
 * live list's backing array (see LiveList), because a caller ordering by `$setElementOrder` reads
 * the live order from that array afterwards.
 */
function mergeList(
  original: unknown[],
  patch: unknown[],
  itemNode: SchemaNode | undefined,
  mergeKey: string,
  isDeleteList: boolean,
): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch)!;
  if (kind !== 'object') {
    if (isDeleteList) return original.filter((v) => !patch.includes(v));
    const merged = [...new Set([...original, ...patch])];
    const { present, absent } = partitionByPresence(merged, patch, '', kind);
    return normalizeElementOrder(present, absent, patch, original, '', kind);
  }
  if (!mergeKey) {
    throw new PatchError(500, `cannot merge lists without merge key for ${itemNode?.name ?? 'the list'}`);
  }
  const live = new LiveList(original);
  const { replacement, patchItems } = applyListDirectives(live, patch, mergeKey);
  const base = replacement ?? live.snapshot();
  const merged = replacement ?? mergeKeyedElements(live, patchItems, mergeKey, itemNode);
  const { present, absent } = partitionByPresence(merged, patchItems, mergeKey, kind);
  return normalizeElementOrder(present, absent, patchItems, base, mergeKey, kind);
}

/**
 * A live object list edited as upstream edits a Go slice that shares its backing array with the
 * caller's view of the live list: a deletion shifts later elements left in the array (the last
 * slot keeps a stale copy), and appends fill the slots deletions freed. The caller's view
 * (`buffer`, full original length) therefore changes; upstream's `$setElementOrder` handling
 * orders server-only elements against exactly that view, so we reproduce it.
 */
class LiveList {
  /** Length of the working list; `buffer.slice(0, length)` unless detached. */
  private length: number;
  private detached: unknown[] | undefined;

  constructor(readonly buffer: unknown[]) {
    this.length = buffer.length;
  }

  items(): unknown[] {
    return this.detached ?? this.buffer.slice(0, this.length);
  }

  snapshot(): unknown[] {
    return [...this.items()];
  }

  /** Removes the element at `i` by shifting the rest left, as append(s[:i], s[i+1:]...) does. */
  removeAt(i: number): void {
    const list = this.detached ?? this.buffer;
    const end = this.detached ? list.length : this.length;
    for (let j = i; j < end - 1; j++) list[j] = list[j + 1];
    if (this.detached) this.detached.pop();
    else this.length--;
  }

  set(i: number, v: unknown): void {
    (this.detached ?? this.buffer)[i] = v;
  }

  /** Appends into a freed slot of the shared array, else into a copy no one else sees. */
  push(v: unknown): void {
    if (!this.detached && this.length < this.buffer.length) {
      this.buffer[this.length++] = v;
      return;
    }
    this.detached ??= this.buffer.slice(0, this.length);
    this.detached.push(v);
  }
}

/**
 * Acts on `$patch` elements of an object list (upstream's mergeSliceWithSpecialElements):
 * deletions remove every live element with that key, `replace` makes the patch's plain
 * elements the whole list. Returns the plain patch elements left to merge.
 */
function applyListDirectives(
  live: LiveList,
  patch: unknown[],
  mergeKey: string,
): { replacement?: unknown[]; patchItems: unknown[] } {
  const plain: unknown[] = [];
  let replace = false;
  for (const item of patch) {
    const el = item as JsonObject;
    if (!Object.hasOwn(el, DIRECTIVE)) {
      plain.push(el);
      continue;
    }
    const directive = el[DIRECTIVE];
    if (directive === 'delete') {
      if (!Object.hasOwn(el, mergeKey)) throw noMergeKey(el, mergeKey);
      for (let at = findByMergeKey(live.items(), mergeKey, el[mergeKey]); at >= 0; ) {
        live.removeAt(at);
        at = findByMergeKey(live.items(), mergeKey, el[mergeKey]);
      }
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw new PatchError(500, 'merging lists cannot yet be specified in the patch');
    } else {
      throw new PatchError(500, `unknown patch type: ${String(directive)} in map: ${describe(el)}`);
    }
  }
  if (replace) return { replacement: takeWhole(plain) as unknown[], patchItems: [] };
  return { patchItems: plain };
}

/** Merges each patch element into the live element with its key, or appends it. */
function mergeKeyedElements(
  live: LiveList,
  patch: unknown[],
  mergeKey: string,
  itemNode: SchemaNode | undefined,
): unknown[] {
  for (const item of patch) {
    const el = item as JsonObject;
    if (!Object.hasOwn(el, mergeKey)) throw noMergeKey(el, mergeKey);
    const items = live.items();
    const at = findByMergeKey(items, mergeKey, el[mergeKey]);
    if (at >= 0) live.set(at, mergeMap(items[at] as JsonObject, el, itemNode));
    else live.push(takeWhole(el));
  }
  return live.items();
}
