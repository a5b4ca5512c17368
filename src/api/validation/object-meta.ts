// ObjectMeta validation as k8s.io/apimachinery/pkg/api/validation/objectmeta.go and
// pkg/apis/meta/v1/validation/validation.go (labels), plus core's finalizer-name rule
// (pkg/apis/core/validation/validation.go validateKubeFinalizerName). Namespace presence and
// scope are the registry's job; this checks formats.
import { type FieldError, forbidden, invalidValue, required } from '../meta/field-errors.ts';
import type { ObjectMeta } from '../meta/types.ts';
import { isObj, semanticEqual } from './json.ts';
import { type NameFn, byteLength, isDNS1123Label, isQualifiedName, isValidLabelValue } from './names.ts';

export const FIELD_IMMUTABLE = 'field is immutable';
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateLabels(labels: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(labels)) return errs;
  for (const [k, v] of Object.entries(labels)) {
    for (const m of isQualifiedName(k)) errs.push(invalidValue(path, k, m));
    for (const m of isValidLabelValue(String(v ?? ''))) errs.push(invalidValue(path, v, m));
  }
  return errs;
}

export function validateLabelName(name: string, path: string): FieldError[] {
  return isQualifiedName(name).map((m) => invalidValue(path, name, m));
}

/** Too long without a value, as upstream renders it (`Too long: may not be more than 262144 bytes`). */
export function tooLongNoValue(field: string, max: number): FieldError {
  return { type: 'Too long', field, detail: `may not be more than ${max} bytes` };
}

