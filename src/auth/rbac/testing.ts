// An RbacSource over plain arrays, for tests.
import type { BindingObject, RbacSource, RoleObject } from './resolver.ts';
import type { PolicyRule, RoleRef, Subject } from './rules.ts';

export function staticSource(objs: { roles?: RoleObject[]; clusterRoles?: RoleObject[]; roleBindings?: BindingObject[]; clusterRoleBindings?: BindingObject[] }): RbacSource {
  return {
    role: (ns, name) => objs.roles?.find((r) => r.metadata.namespace === ns && r.metadata.name === name),
    clusterRole: (name) => objs.clusterRoles?.find((r) => r.metadata.name === name),
    roleBindings: (ns) => (objs.roleBindings ?? []).filter((b) => b.metadata.namespace === ns),
    clusterRoleBindings: () => objs.clusterRoleBindings ?? [],
  };
}

export const role = (name: string, rules: PolicyRule[], namespace?: string): RoleObject => ({ metadata: { name, ...(namespace ? { namespace } : {}) }, rules });

export function bindingTo(name: string, ref: Partial<RoleRef> & { name: string }, subjects: Subject[], namespace?: string): BindingObject {
  return { metadata: { name, ...(namespace ? { namespace } : {}) }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', ...ref }, subjects };
}
