// Store key layout: `/registry/<group|core>/<resource>/<namespace>/<name>` for namespaced objects
// and `/registry/<group|core>/<resource>/<name>` for cluster-scoped ones. Versions of one resource
// share a key space (upstream stores one version and converts).
import { storageKeyFor, type ResourceInfo } from '../api/resources.ts';

export function collectionPrefix(info: ResourceInfo, namespace: string): string {
  const base = `/registry/${storageKeyFor(info)}/`;
  return info.namespaced && namespace ? `${base}${namespace}/` : base;
}

export function objectKey(info: ResourceInfo, namespace: string, name: string): string {
  return info.namespaced ? `/registry/${storageKeyFor(info)}/${namespace}/${name}` : `/registry/${storageKeyFor(info)}/${name}`;
}
