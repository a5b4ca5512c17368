// URL → what the request addresses (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go).
import { badRequest } from '../api/errors.ts';
import type { ResourceInfo } from '../api/resources.ts';

export type Route =
  | { type: 'resource'; group: string; version: string; resource: string; namespace: string; name?: string; subresource?: string; nsPath: boolean }
  | { type: 'discovery'; path: 'api' | 'apis' | 'group' | 'groupVersion'; group?: string; version?: string }
  | { type: 'other'; path: string };

/** Finds the resource table entry for a route; namespaced-ness decides how `namespaces/x/y` parses. */
export type ResourceLookup = (group: string, version: string, resource: string) => ResourceInfo | undefined;

export function parseRoute(pathname: string, lookup: ResourceLookup): Route {
  const segs = pathname.split('/').filter((s) => s.length > 0).map(decodeSegment);
  if (segs[0] === 'api') {
    if (segs.length === 1) return { type: 'discovery', path: 'api' };
    if (segs.length === 2) return { type: 'discovery', path: 'groupVersion', group: '', version: segs[1] };
    return resourceRoute('', segs[1]!, segs.slice(2), lookup);
  }
  if (segs[0] === 'apis') {
    if (segs.length === 1) return { type: 'discovery', path: 'apis' };
    if (segs.length === 2) return { type: 'discovery', path: 'group', group: segs[1] };
    if (segs.length === 3) return { type: 'discovery', path: 'groupVersion', group: segs[1], version: segs[2] };
    return resourceRoute(segs[1]!, segs[2]!, segs.slice(3), lookup);
  }
  return { type: 'other', path: pathname };
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw badRequest(`malformed path segment ${JSON.stringify(s)}: invalid percent-encoding`);
  }
}

function resourceRoute(group: string, version: string, rest: string[], lookup: ResourceLookup): Route {
  // `namespaces/<ns>/<resource>...` addresses a namespaced resource; `namespaces/<name>[/sub]` the namespace itself.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const info = lookup(group, version, rest[2]!);
    if (info?.namespaced || (!info && rest[2] !== 'status' && rest[2] !== 'finalize')) {
      return { type: 'resource', group, version, resource: rest[2]!, namespace: rest[1]!, name: rest[3], subresource: rest[4], nsPath: true };
    }
  }
  return { type: 'resource', group, version, resource: rest[0]!, namespace: '', name: rest[1], subresource: rest[2], nsPath: false };
}
