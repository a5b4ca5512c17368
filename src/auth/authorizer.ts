// The authorizer chain this server runs: members of system:masters are always allowed (upstream's
// privileged-group authorizer, placed before RBAC), everyone else is decided by RBAC. Also the
// hook ApiServer calls for every request, which refuses with upstream's Forbidden wording.
import type { AuthenticatedRequest } from '../apiserver/api-server.ts';
import { forbidden } from './forbidden.ts';
import { rbacDecide, type Decision, type RbacSource } from './rbac/resolver.ts';
import { requestInfo, type Attributes } from './request-info.ts';
import { isPrivileged } from './user.ts';

export type Authorizer = (a: Attributes) => Decision;

export function clusterAuthorizer(rbac: RbacSource): Authorizer {
  return (a) => (isPrivileged(a.user) ? { allowed: true, reason: '' } : rbacDecide(rbac, a));
}

/** Throws the Forbidden ApiError when `authorizer` refuses the attributes. */
export function enforce(authorizer: Authorizer, a: Attributes): void {
  const d = authorizer(a);
  if (!d.allowed) throw forbidden(a, d.reason);
}

/** The `authorize` option of ApiServer: every request's attributes through `authorizer`. */
export function authorizeRequests(authorizer: Authorizer): (req: AuthenticatedRequest, url: URL) => Promise<void> {
  return async (req, url) => {
    // Every in-process component and the admin: no attributes to work out, the answer is yes.
    if (isPrivileged(req.user)) return;
    enforce(authorizer, { ...requestInfo(req.method, url), user: req.user });
  };
}
