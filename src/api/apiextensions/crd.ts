// CustomResourceDefinition defaulting and the validation users hit most
// (k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation/validation.go).
import { invalidValue, required, notSupported, forbidden, type FieldError } from '../meta/field-errors.ts';
import type { KubeObject } from '../meta/types.ts';

interface Spec {
  group?: string;
  names?: { plural?: string; singular?: string; kind?: string; listKind?: string };
  scope?: string;
  versions?: { name?: string; served?: boolean; storage?: boolean }[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function defaultCrd(crd: KubeObject): void {
  const spec = (crd.spec ?? {}) as Spec;
  if (spec.names?.kind && !spec.names.listKind) spec.names.listKind = `${spec.names.kind}List`;
  if (spec.names?.kind && !spec.names.singular) spec.names.singular = spec.names.kind.toLowerCase();
}

export function validateCrd(crd: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = (crd.spec ?? {}) as Spec;
  const group = spec.group ?? '';
  const plural = spec.names?.plural ?? '';
  if (!group) errs.push(required('spec.group'));
  else if (!group.includes('.')) errs.push(invalidValue('spec.group', group, 'should be a domain with at least one dot'));
  if (!plural) errs.push(required('spec.names.plural'));
  else if (!DNS_LABEL.test(plural)) errs.push(invalidValue('spec.names.plural', plural, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"));
  if (!spec.names?.kind) errs.push(required('spec.names.kind'));
  if (crd.metadata.name !== `${plural}.${group}`) errs.push(invalidValue('metadata.name', crd.metadata.name, `must be spec.names.plural+"."+spec.group`));
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') errs.push(notSupported('spec.scope', spec.scope ?? '', ['Cluster', 'Namespaced']));
  const versions = spec.versions ?? [];
  if (versions.length === 0) errs.push(required('spec.versions', 'must have exactly one version marked as storage version'));
  else if (versions.filter((v) => v.storage).length !== 1) errs.push(invalidValue('spec.versions', versions.map((v) => v.name), 'must have exactly one version marked as storage version'));
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    if (!v.name) errs.push(required(`spec.versions[${i}].name`));
    else if (seen.has(v.name)) errs.push({ type: 'Duplicate value', field: `spec.versions[${i}].name`, value: v.name });
    seen.add(v.name ?? '');
  });
  return errs;
}

export function validateCrdUpdate(crd: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateCrd(crd);
  const a = (crd.spec ?? {}) as Spec;
  const b = (old.spec ?? {}) as Spec;
  if (a.scope !== b.scope) errs.push(forbidden('spec.scope', 'field is immutable'));
  if (a.group !== b.group) errs.push(invalidValue('spec.group', a.group, 'field is immutable'));
  return errs;
}
