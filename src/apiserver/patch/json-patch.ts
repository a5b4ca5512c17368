// RFC 6902 JSON patch (`application/json-patch+json`) as the Kubernetes API server applies it:
// gopkg.in/evanphx/json-patch.v4 (patch.go), called from
// k8s.io/apiserver/pkg/endpoints/handlers/patch.go (jsonPatcher.applyJSPatch).
//
// Deliberate RFC departures that upstream has and clients can observe, kept here:
// - negative array indices count from the end (`/items/-1`); `-` appends for add;
// - `replace` of a missing object member adds it (only array indices must exist);
// - `copy` from a missing object member writes null;
// - `test` of a missing (or null) member passes when the expected value is null or absent;
// - a missing `value` on add/replace means null;
// - `path: ""` works for replace and test (whole document) but not for add/remove;
// - a path without a leading `/` is read from its second segment, as upstream splits it.
// fast-json-patch differs on several of these (it refuses replace of a missing member and
// negative indices), so this is a small implementation of its own.
import { PatchError } from './errors.ts';
import { cloneJson, describe, isObject, type JsonObject, jsonEqual } from './json-values.ts';

/** Upstream's cap (maxJSONPatchOperations); more operations answer 413. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/** The members an operation may have; anything else is an unknown field under fieldValidation. */
const OPERATION_FIELDS = new Set(['op', 'path', 'from', 'value']);

/**
 * Checks the shape upstream's decoder requires (a JSON array of objects) and the size limit.
 * Throws 400 for any other shape and 413 above MAX_JSON_PATCH_OPERATIONS. A JSON null decodes to
 * an empty patch, as Go's decoder does.
 */
export function decodeJsonPatch(body: unknown): JsonObject[] {
  if (body === null) return [];
  if (!Array.isArray(body)) {
    throw new PatchError(400, `json: cannot unmarshal ${goJsonKind(body)} into Go value of type jsonpatch.Patch`);
  }
  for (const op of body) {
    if (op !== null && !isObject(op)) {
      throw new PatchError(400, `json: cannot unmarshal ${goJsonKind(op)} into Go value of type jsonpatch.Operation`);
    }
  }
  if (body.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new PatchError(
      413,
      `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${body.length}`,
    );
  }
  return body.map((op) => (op === null ? {} : op));
}

/**
 * Strict-decoding findings for `fieldValidation=Strict|Warn`: one message per unknown member of
 * an operation, worded as upstream (`json patch unknown field "foo"`). The caller reports them as
 * it reports other strict decoding errors.
 */
export function jsonPatchStrictErrors(body: unknown): string[] {
  if (!Array.isArray(body)) return [];
  const errors: string[] = [];
  body.forEach((op, i) => {
    if (!isObject(op)) return;
    for (const k of Object.keys(op)) {
      if (!OPERATION_FIELDS.has(k)) errors.push(`json patch unknown field "[${i}].${k}"`);
    }
  });
  return errors;
}

/**
 * Applies a JSON patch to a copy of `doc` and returns the copy; `doc` is not modified.
 * Operations apply in order and the first failure aborts the whole patch (PatchError 422).
 */
export function applyJsonPatch(doc: unknown, body: unknown): unknown {
  const ops = decodeJsonPatch(body);
  const box: { root: unknown } = { root: cloneJson(doc) };
  for (const op of ops) {
    const kind = typeof op.op === 'string' ? op.op : 'unknown';
    switch (kind) {
      case 'add':
        addOp(box, op);
        break;
      case 'remove':
        removeOp(box, op);
        break;
      case 'replace':
        replaceOp(box, op);
        break;
      case 'move':
        moveOp(box, op);
        break;
      case 'copy':
        copyOp(box, op);
        break;
      case 'test':
        testOp(box, op);
        break;
      default:
        throw unprocessable(`Unexpected kind: ${kind}`);
    }
  }
  return box.root;
}

type Container = JsonObject | unknown[];

interface Location {
  container: Container;
  key: string;
}

function unprocessable(message: string): PatchError {
  return new PatchError(422, message);
}

function member(op: JsonObject, name: 'path' | 'from', kind: string): string {
  const v = op[name];
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) throw unprocessable(`${kind} operation is missing its "${name}" field`);
  throw unprocessable(`${kind} operation has a "${name}" that is not a string: ${describe(v)}`);
}

/** The value an operation carries; absent and null both mean null, as upstream decodes them. */
function valueOf(op: JsonObject): unknown {
  return op.value === undefined ? null : cloneJson(op.value);
}

/** RFC 6901 token unescaping: `~1` is `/`, `~0` is `~`, in one left-to-right pass. */
function unescapeToken(token: string): string {
  return token.replace(/~[01]/g, (m) => (m === '~1' ? '/' : '~'));
}

