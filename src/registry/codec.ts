// Stored form of an object: its JSON without metadata.resourceVersion, which is the store's
// revision and is set on every read (as upstream's etcd3 store does with the mod revision).
import type { KubeObject } from '../api/meta/types.ts';
import type { KeyValue } from '../store/backend.ts';
import { readOnly } from '../util/read-only.ts';

/**
 * Stored layout: apiVersion, kind, then metadata (without resourceVersion), then the rest. The
 * fixed head lets a list splice stored values with their resourceVersion put in (rawWithVersion)
 * instead of parsing and re-serialising every object.
 */
export function encode(obj: KubeObject): string {
  const { apiVersion, kind, metadata, ...rest } = obj;
  const { resourceVersion: _rv, ...meta } = metadata;
  return JSON.stringify({ apiVersion, kind, metadata: meta, ...rest });
}

/**
 * The stored JSON with metadata.resourceVersion set to the kv's revision, or undefined when the
 * value does not have the layout encode() writes for this apiVersion (callers then decode).
 */
export function rawWithVersion(kv: KeyValue, apiVersion: string, kind: string): string | undefined {
  const head = `{"apiVersion":${JSON.stringify(apiVersion)},"kind":${JSON.stringify(kind)},"metadata":{`;
  const v = kv.value;
  if (!v.startsWith(head)) return undefined;
  const rv = `"resourceVersion":"${kv.modRevision}"`;
  return v[head.length] === '}' ? `${head}${rv}${v.slice(head.length)}` : `${head}${rv},${v.slice(head.length)}`;
}

export function decode(kv: KeyValue, apiVersion?: string): KubeObject {
  const obj = JSON.parse(kv.value) as KubeObject;
  obj.metadata.resourceVersion = String(kv.modRevision);
  if (apiVersion) obj.apiVersion = apiVersion;
  return obj;
}

/** Deep copy for callers that will mutate (objects from the store are shared with watchers). */
export function clone<T>(v: T): T {
  return structuredClone(v);
}

// One decoded, frozen copy per stored value and served version, shared by every watcher of it.
const shared = new WeakMap<KeyValue, Map<string, KubeObject>>();

const sharedObjects = new WeakSet<object>();

/** Decodes kv once for all callers; the result is shared (see readOnly) and must not be mutated. */
export function decodeShared(kv: KeyValue, apiVersion: string): KubeObject {
  let byVersion = shared.get(kv);
  if (!byVersion) shared.set(kv, (byVersion = new Map()));
  let obj = byVersion.get(apiVersion);
  if (!obj) {
    byVersion.set(apiVersion, (obj = readOnly(decode(kv, apiVersion))));
    sharedObjects.add(obj);
  }
  return obj;
}

/** Whether obj came from decodeShared (and so may be serialised once for all, by sharedJson). */
export function isShared(obj: object): boolean {
  return sharedObjects.has(obj);
}

const encoded = new WeakMap<object, string>();

/** JSON of a frozen shared object, produced once however many watchers send it. */
export function sharedJson(obj: object): string {
  let text = encoded.get(obj);
  if (text === undefined) encoded.set(obj, (text = JSON.stringify(obj)));
  return text;
}
