// Behaviour facts from upstream's strategicpatch tests (patch_test.go: applying a two-way or
// three-way patch to a live object), restated as (live, patch) → result over the MergeItem
// test schema: `mergingList` merges by name, `mergingIntList` is a merged set,
// `nonMergingList` / `nonMergingIntList` are replaced, `retainKeysMap` is a retainKeys struct.
import { describe, expect, it } from 'vitest';
import { PatchError } from './errors.ts';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';
import { mergeItemSchema } from './test-schemas.ts';

interface Case {
  name: string;
  live: Record<string, unknown>;
  patch: Record<string, unknown>;
  result?: Record<string, unknown>;
  /** Expected failure: HTTP code and a fragment of the message. */
  error?: [number, string];
}

const n = (name: number | string, extra: Record<string, unknown> = {}) => ({ name, ...extra });

const cases: Case[] = [
  // Maps and scalars.
  { name: 'null deletes a key and unknown nulls are ignored', live: { name: 'a', other: 'a' }, patch: { name: 1, value: 1, other: null }, result: { name: 1, value: 1 } },
  { name: 'nulls inside a new map are discarded', live: {}, patch: { simpleMap: { a: 'x', b: null } }, result: { simpleMap: { a: 'x' } } },
  { name: 'an all-null new map becomes empty', live: {}, patch: { simpleMap: { a: null } }, result: { simpleMap: {} } },
  { name: 'nulls already in the live object stay', live: { name: null, simpleMap: { k: null } }, patch: { value: 'v' }, result: { name: null, simpleMap: { k: null }, value: 'v' } },
  { name: '$patch: delete empties a live map', live: { simpleMap: { key1: 'a', key2: 'b' } }, patch: { simpleMap: { $patch: 'delete' } }, result: { simpleMap: {} } },
  { name: '$patch: delete on a missing map adds nothing', live: {}, patch: { simpleMap: { $patch: 'delete' } }, result: {} },
  { name: '$patch: replace at the root keeps only the patch', live: { name: 1, value: 1 }, patch: { other: 'a', $patch: 'replace' }, result: { other: 'a' } },
  { name: '$patch: replace with nothing else empties the root', live: { name: 1, value: 1 }, patch: { $patch: 'replace' }, result: {} },
  { name: 'a value of another type replaces', live: { simpleMap: 'x' }, patch: { simpleMap: { a: 'b' } }, result: { simpleMap: { a: 'b' } } },

  // Scalar lists.
  { name: 'merged scalar lists are a set', live: { mergingIntList: [1, 2] }, patch: { mergingIntList: [2, 3] }, result: { mergingIntList: [1, 2, 3] } },
  { name: 'patch order wins for merged scalars', live: { mergingIntList: [1, 2, 3] }, patch: { mergingIntList: [3, 1, 2] }, result: { mergingIntList: [3, 1, 2] } },
  { name: 'server-only scalars keep their live place', live: { mergingIntList: [1, 2, 3] }, patch: { mergingIntList: [3, 1] }, result: { mergingIntList: [2, 3, 1] } },
  { name: 'non-merging scalar lists are replaced', live: { nonMergingIntList: [1, 2] }, patch: { nonMergingIntList: [3] }, result: { nonMergingIntList: [3] } },
  { name: 'null elements of a replaced scalar list stay', live: {}, patch: { nonMergingIntList: ['key1', null, 'key2'] }, result: { nonMergingIntList: ['key1', null, 'key2'] } },
  {
    name: '$deleteFromPrimitiveList removes every copy and keeps other live items',
    live: { mergingIntList: [1, 2, 3, 3, 4] },
    patch: { '$setElementOrder/mergingIntList': [1, 2], '$deleteFromPrimitiveList/mergingIntList': [3] },
    result: { mergingIntList: [1, 2, 4] },
  },
  { name: '$deleteFromPrimitiveList of an absent item changes nothing', live: { mergingIntList: [1, 2] }, patch: { '$deleteFromPrimitiveList/mergingIntList': [3] }, result: { mergingIntList: [1, 2] } },
  { name: '$deleteFromPrimitiveList never creates the list', live: { foo: ['bar'] }, patch: { '$deleteFromPrimitiveList/mergingIntList': [3] }, result: { foo: ['bar'] } },
  { name: '$deleteFromPrimitiveList also works on non-merging lists', live: { nonMergingIntList: [1, 2, 3] }, patch: { '$deleteFromPrimitiveList/nonMergingIntList': [2] }, result: { nonMergingIntList: [1, 3] } },
  {
    name: 'add and delete scalars with an order',
    live: { mergingIntList: [1, 2, 3, 4] },
    patch: { '$setElementOrder/mergingIntList': [1, 2, 4], '$deleteFromPrimitiveList/mergingIntList': [3] },
    result: { mergingIntList: [1, 2, 4] },
  },
  { name: 'a malformed deletion directive is a bad request', live: {}, patch: { $deleteFromPrimitiveList: [1] }, error: [400, 'invalid patch format of primitive list'] },

  // Object lists.
  {
    name: 'patch elements merge into live elements with the same key',
    live: { mergingList: [n(1), n(2, { value: 'b' }), n(3)] },
    patch: { mergingList: [n(3, { value: 'c' }), n(1, { value: 'a' }), n(2, { other: 'x' })] },
    result: { mergingList: [n(3, { value: 'c' }), n(1, { value: 'a' }), n(2, { value: 'b', other: 'x' })] },
  },
  {
    name: 'elements the patch does not name keep their live place',
    live: { mergingList: [n(1), n(2, { value: 'b' }), n(3)] },
    patch: { mergingList: [n(3, { value: 'c' }), n(1, { value: 'a' })] },
    result: { mergingList: [n(2, { value: 'b' }), n(3, { value: 'c' }), n(1, { value: 'a' })] },
  },
  {
    name: 'null in an element deletes that field only',
    live: { retainKeysMergingList: [n('bar'), n('foo', { value: 'a' })] },
    patch: { retainKeysMergingList: [n('foo', { value: null })] },
    result: { retainKeysMergingList: [n('bar'), n('foo')] },
  },
  {
    name: 'without an order directive new elements go before server-only ones',
    live: { mergingList: [n(1), n(2)] },
    patch: { mergingList: [n(3)] },
    result: { mergingList: [n(3), n(1), n(2)] },
  },
  {
    name: '$patch: delete removes every element with the key',
    live: { mergingList: [n(1), n(1), n(2, { value: 'a' }), n(3), n(3)] },
    patch: { mergingList: [n(1, { $patch: 'delete' }), n(3, { $patch: 'delete' })] },
    result: { mergingList: [n(2, { value: 'a' })] },
  },
  {
    name: 'deleting from an empty list is fine',
    live: { mergingList: [] },
    patch: { mergingList: [n(1, { $patch: 'delete' }), n(2, { $patch: 'delete' })] },
    result: { mergingList: [] },
  },
  {
    name: 'a new list drops its delete markers',
    live: { name: 'hi' },
    patch: { mergingList: [n('hello'), n('doesntexist', { $patch: 'delete' })] },
    result: { name: 'hi', mergingList: [n('hello')] },
  },
  { name: '$patch: replace element empties the list', live: { mergingList: [n(1), n(2)] }, patch: { mergingList: [{ $patch: 'replace' }] }, result: { mergingList: [] } },
  {
    name: '$patch: replace element keeps only the other patch elements',
    live: { mergingList: [n(1, { value: 'a' }), n(2)] },
    patch: { mergingList: [n(1, { other: 'x' }), { $patch: 'replace' }] },
    result: { mergingList: [n(1, { other: 'x' })] },
  },
  {
    name: 'lists nested in merged elements follow their own strategy',
    live: { mergingList: [n(1, { nonMergingList: [n('a')], mergingList: [n('x', { value: '1' })] })] },
    patch: { mergingList: [n(1, { nonMergingList: [n('b')], mergingList: [n('y')] })] },
    result: { mergingList: [n(1, { nonMergingList: [n('b')], mergingList: [n('y'), n('x', { value: '1' })] })] },
  },
  { name: 'a missing merge key is refused', live: { mergingList: [n(1, { value: 'a' })] }, patch: { mergingList: [{ value: 'b' }] }, error: [500, 'does not contain declared merge key: name'] },
  { name: 'a delete marker without the merge key is refused', live: { mergingList: [n(1)] }, patch: { mergingList: [{ $patch: 'delete' }] }, error: [500, 'does not contain declared merge key'] },
  { name: '$patch: merge in a list is refused', live: { mergingList: [n(1)] }, patch: { mergingList: [{ $patch: 'merge' }] }, error: [500, 'merging lists cannot yet be specified'] },
  { name: '$patch: merge in a map is refused', live: { simpleMap: {} }, patch: { simpleMap: { $patch: 'merge' } }, error: [500, 'unknown patch type: merge'] },
  { name: 'an unknown $patch in a map is refused', live: { simpleMap: {} }, patch: { simpleMap: { $patch: 'frobnicate' } }, error: [500, 'unknown patch type: frobnicate'] },
  { name: 'lists of lists are refused', live: { mergingIntList: [[1]] }, patch: { mergingIntList: [[2]] }, error: [422, 'lists of lists are not supported'] },

  // $setElementOrder.
  {
    name: 'order directive reorders without a patch list',
    live: { mergingList: [n(1, { other: 'a' }), n(3, { value: 3 }), n(4, { value: 4 }), n(2, { value: 2 })] },
    patch: { '$setElementOrder/mergingList': [n(4), n(2), n(3), n(1)] },
    result: { mergingList: [n(4, { value: 4 }), n(2, { value: 2 }), n(3, { value: 3 }), n(1, { other: 'a' })] },
  },
  {
    name: 'a trailing server-only element stays last',
    live: { mergingList: [n(1, { other: 'a' }), n(3), n(4), n(2), n(9)] },
    patch: { '$setElementOrder/mergingList': [n(4), n(2), n(3), n(1)] },
    result: { mergingList: [n(4), n(2), n(3), n(1, { other: 'a' }), n(9)] },
  },
  {
    name: 'server-only elements slot in before the next element the live list puts after them',
    live: { mergingList: [n(1, { other: 'a' }), n(2), n(7), n(9), n(8), n(3), n(4)] },
    patch: { '$setElementOrder/mergingList': [n(2), n(1), n(4), n(3)] },
    result: { mergingList: [n(2), n(1, { other: 'a' }), n(7), n(9), n(8), n(4), n(3)] },
  },
  {
    name: 'ordered names that exist nowhere are ignored',
    live: { mergingList: [n(1), n(3)] },
    patch: { '$setElementOrder/mergingList': [n(3), n(2), n(1)], mergingList: [n(3, { value: 3 }), n(1, { value: 1 })] },
    result: { mergingList: [n(3, { value: 3 }), n(1, { value: 1 })] },
  },
  {
    name: 'a new element goes where the order says, before unnamed live ones',
    live: { mergeItemPtr: [n(1, { other: 'a' }), n(3)] },
    patch: { '$setElementOrder/mergeItemPtr': [n(1), n(2)], mergeItemPtr: [n(2)] },
    result: { mergeItemPtr: [n(1, { other: 'a' }), n(2), n(3)] },
  },
  {
    name: 'duplicates sort by their first place in the order',
    live: { mergingList: [n(1), n(2, { value: 'dup1' }), n(3), n(2, { value: 'dup2' }), n(4)] },
    patch: { '$setElementOrder/mergingList': [n(2), n(1), n(4), n(3), n(2)] },
    result: { mergingList: [n(2, { value: 'dup1' }), n(2, { value: 'dup2' }), n(1), n(4), n(3)] },
  },
  {
    name: 'scalar order directive reorders and ignores unknown values',
    live: { mergingIntList: [1, 3] },
    patch: { '$setElementOrder/mergingIntList': [3, 2, 1] },
    result: { mergingIntList: [3, 1] },
  },
  {
    name: 'delete in one list and reorder another',
    live: { mergingList: [n('a', { value: 'a' }), n('b', { value: 'b' })], mergeItemPtr: [n('c'), n('d')] },
    patch: {
      '$setElementOrder/mergingList': [n('b')],
      '$setElementOrder/mergeItemPtr': [n('d'), n('c')],
      mergingList: [n('a', { $patch: 'delete' })],
    },
    result: { mergingList: [n('b', { value: 'b' })], mergeItemPtr: [n('d'), n('c')] },
  },
  {
    name: 'deleting and adding under an order directive keeps server-only elements in the freed place',
    live: { mergingList: [n(1), n(2, { other: 'b' }), n(4, { other: 'c' })] },
    patch: { '$setElementOrder/mergingList': [n(2), n(3)], mergingList: [n(3), n(1, { $patch: 'delete' })] },
    result: { mergingList: [n(2, { other: 'b' }), n(4, { other: 'c' }), n(3)] },
  },
  {
    name: 'an order directive can put server-only elements after new ones',
    live: { mergingList: [n(1, { other: 'a' }), n(4, { other: 'c' })] },
    patch: { '$setElementOrder/mergingList': [n(2), n(3)], mergingList: [n(2), n(3), n(1, { $patch: 'delete' })] },
    result: { mergingList: [n(4, { other: 'c' }), n(2), n(3)] },
  },
  {
    name: 'a patch list out of step with the order is refused',
    live: { mergingList: [n(1), n(3), n(2)] },
    patch: { '$setElementOrder/mergingList': [n(1), n(2), n(3)], mergingList: [n(3, { value: 3 }), n(1, { value: 1 })] },
    error: [500, "doesn't match $setElementOrder list"],
  },
  { name: 'a malformed order directive is a bad request', live: {}, patch: { $setElementOrder: [] }, error: [400, 'invalid patch format of setElementOrder list'] },

  // $retainKeys.
  {
    name: '$retainKeys clears live keys it does not list',
    live: { retainKeysMap: { name: 'type1', value: 'foo' } },
    patch: { retainKeysMap: { $retainKeys: ['name', 'other'], name: 'type2', other: 'bar' } },
    result: { retainKeysMap: { name: 'type2', other: 'bar' } },
  },
  {
    name: '$retainKeys keeps listed live keys the patch does not set',
    live: { retainKeysMap: { name: 'foo', other: 'a' } },
    patch: { retainKeysMap: { $retainKeys: ['name', 'value'], value: 'bar' } },
    result: { retainKeysMap: { name: 'foo', value: 'bar' } },
  },
  {
    name: '$retainKeys with nested merging lists',
    live: { retainKeysMap: { name: 'foo', mergingList: [n('a'), n('b')], simpleMap: { k: 'v' } } },
    patch: { retainKeysMap: { $retainKeys: ['name', 'mergingList'], mergingList: [n('c')], '$setElementOrder/mergingList': [n('a'), n('b'), n('c')] } },
    result: { retainKeysMap: { name: 'foo', mergingList: [n('a'), n('b'), n('c')] } },
  },
  { name: 'without $retainKeys a retainKeys map merges', live: { retainKeysMap: { name: 'foo', value: 'a' } }, patch: { retainKeysMap: { value: 'b' } }, result: { retainKeysMap: { name: 'foo', value: 'b' } } },
  { name: 'a patch key missing from $retainKeys is a bad request', live: { retainKeysMap: {} }, patch: { retainKeysMap: { $retainKeys: ['name'], value: 'x' } }, error: [400, 'invalid patch format of retainKeys'] },
  { name: '$retainKeys must be a list', live: { retainKeysMap: {} }, patch: { retainKeysMap: { $retainKeys: 'name' } }, error: [400, 'invalid patch format of retainKeys'] },

  // Fields without patch metadata merge as plain JSON.
  { name: 'unknown maps merge', live: { jsonItem: { a: { b: 1 } } }, patch: { jsonItem: { a: { c: 2 } } }, result: { jsonItem: { a: { b: 1, c: 2 } } } },
  { name: 'unknown lists are replaced', live: { extra: [{ name: 'a' }] }, patch: { extra: [{ name: 'b' }] }, result: { extra: [{ name: 'b' }] } },
  { name: 'a replace-strategy field is taken whole', live: { replacingItem: { a: 1, b: 2 } }, patch: { replacingItem: { c: 3 } }, result: { replacingItem: { c: 3 } } },
];

