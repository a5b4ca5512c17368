// Which rules a user holds in a namespace, and whether they allow a request: cluster role
// bindings first, then the namespace's role bindings, each resolved to its role's rules. Mirrors
// pkg/registry/rbac/validation/rule.go (VisitRulesFor, GetRoleReferenceRules, RulesFor) and
// plugin/pkg/auth/authorizer/rbac/rbac.go (Authorize and its allow reasons). Pure over an
// RbacSource, so the same code serves requests, access reviews and escalation checks.
import type { RequestAttributes } from '../request-info.ts';
import type { UserInfo } from '../user.ts';
import { describeSubject, ruleAllows, subjectMatches, type PolicyRule, type RoleRef, type Subject } from './rules.ts';

export interface RoleObject {
  metadata: { name?: string; namespace?: string; labels?: Record<string, string> };
  rules?: PolicyRule[] | null;
}

export interface BindingObject {
  metadata: { name?: string; namespace?: string };
  subjects?: Subject[] | null;
  roleRef: RoleRef;
}

/** Read-only view of the RBAC objects (a cache in the server, plain arrays in tests). */
export interface RbacSource {
  role(namespace: string, name: string): RoleObject | undefined;
  clusterRole(name: string): RoleObject | undefined;
  roleBindings(namespace: string): readonly BindingObject[];
  clusterRoleBindings(): readonly BindingObject[];
}

/** The rules one binding grants the user, or why they could not be found. */
export type Grant = { rules: readonly PolicyRule[]; describe: () => string } | { error: string };

/** The rules a role reference points at (a Role in the binding's namespace, or a ClusterRole). */
export function roleRefRules(src: RbacSource, ref: RoleRef, bindingNamespace: string): { rules: readonly PolicyRule[] } | { error: string } {
  if (ref.kind === 'Role') {
    const role = src.role(bindingNamespace, ref.name);
    return role ? { rules: role.rules ?? [] } : { error: `role.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found` };
  }
  if (ref.kind === 'ClusterRole') {
    const role = src.clusterRole(ref.name);
    return role ? { rules: role.rules ?? [] } : { error: `clusterrole.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found` };
  }
  return { error: `unsupported role reference kind: ${JSON.stringify(ref.kind)}` };
}

/** Every grant that applies to the user in `namespace` ('' for cluster scope only), lazily. */
export function* grantsFor(src: RbacSource, user: UserInfo, namespace: string): Generator<Grant> {
  for (const b of src.clusterRoleBindings()) {
    const subject = (b.subjects ?? []).find((s) => subjectMatches(s, user, ''));
    if (!subject) continue;
    const r = roleRefRules(src, b.roleRef, '');
    if ('error' in r) yield r;
    else yield { rules: r.rules, describe: () => `ClusterRoleBinding ${JSON.stringify(b.metadata.name)} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${describeSubject(subject, '')}` };
  }
  if (!namespace) return;
  for (const b of src.roleBindings(namespace)) {
    const subject = (b.subjects ?? []).find((s) => subjectMatches(s, user, namespace));
    if (!subject) continue;
    const r = roleRefRules(src, b.roleRef, namespace);
    if ('error' in r) yield r;
    else yield { rules: r.rules, describe: () => `RoleBinding ${JSON.stringify(`${b.metadata.name}/${namespace}`)} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${describeSubject(subject, namespace)}` };
  }
}

export interface Decision {
  allowed: boolean;
  /** Why: the granting binding when allowed; role lookups that failed when not (may be ''). */
  reason: string;
}

/** RBAC's decision on a request: allowed by the first rule that matches. */
export function rbacDecide(src: RbacSource, a: RequestAttributes & { user: UserInfo }): Decision {
  const errors: string[] = [];
  for (const g of grantsFor(src, a.user, a.namespace)) {
    if ('error' in g) {
      errors.push(g.error);
      continue;
    }
    if (g.rules.some((r) => ruleAllows(a, r))) return { allowed: true, reason: `RBAC: allowed by ${g.describe()}` };
  }
  return { allowed: false, reason: errors.length ? `RBAC: ${aggregate(errors)}` : '' };
}

/** All rules the user holds in a namespace, with the lookups that failed on the way. */
export function rulesFor(src: RbacSource, user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
  const rules: PolicyRule[] = [];
  const errors: string[] = [];
  for (const g of grantsFor(src, user, namespace)) {
    if ('error' in g) errors.push(g.error);
    else rules.push(...g.rules);
  }
  return { rules, errors };
}

/** Several errors as upstream's aggregate prints them: one alone, more in brackets, repeats once. */
export function aggregate(errors: string[]): string {
  const unique = [...new Set(errors)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
}
