// What a node agent's credentials may do: upstream's Node authorizer (plugin/pkg/auth/authorizer/
// node) and NodeRestriction admission (plugin/pkg/admission/noderestriction) in one decision. A
// node reads what its pods and its own status need, and writes only its own Node and Lease, the
// status of pods bound to it, the deletion of those pods, and events. Upstream narrows reads of
// secrets, config maps and claims to those its pods reference; here a node reads them all.
import type { RequestAttributes } from './request-info.ts';

export type NodeVerdict = { allowed: true } | { allowed: false; reason: string };

const READABLE = new Set([
  '/nodes',
  '/pods',
  '/services',
  '/endpoints',
  '/namespaces',
  '/configmaps',
  '/secrets',
  '/persistentvolumeclaims',
  '/persistentvolumes',
  '/serviceaccounts',
  'discovery.k8s.io/endpointslices',
  'storage.k8s.io/storageclasses',
  'storage.k8s.io/csidrivers',
  'storage.k8s.io/csinodes',
  'storage.k8s.io/volumeattachments',
  'node.k8s.io/runtimeclasses',
]);

const READ_VERBS = new Set(['get', 'list', 'watch']);
const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete']);

/**
 * Whether node `node` may make the request. `podNode` is the spec.nodeName of the pod a pods
 * request names (undefined when there is none or it is not bound); the caller looks it up only
 * when `needsPodNode(attrs)` says so.
 */
export function nodeVerdict(node: string, a: RequestAttributes, podNode?: string): NodeVerdict {
  const deny = (reason: string): NodeVerdict => ({ allowed: false, reason });
  if (!a.resourceRequest) {
    // Discovery, version and health, as system:discovery and system:public-info-viewer grant.
    return a.verb === 'get' && /^\/(api|apis|version|healthz|livez|readyz|openapi)(\/|$)/.test(a.path) ? { allowed: true } : deny(`node "${node}" cannot ${a.verb} path "${a.path}"`);
  }
  const kind = `${a.apiGroup}/${a.resource}`;
  if (READ_VERBS.has(a.verb) && a.subresource === '' && READABLE.has(kind)) return { allowed: true };
  if ((kind === '/events' || kind === 'events.k8s.io/events') && (a.verb === 'create' || a.verb === 'update' || a.verb === 'patch')) return { allowed: true };
  if (kind === '/nodes') {
    if (!WRITE_VERBS.has(a.verb) || (a.subresource !== '' && a.subresource !== 'status')) return deny(`node "${node}" cannot ${a.verb} nodes${a.subresource ? `/${a.subresource}` : ''}`);
    // A create names the node in its body, which admission checks (nodeBodyVerdict).
    if (a.verb !== 'create' && a.name !== node) return deny(`node "${node}" is not allowed to modify node "${a.name}"`);
    return { allowed: true };
  }
  if (kind === 'coordination.k8s.io/leases') {
    if (a.namespace !== 'kube-node-lease' || a.subresource !== '') return deny(`node "${node}" can only use Leases in kube-node-lease`);
    if (READ_VERBS.has(a.verb)) return { allowed: true };
    if (!WRITE_VERBS.has(a.verb)) return deny(`node "${node}" cannot ${a.verb} leases`);
    if (a.verb !== 'create' && a.name !== node) return deny(`node "${node}" is not allowed to modify lease "${a.name}"`);
    return { allowed: true };
  }
  if (kind === '/pods') {
    const own = podNode === node;
    if (a.subresource === 'status' && (a.verb === 'update' || a.verb === 'patch')) return own ? { allowed: true } : deny(`node "${node}" can only update the status of pods bound to it`);
    if (a.subresource === '' && a.verb === 'delete') return own ? { allowed: true } : deny(`node "${node}" can only delete pods bound to it`);
    return deny(`node "${node}" cannot ${a.verb} pods${a.subresource ? `/${a.subresource}` : ''}`);
  }
  // Projected service-account tokens for its pods.
  if (kind === '/serviceaccounts' && a.subresource === 'token' && a.verb === 'create') return { allowed: true };
  return deny(`node "${node}" cannot ${a.verb} ${a.resource}${a.subresource ? `/${a.subresource}` : ''}`);
}

/** True when nodeVerdict needs the named pod's node. */
export function needsPodNode(a: RequestAttributes): boolean {
  return a.resourceRequest && a.apiGroup === '' && a.resource === 'pods' && a.name !== '' && (a.subresource === 'status' || (a.subresource === '' && a.verb === 'delete'));
}

/** A node creating a Node may create only itself (NodeRestriction checks the body). */
export function nodeBodyVerdict(node: string, body: { metadata?: { name?: string } } | undefined): NodeVerdict {
  const name = body?.metadata?.name;
  return name === node ? { allowed: true } : { allowed: false, reason: `node "${node}" is not allowed to modify node "${name ?? ''}"` };
}
