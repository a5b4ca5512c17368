// What a request asks to do, in the terms authorization decides on: a verb and either a resource
// (group, version, resource, subresource, namespace, name) or a non-resource path. Mirrors
// k8s.io/apiserver pkg/endpoints/request/requestinfo.go (NewRequestInfo) and the attributes of
// pkg/authorization/authorizer/interfaces.go.
import type { UserInfo } from './user.ts';

export interface RequestAttributes {
  /** Kube verb for resource requests (get, list, watch, create, …); the lowercase method otherwise. */
  verb: string;
  resourceRequest: boolean;
  /** The URL path (what non-resource rules match). */
  path: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

/** Attributes together with the user who asks, as an authorizer takes them. */
export type Attributes = RequestAttributes & { user: UserInfo };

// Verbs that may stand in the path before the resource (/api/v1/watch/pods), as upstream's
// specialVerbs; proxy never has a subresource after it.
const SPECIAL_VERBS = new Set(['proxy', 'watch']);
// `namespaces/<ns>/status` and `/finalize` address the namespace itself, not a resource in it.
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

const METHOD_VERBS: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** Attributes of a request to `url` with `method`, as upstream's RequestInfoFactory finds them. */
export function requestInfo(method: string, url: URL): RequestAttributes {
  const path = url.pathname;
  const info: RequestAttributes = { verb: method.toLowerCase(), resourceRequest: false, path, apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
  let parts = splitPath(path);
  if (parts.length < 3) return info;
  if (parts[0] !== 'api' && parts[0] !== 'apis') return info;
  const groupless = parts[0] === 'api';
  parts = parts.slice(1);
  if (!groupless) {
    if (parts.length < 3) return info;
    info.apiGroup = parts[0]!;
    parts = parts.slice(1);
  }
  info.resourceRequest = true;
  info.apiVersion = parts[0]!;
  parts = parts.slice(1);
  if (SPECIAL_VERBS.has(parts[0]!)) {
    // Upstream fails the request here; a lone `/watch` addresses nothing we serve either way.
    if (parts.length < 2) return { ...info, verb: parts[0]! };
    info.verb = parts[0]!;
    parts = parts.slice(1);
  } else {
    info.verb = METHOD_VERBS[method.toUpperCase()] ?? '';
  }
  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      info.namespace = parts[1]!;
      if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2]!)) parts = parts.slice(2);
    }
  }
  if (parts.length >= 3 && info.verb !== 'proxy') info.subresource = parts[2]!;
  if (parts.length >= 2) info.name = parts[1]!;
  if (parts.length >= 1) info.resource = parts[0]!;
  if (!info.name && info.verb === 'get') {
    // Any watch value but false or 0 means a watch, as upstream's bool conversion reads it.
    const watch = url.searchParams.getAll('watch');
    info.verb = watch.length > 0 && !['false', '0'].includes(watch[0]!.toLowerCase()) ? 'watch' : 'list';
  }
  if (!info.name && info.verb === 'delete') info.verb = 'deletecollection';
  return info;
}

function splitPath(path: string): string[] {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? [] : trimmed.split('/').map(decodeSegment);
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