export function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(annotations)) return errs;
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    // Annotation keys follow the label-key rule, case-insensitively.
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalidValue(path, k, m));
    total += byteLength(k) + byteLength(String(v ?? ''));
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLongNoValue(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export function validateFinalizers(finalizers: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(finalizers)) return errs;
  let orphan = false;
  let foreground = false;
  finalizers.forEach((f) => {
    const name = String(f);
    for (const m of isQualifiedName(name)) errs.push(invalidValue(path, name, m));
    if (name === 'orphan') orphan = true;
    if (name === 'foregroundDeletion') foreground = true;
  });
  if (orphan && foreground) errs.push(invalidValue(path, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
  return errs;
}

/**
 * Upstream only warns about an unprefixed finalizer that is not a standard one (since 1.29);
 * the apiextensions cleanup finalizer, for one, has no prefix.
 */
export function finalizerWarnings(finalizers: unknown): string[] {
  if (!Array.isArray(finalizers)) return [];
  return finalizers
    .map(String)
    .filter((name) => !name.includes('/') && !STANDARD_FINALIZERS.has(name) && name !== 'customresourcecleanup.apiextensions.k8s.io')
    .map((name) => `metadata.finalizers: "${name}": prefer a domain-qualified finalizer name including a path (/) to avoid accidental conflicts with other finalizer writers`);
}

export function validateOwnerReferences(refs: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(refs)) return errs;
  let firstController = '';
  for (const ref of refs) {
    if (!isObj(ref)) continue;
    const apiVersion = String(ref.apiVersion ?? '');
    const version = apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion;
    if (!version) errs.push(invalidValue(`${path}.apiVersion`, apiVersion, 'version must not be empty'));
    if (!ref.kind) errs.push(invalidValue(`${path}.kind`, ref.kind ?? '', 'must not be empty'));
    if (!ref.name) errs.push(invalidValue(`${path}.name`, ref.name ?? '', 'must not be empty'));
    if (!ref.uid) errs.push(invalidValue(`${path}.uid`, ref.uid ?? '', 'must not be empty'));
    if (apiVersion === 'v1' && ref.kind === 'Event') errs.push(invalidValue(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    if (ref.controller === true) {
      const cur = `${String(ref.kind)}/${String(ref.name)}`;
      if (firstController) {
        errs.push(
          invalidValue(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`),
        );
      } else firstController = cur;
    }
  }
  return errs;
}

export interface ObjectMetaOptions {
  /** The kind's name rule (DNS subdomain for most kinds). */
  nameFn: NameFn;
  /** Namespaced kinds: a namespace, when present, must be a DNS label. */
  namespaced?: boolean;
}

/** Create-time ObjectMeta validation (upstream ValidateObjectMeta), field paths under `metadata`. */
export function validateObjectMeta(meta: ObjectMeta | undefined, opts: ObjectMetaOptions, path = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  const m: ObjectMeta = meta ?? {};
  if (m.generateName) {
    for (const msg of opts.nameFn(m.generateName, true)) errs.push(invalidValue(`${path}.generateName`, m.generateName, msg));
  }
  if (!m.name) errs.push(required(`${path}.name`, 'name or generateName is required'));
  else for (const msg of opts.nameFn(m.name, false)) errs.push(invalidValue(`${path}.name`, m.name, msg));
  if (opts.namespaced && m.namespace) {
    for (const msg of isDNS1123Label(m.namespace)) errs.push(invalidValue(`${path}.namespace`, m.namespace, msg));
  }
  errs.push(...validateMetaCommon(m, path));
  return errs;
}

function validateMetaCommon(m: ObjectMeta, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (typeof m.generation === 'number' && m.generation < 0) errs.push(invalidValue(`${path}.generation`, m.generation, 'must be greater than or equal to 0'));
  errs.push(...validateLabels(m.labels, `${path}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${path}.annotations`));
  errs.push(...validateOwnerReferences(m.ownerReferences, `${path}.ownerReferences`));
  errs.push(...validateFinalizers(m.finalizers, `${path}.finalizers`));
  if (Array.isArray(m.managedFields)) {
    m.managedFields.forEach((f, i) => {
      if (f.operation !== 'Apply' && f.operation !== 'Update') {
        errs.push(invalidValue(`${path}.managedFields[${i}].operation`, f.operation ?? '', 'must be `Apply` or `Update`'));
      }
      if (f.fieldsType && f.fieldsType !== 'FieldsV1') errs.push(invalidValue(`${path}.managedFields[${i}].fieldsType`, f.fieldsType, 'must be `FieldsV1`'));
    });
  }
  return errs;
}

/**
 * Update-time ObjectMeta validation (upstream ValidateObjectMetaUpdate): identity fields are
 * immutable; labels, annotations and the rest are revalidated. The name format is not rechecked,
 * so objects created under older rules can still be updated (and have finalizers removed).
 */
export function validateObjectMetaUpdate(meta: ObjectMeta | undefined, old: ObjectMeta | undefined, path = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  const m: ObjectMeta = meta ?? {};
  const o: ObjectMeta = old ?? {};
  if (o.deletionTimestamp) {
    const added = (m.finalizers ?? []).filter((f) => !(o.finalizers ?? []).includes(f));
    if (added.length) {
      errs.push(forbidden(`${path}.finalizers`, `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(added)}`));
    }
  }
  if ((m.generation ?? 0) < (o.generation ?? 0)) errs.push(invalidValue(`${path}.generation`, m.generation ?? 0, 'must not be decremented'));
  for (const f of ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds'] as const) {
    if (!semanticEqual(m[f] ?? '', o[f] ?? '')) errs.push(invalidValue(`${path}.${f}`, m[f] ?? '', FIELD_IMMUTABLE));
  }
  errs.push(...validateMetaCommon(m, path));
  return errs;
}

/** Go's %#v of a []string, used inside a few upstream messages. */
export function goStringSlice(values: string[]): string {
  return `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
}

/** `<path>: Invalid value: <new>: field is immutable` when the values differ (Semantic.DeepEqual). */
export function validateImmutableField(next: unknown, prev: unknown, path: string): FieldError[] {
  return semanticEqual(next, prev) ? [] : [invalidValue(path, next ?? null, FIELD_IMMUTABLE)];
}