describe('applyStrategicMergePatch (upstream cases)', () => {
  it.each(cases)('$name', (c) => {
    const live = structuredClone(c.live);
    const patch = structuredClone(c.patch);
    if (c.error) {
      const [code, fragment] = c.error;
      let caught: unknown;
      try {
        applyStrategicMergePatch(live, patch, mergeItemSchema);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(PatchError);
      expect((caught as PatchError).code).toBe(code);
      expect((caught as PatchError).message).toContain(fragment);
      return;
    }
    expect(applyStrategicMergePatch(live, patch, mergeItemSchema)).toStrictEqual(c.result);
    // Inputs are never modified.
    expect(live).toStrictEqual(c.live);
    expect(patch).toStrictEqual(c.patch);
  });

  it('refuses kinds without patch metadata with 415', () => {
    expect(() => applyStrategicMergePatch({}, {}, undefined)).toThrow(
      expect.objectContaining({ code: 415, reason: 'UnsupportedMediaType' }),
    );
  });

  it('treats a null patch as no change and refuses a non-object patch', () => {
    expect(applyStrategicMergePatch({ a: 1 }, null, mergeItemSchema)).toStrictEqual({ a: 1 });
    expect(() => applyStrategicMergePatch({}, [1], mergeItemSchema)).toThrow(expect.objectContaining({ code: 400 }));
  });
});
