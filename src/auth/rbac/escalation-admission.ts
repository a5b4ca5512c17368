// Escalation prevention on RBAC writes, as upstream's policy-based RBAC storage
// (pkg/registry/rbac/{role,clusterrole,rolebinding,clusterrolebinding}/policybased/storage.go and
// pkg/registry/rbac/escalation_check.go): a role may carry only rules its writer holds, unless the
// writer may `escalate` it; a binding may point only at a role whose rules the writer holds,
// unless the writer may `bind` it. Members of system:masters (this server's own components among
// them) are never checked; neither is a write that touches only what garbage collection changes.
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { ResourceInfo } from '../../api/resources.ts';
import type { Admission } from '../../registry/resource-store.ts';
import { deepEqual } from '../../util/deep-equal.ts';
import type { Authorizer } from '../authorizer.ts';
import { isPrivileged, type UserInfo } from '../user.ts';
import { covers, escalationMessage, FULL_AUTHORITY } from './escalation.ts';
import { roleRefRules, rulesFor, type RbacSource } from './resolver.ts';
import type { PolicyRule, RoleRef } from './rules.ts';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

export function rbacEscalation(opts: { source: RbacSource; authorizer: Authorizer }): Admission {
  const { source, authorizer } = opts;
  const may = (user: UserInfo, verb: string, resource: string, namespace: string, name: string) =>
    authorizer({ user, verb, resourceRequest: true, path: '', apiGroup: RBAC_GROUP, apiVersion: 'v1', resource, subresource: '', namespace, name }).allowed;
  const refuse = (info: ResourceInfo, name: string, message: string) =>
    new ApiError('Forbidden', 403, `${info.resource}.${RBAC_GROUP} ${JSON.stringify(name)} is forbidden: ${message}`, { name, group: RBAC_GROUP, kind: info.resource });
  /** Throws unless the user holds every rule in `rules` where the object lives. */
  const confirmHeld = (info: ResourceInfo, obj: KubeObject, user: UserInfo, rules: readonly PolicyRule[]) => {
    const held = rulesFor(source, user, obj.metadata.namespace ?? '');
    const { covered, missing } = covers(held.rules, rules);
    if (!covered) throw refuse(info, obj.metadata.name ?? '', escalationMessage(user, missing, held.errors));
  };
  return {
    async admit(op, info, obj, old, user) {
      if (info.group !== RBAC_GROUP || op === 'delete' || !user || isPrivileged(user)) return;
      if (op === 'update' && old && onlyGcFieldsChanged(obj, old)) return;
      const namespace = obj.metadata.namespace ?? '';
      const name = obj.metadata.name ?? '';
      if (info.kind === 'Role' || info.kind === 'ClusterRole') {
        if (may(user, 'escalate', info.resource, namespace, name)) return;
        confirmHeld(info, obj, user, (obj.rules as PolicyRule[] | undefined) ?? []);
        if (info.kind === 'ClusterRole' && (obj.aggregationRule || old?.aggregationRule) && !covers(rulesFor(source, user, '').rules, FULL_AUTHORITY).covered) {
          throw refuse(info, name, `must have cluster-admin privileges to use ${op === 'create' ? 'the' : 'an'} aggregationRule`);
        }
        return;
      }
      if (info.kind === 'RoleBinding' || info.kind === 'ClusterRoleBinding') {
        const ref = obj.roleRef as RoleRef;
        if (may(user, 'bind', ref.kind === 'Role' ? 'roles' : 'clusterroles', namespace, ref.name)) return;
        const target = roleRefRules(source, ref, namespace);
        if ('error' in target) {
          throw new ApiError('NotFound', 404, target.error, { name: ref.name, group: RBAC_GROUP, kind: ref.kind.toLowerCase() });
        }
        confirmHeld(info, obj, user, target.rules);
      }
    },
  };
}

/**
 * True when an update changes nothing but ownerReferences and finalizers (what the garbage
 * collector writes), ignoring the bookkeeping the server itself stamps.
 */
export function onlyGcFieldsChanged(obj: KubeObject, old: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const { ownerReferences: _o, finalizers: _f, managedFields: _m, resourceVersion: _r, generation: _g, ...meta } = o.metadata;
    return { ...o, metadata: meta };
  };
  return deepEqual(strip(obj), strip(old));
}
