// Stored form of an object: its JSON without metadata.resourceVersion, which is the store's
// revision and is set on every read (as upstream's etcd3 store does with the mod revision).
import type { KubeObject } from '../api/meta/types.ts';
import type { KeyValue } from '../store/backend.ts';

export function encode(obj: KubeObject): string {
  const rv = obj.metadata.resourceVersion;
  if (rv === undefined) return JSON.stringify(obj);
  delete obj.metadata.resourceVersion;
  try {
    return JSON.stringify(obj);
  } finally {
    obj.metadata.resourceVersion = rv;
  }
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
