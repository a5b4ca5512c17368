// Applies node-restriction.ts to requests from node credentials: looks up the pod a request
// names when the verdict depends on its node, reads a created Node's name from the body, and
// refuses with a Forbidden Status shaped as upstream's.
import { ApiError } from '../api/errors.ts';
import type { AuthenticatedRequest } from '../apiserver/api-server.ts';
import { requestInfo, type RequestAttributes } from './request-info.ts';
import { needsPodNode, nodeBodyVerdict, nodeVerdict, type NodeVerdict } from './node-restriction.ts';
import { nodeNameOf } from './user.ts';

export type Authorize = (req: AuthenticatedRequest, url: URL) => Promise<void>;

/**
 * Node users are decided here; everyone else by `next` (allowed when there is none).
 * `podNode` reads a pod's spec.nodeName (undefined when the pod does not exist).
 */
export function withNodeAuthorizer(podNode: (namespace: string, name: string) => Promise<string | undefined>, next?: Authorize): Authorize {
  return async (req, url) => {
    const node = nodeNameOf(req.user);
    if (node === undefined) return next?.(req, url);
    const a = requestInfo(req.method, url);
    let verdict: NodeVerdict = nodeVerdict(node, a, needsPodNode(a) ? await podNode(a.namespace, a.name) : undefined);
    if (verdict.allowed && a.resource === 'nodes' && a.apiGroup === '' && a.verb === 'create') verdict = nodeBodyVerdict(node, parseBody(req.body));
    if (!verdict.allowed) throw forbidden(a, verdict.reason);
  };
}

function parseBody(body: Uint8Array | undefined): { metadata?: { name?: string } } | undefined {
  try {
    return JSON.parse(Buffer.from(body ?? new Uint8Array()).toString('utf8')) as { metadata?: { name?: string } };
  } catch {
    return undefined;
  }
}

function forbidden(a: RequestAttributes, reason: string): ApiError {
  const what = a.resourceRequest ? `${a.resource}${a.apiGroup ? `.${a.apiGroup}` : ''}${a.name ? ` "${a.name}"` : ''}` : `path "${a.path}"`;
  return new ApiError('Forbidden', 403, `${what} is forbidden: ${reason}`, {
    ...(a.name ? { name: a.name } : {}),
    ...(a.apiGroup ? { group: a.apiGroup } : {}),
    ...(a.resource ? { kind: a.resource } : {}),
  });
}
