// Creates the default cluster roles and bindings at start and brings old ones up to date, as
// upstream's storage post-start hook does (pkg/registry/rbac/rest/storage_rbac.go
// ensureRBACPolicy with pkg/registry/rbac/reconciliation): a missing object is created; an
// existing one annotated `rbac.authorization.kubernetes.io/autoupdate: "true"` gains the rules,
// aggregation selectors, subjects, labels and annotations it lacks; nothing is ever removed.
import type { KubeObject } from '../../api/meta/types.ts';
import { createIfAbsent, type Client } from '../../client/client.ts';
import { deepEqual } from '../../util/deep-equal.ts';
import { AUTOUPDATE_ANNOTATION, BOOTSTRAP_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_CLUSTER_ROLES } from './bootstrap-roles.ts';

const addMissing = <T>(have: readonly T[] | undefined | null, want: readonly T[] | undefined | null): T[] => {
  const out = [...(have ?? [])];
  for (const w of want ?? []) if (!out.some((h) => deepEqual(h, w))) out.push(w);
  return out;
};

/** The updated object when `existing` lacks some of `expected`'s policy; undefined when it is current or opted out. */
export function reconcileBootstrap(existing: KubeObject, expected: KubeObject): KubeObject | undefined {
  if (existing.metadata.annotations?.[AUTOUPDATE_ANNOTATION] === 'false') return undefined;
  const next = structuredClone(existing);
  next.metadata.labels = { ...expected.metadata.labels, ...existing.metadata.labels };
  next.metadata.annotations = { ...expected.metadata.annotations, ...existing.metadata.annotations };
  if (expected.kind === 'ClusterRole') {
    const want = expected.aggregationRule as { clusterRoleSelectors?: unknown[] } | undefined;
    if (want) {
      const have = next.aggregationRule as { clusterRoleSelectors?: unknown[] } | undefined;
      next.aggregationRule = { ...have, clusterRoleSelectors: addMissing(have?.clusterRoleSelectors, want.clusterRoleSelectors) };
    } else next.rules = addMissing(next.rules as unknown[], expected.rules as unknown[]);
  } else {
    next.subjects = addMissing(next.subjects as unknown[], expected.subjects as unknown[]);
  }
  return deepEqual(next, existing) ? undefined : next;
}

export async function ensureBootstrapPolicy(client: Client): Promise<void> {
  const roles = client.resource({ apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'clusterroles', namespaced: false });
  const bindings = client.resource({ apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'clusterrolebindings', namespaced: false });
  const ensure = async (api: typeof roles, obj: KubeObject) => {
    const existing = await api.find('', obj.metadata.name!);
    // Another server of the same datastore may make it first.
    if (!existing) return createIfAbsent(api.create('', structuredClone(obj)));
    const next = reconcileBootstrap(existing, obj);
    if (next) await api.update('', next);
  };
  // Roles before bindings, so no binding ever points at a role that is not there yet.
  await Promise.all(BOOTSTRAP_CLUSTER_ROLES.map((r) => ensure(roles, r)));
  await Promise.all(BOOTSTRAP_CLUSTER_ROLE_BINDINGS.map((b) => ensure(bindings, b)));
}
