import { describe, expect, it } from 'vitest';
import { formatFieldError } from '../meta/field-errors.ts';
import type { KubeObject } from '../meta/types.ts';
import { setBindingDefaults, validateBinding, validateBindingUpdate, validateRoleRules } from './rbac.ts';

const G = 'rbac.authorization.k8s.io';
const text = (errs: ReturnType<ReturnType<typeof validateRoleRules>>) => errs.map((e) => formatFieldError(e, { withField: true }));

describe('role rules', () => {
  const role = (rules: unknown[]): KubeObject => ({ apiVersion: `${G}/v1`, kind: 'Role', metadata: { name: 'r' }, rules } as unknown as KubeObject);
  const cases: { name: string; rules: unknown[]; namespaced?: boolean; errors: string[] }[] = [
    { name: 'a resource rule', rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }], errors: [] },
    { name: 'a non-resource rule in a cluster role', rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }], namespaced: false, errors: [] },
    { name: 'no verbs', rules: [{ apiGroups: [''], resources: ['pods'], verbs: [] }], errors: ['rules[0].verbs: Required value: verbs must contain at least one value'] },
    {
      name: 'no api groups nor resources',
      rules: [{ verbs: ['get'] }],
      errors: ['rules[0].apiGroups: Required value: resource rules must supply at least one api group', 'rules[0].resources: Required value: resource rules must supply at least one resource'],
    },
    { name: 'resource names with several resources', rules: [{ apiGroups: [''], resources: ['pods', 'secrets'], resourceNames: ['x'], verbs: ['get'] }], errors: ['rules[0].resourceNames: Required value: resource names cannot apply to multiple resources'] },
    { name: 'non-resource URLs in a namespaced role', rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }], namespaced: true, errors: ['rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs'] },
    {
      name: 'non-resource URLs mixed with resources',
      rules: [{ nonResourceURLs: ['/x'], resources: ['pods'], verbs: ['get'] }],
      namespaced: false,
      errors: ['rules[0].nonResourceURLs: Invalid value: []string{"/x"}: rules cannot apply to both regular resources and non-resource URLs'],
    },
  ];
  it.each(cases)('$name', ({ rules, namespaced = true, errors }) => {
    expect(text(validateRoleRules(namespaced)(role(rules)))).toEqual(errors);
  });
});

const binding = (roleRef: unknown, subjects: unknown[] = []): KubeObject => ({ apiVersion: `${G}/v1`, kind: 'RoleBinding', metadata: { name: 'b' }, roleRef, subjects } as unknown as KubeObject);

describe('bindings', () => {
  const ref = { apiGroup: G, kind: 'ClusterRole', name: 'view' };
  const cases: { name: string; obj: KubeObject; namespaced?: boolean; errors: string[] }[] = [
    { name: 'a user, a group and a service account', obj: binding(ref, [{ kind: 'User', apiGroup: G, name: 'alice' }, { kind: 'Group', apiGroup: G, name: 'devs' }, { kind: 'ServiceAccount', name: 'default', namespace: 'ns' }]), errors: [] },
    { name: 'a Role from a RoleBinding', obj: binding({ ...ref, kind: 'Role' }), errors: [] },
    { name: 'a Role from a ClusterRoleBinding', obj: binding({ ...ref, kind: 'Role' }), namespaced: false, errors: ['roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"'] },
    { name: 'another API group', obj: binding({ ...ref, apiGroup: 'example.com' }), errors: [`roleRef.apiGroup: Unsupported value: "example.com": supported values: "${G}"`] },
    { name: 'no role name', obj: binding({ ...ref, name: '' }), errors: ['roleRef.name: Required value'] },
    { name: 'a role name with a slash', obj: binding({ ...ref, name: 'a/b' }), errors: [`roleRef.name: Invalid value: "a/b": may not contain '/'`] },
    { name: 'an unknown subject kind', obj: binding(ref, [{ kind: 'Robot', name: 'r2' }]), errors: ['subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"'] },
    { name: 'a user in the wrong group', obj: binding(ref, [{ kind: 'User', apiGroup: 'x', name: 'alice' }]), errors: [`subjects[0].apiGroup: Unsupported value: "x": supported values: "${G}"`] },
    { name: 'a service account with a group', obj: binding(ref, [{ kind: 'ServiceAccount', apiGroup: G, name: 'sa' }]), errors: [`subjects[0].apiGroup: Unsupported value: "${G}": supported values: ""`] },
    { name: 'a cluster binding needs the service account namespace', obj: binding(ref, [{ kind: 'ServiceAccount', name: 'sa' }]), namespaced: false, errors: ['subjects[0].namespace: Required value'] },
    { name: 'a service account with an invalid name', obj: binding(ref, [{ kind: 'ServiceAccount', name: 'Bad_Name', namespace: 'ns' }]), errors: [expect.stringMatching(/^subjects\[0\]\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/) as unknown as string] },
  ];
  it.each(cases)('$name', ({ obj, namespaced = true, errors }) => {
    expect(text(validateBinding(namespaced)(obj))).toEqual(errors);
  });

  it('defaults the subjects’ API groups as upstream', () => {
    const b = binding(ref, [{ kind: 'User', name: 'alice' }, { kind: 'Group', name: 'devs', apiGroup: '' }, { kind: 'ServiceAccount', name: 'sa', apiGroup: '' }, { kind: 'User', name: 'x', apiGroup: 'kept' }]);
    setBindingDefaults(b);
    expect((b as unknown as { subjects: { apiGroup?: string }[] }).subjects.map((s) => s.apiGroup)).toEqual([G, G, undefined, 'kept']);
  });

  it('refuses a change of roleRef, as upstream words it', () => {
    expect(validateBindingUpdate(binding(ref), binding(ref))).toEqual([]);
    expect(text(validateBindingUpdate(binding({ ...ref, name: 'edit' }), binding(ref)))).toEqual([`roleRef: Invalid value: rbac.RoleRef{APIGroup:"${G}", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef`]);
  });
});
