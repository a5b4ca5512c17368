// List ordering and element lookup for strategic merge patch, after
// k8s.io/apimachinery/pkg/util/strategicpatch/patch.go (normalizeElementOrder, mergeSortedSlice,
// normalizeSliceOrder, partition*ByPresentInList, validatePatchWithSetOrderList,
// sliceElementType). The rule these implement: the order given by the patch (or by
// `$setElementOrder`) wins for the elements it names; elements only the server has keep their
// place relative to the live list and are interleaved where the live order puts them.
import { PatchError } from './errors.ts';
import { describe, isObject, type JsonObject } from './json-values.ts';

/** The element type of a list: objects merge by key, scalars merge as sets. */
export type ElementKind = 'object' | 'string' | 'number' | 'boolean';

export const DIRECTIVE = '$patch';

/** The identity of a list element: its merge key value for objects, itself for scalars. */
function identity(item: unknown, mergeKey: string, kind: ElementKind): unknown {
  if (kind !== 'object') return item;
  return isObject(item) ? item[mergeKey] : undefined;
}

/** Position of the first element of `list` with the same identity as `item`, or -1. */
export function indexOfElement(list: readonly unknown[], item: unknown, mergeKey: string, kind: ElementKind): number {
  const id = identity(item, mergeKey, kind);
  return list.findIndex((v) => identity(v, mergeKey, kind) === id);
}

/** Upstream's ErrNoMergeKey text (500 upstream: it is not one of the classified errors). */
export function noMergeKey(item: unknown, mergeKey: string): PatchError {
  return new PatchError(500, `map: ${describe(item)} does not contain declared merge key: ${mergeKey}`);
}

/** Finds the object whose `mergeKey` equals `value`; every element must be an object. */
export function findByMergeKey(list: readonly unknown[], mergeKey: string, value: unknown): number {
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (!isObject(item)) throw new PatchError(500, `value for key ${i} is not a map`);
    if (Object.hasOwn(item, mergeKey) && item[mergeKey] === value) return i;
  }
  return -1;
}

/**
 * The common element type of the given lists. Lists of lists are refused (422 upstream), as are
 * lists mixing types or holding nulls (upstream fails with a 500 there). Undefined when every
 * list is empty.
 */
export function elementKind(...lists: (readonly unknown[] | undefined)[]): ElementKind | undefined {
  let kind: ElementKind | undefined;
  for (const list of lists) {
    for (const v of list ?? []) {
      if (Array.isArray(v)) throw new PatchError(422, 'lists of lists are not supported');
      const k = v === null ? undefined : isObject(v) ? 'object' : (typeof v as ElementKind);
      if (k === undefined || (kind !== undefined && k !== kind)) {
        throw new PatchError(500, `list element types are not identical: ${describe(lists)}`);
      }
      kind = k;
    }
  }
  return kind;
}

function requireMergeKeys(mergeKey: string, ...lists: readonly unknown[][]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isObject(item)) throw new PatchError(500, `expected a map, but received ${describe(item)}`);
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    }
  }
}

/** Splits `merged` into the elements present in `by` (by identity) and the rest, keeping order. */
export function partitionByPresence(
  merged: readonly unknown[],
  by: readonly unknown[],
  mergeKey: string,
  kind: ElementKind,
): { present: unknown[]; absent: unknown[] } {
  const present: unknown[] = [];
  const absent: unknown[] = [];
  for (const item of merged) {
    if (kind === 'object') {
      if (!isObject(item)) throw new PatchError(500, `expected a map, but received ${describe(item)}`);
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
      (findByMergeKey(by, mergeKey, item[mergeKey]) >= 0 ? present : absent).push(item);
    } else {
      (by.includes(item) ? present : absent).push(item);
    }
  }
  return { present, absent };
}

/**
 * Stable sort of `toSort` by each element's first position in `order`. Objects marked
 * `$patch: delete` go last (they only occur when ordering a patch, never a result).
 */
function sortByOrder(toSort: unknown[], order: readonly unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  let rest = toSort;
  let deletions: unknown[] = [];
  if (kind === 'object') {
    requireMergeKeys(mergeKey, toSort, order as unknown[]);
    rest = toSort.filter((v) => (v as JsonObject)[DIRECTIVE] !== 'delete');
    deletions = toSort.filter((v) => (v as JsonObject)[DIRECTIVE] === 'delete');
  }
  const ranked = rest.map((item, i) => {
    const at = indexOfElement(order, item, mergeKey, kind);
    return { item, i, at: at < 0 ? Number.MAX_SAFE_INTEGER : at };
  });
  ranked.sort((a, b) => a.at - b.at || a.i - b.i);
  return [...ranked.map((r) => r.item), ...deletions];
}

/**
 * Orders a merged list: `patchItems` by `patchOrder`, `serverOnly` by `serverOrder`, then the
 * server-only elements are slotted in before the first patch element the live list puts after
 * them. The relative order within each group is always kept.
 */
export function normalizeElementOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  const right = sortByOrder(patchItems, patchOrder, mergeKey, kind);
  const left = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexOfElement(serverOrder, left[i], mergeKey, kind);
      const ri = indexOfElement(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/**
 * Checks that the patch list names its elements in the same relative order as the
 * `$setElementOrder` list and names none the order list lacks. Deletions and other directive
 * elements are skipped. Throws (500 upstream) on a mismatch.
 */
export function validateSetElementOrder(patchList: readonly unknown[], order: readonly unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  let items = patchList;
  if (mergeKey) {
    for (const v of patchList) if (!isObject(v)) throw new PatchError(500, `expected a map, but received ${describe(v)}`);
    items = patchList.filter((v) => (v as JsonObject)[DIRECTIVE] !== 'delete');
  }
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    const item = items[p];
    if (isObject(item) && Object.hasOwn(item, DIRECTIVE)) {
      p++;
      continue;
    }
    if (sameElement(item, order[o], mergeKey)) p++;
    o++;
  }
  if (p < items.length) {
    throw new PatchError(
      500,
      `The order in patch list:\n${describe(patchList, 1000)}\n doesn't match $setElementOrder list:\n${describe(order, 1000)}\n`,
    );
  }
}

function sameElement(a: unknown, b: unknown, mergeKey: string): boolean {
  if (!mergeKey) return a === b;
  for (const v of [a, b]) {
    if (!isObject(v)) throw new PatchError(500, `expected a map, but received ${describe(v)}`);
    if (!Object.hasOwn(v, mergeKey)) throw noMergeKey(v, mergeKey);
  }
  return (a as JsonObject)[mergeKey] === (b as JsonObject)[mergeKey];
}