/** Parses an array index as Go's strconv.Atoi does (optional sign, decimal digits). */
function parseIndex(token: string): number | undefined {
  if (!/^[+-]?\d+$/.test(token)) return undefined;
  const n = Number(token);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Resolves a possibly negative index against `length`; undefined when out of range. */
function resolveIndex(idx: number, length: number): number | undefined {
  if (idx < 0) {
    if (idx < -length) return undefined;
    return idx + length;
  }
  return idx;
}

function childOf(container: Container, token: string): unknown {
  if (Array.isArray(container)) {
    const parsed = parseIndex(token);
    if (parsed === undefined) return undefined;
    const idx = resolveIndex(parsed, container.length);
    return idx === undefined || idx >= container.length ? undefined : container[idx];
  }
  return Object.hasOwn(container, token) ? container[token] : undefined;
}

/**
 * Finds the container that holds the last token of `path`, walking every token but the last.
 * Undefined when the path is empty or a step is missing, null or a scalar.
 */
function locate(root: unknown, path: string): Location | undefined {
  const tokens = path.split('/');
  if (tokens.length < 2) return undefined;
  let cur = root;
  for (const raw of tokens.slice(1, -1)) {
    if (!Array.isArray(cur) && !isObject(cur)) return undefined;
    cur = childOf(cur, unescapeToken(raw));
  }
  if (!Array.isArray(cur) && !isObject(cur)) return undefined;
  return { container: cur, key: unescapeToken(tokens[tokens.length - 1]!) };
}

function mustLocate(box: { root: unknown }, path: string, what: string): Location {
  const loc = locate(box.root, path);
  if (!loc) throw unprocessable(`${what}: doc is missing path: "${path}"`);
  return loc;
}

/** Reads the member at a location: undefined when an object lacks it; throws for a bad index. */
function getAt(loc: Location, path: string): unknown {
  const { container, key } = loc;
  if (!Array.isArray(container)) return Object.hasOwn(container, key) ? container[key] : undefined;
  const idx = arrayIndex(container, key, path);
  if (idx >= container.length) throw unprocessable(`Unable to access invalid index: ${key}: "${path}"`);
  return container[idx];
}

function arrayIndex(container: unknown[], key: string, path: string): number {
  const parsed = parseIndex(key);
  if (parsed === undefined) throw unprocessable(`value was not a proper array index: '${key}': "${path}"`);
  const idx = resolveIndex(parsed, container.length);
  if (idx === undefined) throw unprocessable(`Unable to access invalid index: ${key}: "${path}"`);
  return idx;
}

function insertAt(loc: Location, value: unknown, path: string): void {
  const { container, key } = loc;
  if (!Array.isArray(container)) {
    container[key] = value;
    return;
  }
  if (key === '-') {
    container.push(value);
    return;
  }
  const parsed = parseIndex(key);
  if (parsed === undefined) throw unprocessable(`value was not a proper array index: '${key}': "${path}"`);
  // Insertion may target one past the end, so indices resolve against the grown length.
  const idx = resolveIndex(parsed, container.length + 1);
  if (idx === undefined || idx > container.length) {
    throw unprocessable(`Unable to access invalid index: ${key}: "${path}"`);
  }
  container.splice(idx, 0, value);
}

function removeAt(loc: Location, path: string, what: string): unknown {
  const { container, key } = loc;
  if (!Array.isArray(container)) {
    if (!Object.hasOwn(container, key)) {
      throw unprocessable(`${what}: Unable to remove nonexistent key: ${key}: "${path}"`);
    }
    const v = container[key];
    delete container[key];
    return v;
  }
  const idx = arrayIndex(container, key, path);
  if (idx >= container.length) throw unprocessable(`${what}: Unable to access invalid index: ${key}: "${path}"`);
  return container.splice(idx, 1)[0];
}

function addOp(box: { root: unknown }, op: JsonObject): void {
  const path = member(op, 'path', 'add');
  insertAt(mustLocate(box, path, 'add operation does not apply'), valueOf(op), path);
}

function removeOp(box: { root: unknown }, op: JsonObject): void {
  const path = member(op, 'path', 'remove');
  removeAt(mustLocate(box, path, 'remove operation does not apply'), path, 'error in remove');
}

function replaceOp(box: { root: unknown }, op: JsonObject): void {
  const path = member(op, 'path', 'replace');
  const value = valueOf(op);
  if (path === '') {
    if (!Array.isArray(value) && !isObject(value)) {
      throw unprocessable('replace operation value must be object or array');
    }
    box.root = value;
    return;
  }
  const loc = mustLocate(box, path, 'replace operation does not apply');
  if (Array.isArray(loc.container)) {
    const idx = arrayIndex(loc.container, loc.key, path);
    if (idx >= loc.container.length) {
      throw unprocessable(`replace operation does not apply: doc is missing key: "${path}"`);
    }
    loc.container[idx] = value;
  } else {
    loc.container[loc.key] = value;
  }
}

function moveOp(box: { root: unknown }, op: JsonObject): void {
  const from = member(op, 'from', 'move');
  const source = mustLocate(box, from, 'move operation does not apply: missing from path');
  const value = removeAt(source, from, 'error in move');
  const path = member(op, 'path', 'move');
  insertAt(mustLocate(box, path, 'move operation does not apply: missing destination path'), value, path);
}

function copyOp(box: { root: unknown }, op: JsonObject): void {
  const from = member(op, 'from', 'copy');
  const value = getAt(mustLocate(box, from, 'copy operation does not apply: missing from path'), from);
  const path = member(op, 'path', 'copy');
  const dest = mustLocate(box, path, 'copy operation does not apply: missing destination path');
  insertAt(dest, value === undefined ? null : cloneJson(value), path);
}

function testOp(box: { root: unknown }, op: JsonObject): void {
  const path = member(op, 'path', 'test');
  const expected = op.value === undefined ? undefined : op.value;
  if (path === '') {
    if (!jsonEqual(box.root, expected)) throw unprocessable(`testing value "${path}" failed: test failed`);
    return;
  }
  const actual = getAt(mustLocate(box, path, 'test operation does not apply'), path);
  if (actual === undefined || actual === null) {
    if (expected === undefined || expected === null) return;
    throw unprocessable(`testing value "${path}" failed: expected ${describe(expected)}, found nothing`);
  }
  if (expected === undefined || !jsonEqual(actual, expected)) {
    throw unprocessable(`testing value "${path}" failed: expected ${describe(expected ?? null)}, found ${describe(actual)}`);
  }
}

/** The JSON kind names Go's decoder uses in its type errors. */
function goJsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (isObject(v)) return 'object';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}
