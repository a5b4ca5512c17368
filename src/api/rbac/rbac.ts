// RBAC objects' defaults and validation, as upstream's pkg/apis/rbac/v1/defaults.go and
// pkg/apis/rbac/validation/validation.go: rules need verbs and either resources with API groups or
// non-resource URLs (cluster roles only); bindings refer to a Role or ClusterRole of this group,
// their subjects are users, groups or service accounts, and the role a binding refers to never
// changes (delete and recreate the binding to change it).
import { type FieldError, GoValue, invalidValue, notSupported, required } from '../meta/field-errors.ts';
import type { KubeObject } from '../meta/types.ts';
import { type Obj, arrAt, isObj, strAt } from '../validation/json.ts';
import { isDNS1123Subdomain, nameIsPathSegment } from '../validation/names.ts';
import { goStringSlice } from '../validation/object-meta.ts';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/**
 * A subject's apiGroup when left out: the RBAC group for users and groups; "" for service
 * accounts, which upstream's omitempty leaves out of the stored object.
 */
export function setBindingDefaults(obj: KubeObject): void {
  for (const s of arrAt(obj, 'subjects')) {
    if (!isObj(s) || (s.apiGroup !== undefined && s.apiGroup !== '')) continue;
    if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = RBAC_GROUP;
    else if (s.apiGroup === '') delete s.apiGroup;
  }
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function validateRule(rule: Obj, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (strings(rule.verbs).length === 0) errs.push(required(`${path}.verbs`, 'verbs must contain at least one value'));
  const urls = strings(rule.nonResourceURLs);
  const groups = Array.isArray(rule.apiGroups) ? rule.apiGroups : [];
  const resources = strings(rule.resources);
  const names = strings(rule.resourceNames);
  if (urls.length > 0) {
    const value = new GoValue(goStringSlice(urls));
    if (namespaced) errs.push(invalidValue(`${path}.nonResourceURLs`, value, 'namespaced rules cannot apply to non-resource URLs'));
    if (groups.length > 0 || resources.length > 0 || names.length > 0) errs.push(invalidValue(`${path}.nonResourceURLs`, value, 'rules cannot apply to both regular resources and non-resource URLs'));
    return errs;
  }
  if (groups.length === 0) errs.push(required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  if (resources.length === 0) errs.push(required(`${path}.resources`, 'resource rules must supply at least one resource'));
  if (names.length > 0 && resources.length > 1) errs.push(required(`${path}.resourceNames`, 'resource names cannot apply to multiple resources'));
  return errs;
}

/** Role (namespaced) or ClusterRole rules. */
export function validateRoleRules(namespaced: boolean): (obj: KubeObject) => FieldError[] {
  return (obj) => arrAt(obj, 'rules').flatMap((r, i) => (isObj(r) ? validateRule(r, namespaced, `rules[${i}]`) : [invalidValue(`rules[${i}]`, r, 'must be an object')]));
}

function validateSubject(s: Obj, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = strAt(s, 'name');
  const apiGroup = strAt(s, 'apiGroup');
  if (!name) errs.push(required(`${path}.name`));
  switch (s.kind) {
    case 'ServiceAccount':
      if (name) for (const msg of isDNS1123Subdomain(name)) errs.push(invalidValue(`${path}.name`, name, msg));
      if (apiGroup) errs.push(notSupported(`${path}.apiGroup`, apiGroup, ['']));
      if (!namespaced && !strAt(s, 'namespace')) errs.push(required(`${path}.namespace`));
      break;
    case 'User':
    case 'Group':
      if (!name) errs.push(invalidValue(`${path}.name`, name, `${s.kind === 'User' ? 'user' : 'group'} name cannot be empty`));
      if (apiGroup !== RBAC_GROUP) errs.push(notSupported(`${path}.apiGroup`, apiGroup, [RBAC_GROUP]));
      break;
    default:
      errs.push(notSupported(`${path}.kind`, typeof s.kind === 'string' ? s.kind : '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

/** RoleBinding (namespaced) or ClusterRoleBinding: its roleRef and subjects. */
export function validateBinding(namespaced: boolean): (obj: KubeObject) => FieldError[] {
  return (obj) => {
    const errs: FieldError[] = [];
    const ref = isObj((obj as Obj).roleRef) ? ((obj as Obj).roleRef as Obj) : {};
    const apiGroup = strAt(ref, 'apiGroup');
    const kind = strAt(ref, 'kind');
    const name = strAt(ref, 'name');
    if (apiGroup !== RBAC_GROUP) errs.push(notSupported('roleRef.apiGroup', apiGroup, [RBAC_GROUP]));
    const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
    if (!kinds.includes(kind)) errs.push(notSupported('roleRef.kind', kind, kinds));
    if (!name) errs.push(required('roleRef.name'));
    else for (const msg of nameIsPathSegment(name, false)) errs.push(invalidValue('roleRef.name', name, msg));
    arrAt(obj, 'subjects').forEach((s, i) => errs.push(...(isObj(s) ? validateSubject(s, namespaced, `subjects[${i}]`) : [invalidValue(`subjects[${i}]`, s, 'must be an object')])));
    return errs;
  };
}

const roleRefOf = (obj: KubeObject) => {
  const ref = isObj((obj as Obj).roleRef) ? ((obj as Obj).roleRef as Obj) : {};
  return { apiGroup: strAt(ref, 'apiGroup'), kind: strAt(ref, 'kind'), name: strAt(ref, 'name') };
};

/** A binding's roleRef is fixed at creation. */
export function validateBindingUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const next = roleRefOf(obj);
  const prev = roleRefOf(old);
  if (next.apiGroup === prev.apiGroup && next.kind === prev.kind && next.name === prev.name) return [];
  const shown = new GoValue(`rbac.RoleRef{APIGroup:${JSON.stringify(next.apiGroup)}, Kind:${JSON.stringify(next.kind)}, Name:${JSON.stringify(next.name)}}`);
  return [invalidValue('roleRef', shown, 'cannot change roleRef')];
}
