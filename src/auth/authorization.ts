// Everything authorization adds to a control plane, built in one place so the wiring stays a few
// lines: the RBAC cache (a store watch, ready before the first request), the authorize hook for
// ApiServer, the escalation admission for the registry and the access-review handler.
import type { ApiServerOptions } from '../apiserver/api-server.ts';
import type { ApiServerContext } from '../apiserver/context.ts';
import type { Admission } from '../registry/resource-store.ts';
import type { Backend } from '../store/backend.ts';
import type { Clock } from '../util/clock.ts';
import { accessReviews } from './access-review.ts';
import { authorizeRequests, clusterAuthorizer, type Authorizer } from './authorizer.ts';
import { impersonate, impersonationRequest } from './impersonation.ts';
import { RbacCache } from './rbac/cache.ts';
import { rbacEscalation } from './rbac/escalation-admission.ts';

export interface Authorization {
  /** ApiServerOptions.authorize. */
  authorize: NonNullable<ApiServerOptions['authorize']>;
  /** For the registry's admission list. */
  admission: Admission;
  /** ApiServerContext.review. */
  review: NonNullable<ApiServerContext['review']>;
  /** ApiServerOptions.impersonate. */
  impersonate: NonNullable<ApiServerOptions['impersonate']>;
  authorizer: Authorizer;
  rbac: RbacCache;
  close(): void;
}

export async function startAuthorization(backend: Backend, opts: { clock: Clock; log?: (m: string) => void }): Promise<Authorization> {
  const rbac = new RbacCache(backend, opts);
  await rbac.start();
  const authorizer = clusterAuthorizer(rbac);
  return {
    authorize: authorizeRequests(authorizer),
    admission: rbacEscalation({ source: rbac, authorizer }),
    review: accessReviews({ authorizer, rbac }),
    impersonate: (user, headers) => {
      const asked = impersonationRequest(headers);
      return asked && impersonate(user, asked, authorizer);
    },
    authorizer,
    rbac,
    close: () => rbac.close(),
  };
}
