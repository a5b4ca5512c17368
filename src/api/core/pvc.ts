// PersistentVolumeClaim validation (pkg/apis/core/validation/validation.go
// ValidatePersistentVolumeClaim{,Spec,Update}) and registry preparation
// (pkg/registry/core/persistentvolumeclaim/strategy.go). Defaults live in pvc-defaults.ts.
import { type FieldError, forbidden, invalidValue, notSupported, required } from '../meta/field-errors.ts';
import type { KubeObject } from '../meta/types.ts';
import { type Obj, specDiff, arrAt, clone, isObj, objAt, semanticEqual } from '../validation/json.ts';
import { nameIsDNSSubdomain } from '../validation/names.ts';
import { validateImmutableField, validateObjectMeta, validateObjectMetaUpdate } from '../validation/object-meta.ts';
import { QUANTITY_FORMAT_ERROR, compareQuantities, isValidQuantity, parseQuantity } from '../validation/quantity.ts';
import { validateLabelSelector } from '../validation/selector.ts';

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
export const VOLUME_MODES = ['Block', 'Filesystem'];

export function validateAccessModes(modes: unknown[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  let rwop = false;
  let other = false;
  for (const m of modes) {
    if (!ACCESS_MODES.includes(String(m))) errs.push(notSupported(path, m, ACCESS_MODES));
    else if (m === 'ReadWriteOncePod') rwop = true;
    else other = true;
  }
  if (rwop && other) errs.push(forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

/** Quantity checks shared by claims and volumes: parses, and is > 0. */
export function validatePositiveQuantity(q: unknown, path: string): FieldError[] {
  if (!isValidQuantity(q)) return [invalidValue(path, q, QUANTITY_FORMAT_ERROR)];
  return (parseQuantity(q) ?? 0) <= 0 ? [invalidValue(path, String(q), 'must be greater than zero')] : [];
}

function validateClassName(v: unknown, path: string): FieldError[] {
  return typeof v === 'string' && v ? nameIsDNSSubdomain(v, false).map((m) => invalidValue(path, v, m)) : [];
}

export function validatePvcSpec(spec: Obj, path = 'spec'): FieldError[] {
  const errs: FieldError[] = [];
  const modes = arrAt(spec, 'accessModes');
  if (modes.length === 0) errs.push(required(`${path}.accessModes`, 'at least 1 access mode is required'));
  if (spec.selector !== undefined && spec.selector !== null) errs.push(...validateLabelSelector(spec.selector, `${path}.selector`));
  errs.push(...validateAccessModes(modes, `${path}.accessModes`));
  const storage = objAt(objAt(spec, 'resources'), 'requests')?.storage;
  if (storage === undefined || storage === null) errs.push(required(`${path}.resources[storage]`));
  else errs.push(...validatePositiveQuantity(storage, `${path}.resources[storage]`));
  errs.push(...validateClassName(spec.storageClassName, `${path}.storageClassName`));
  if (spec.volumeMode !== undefined && spec.volumeMode !== null && !VOLUME_MODES.includes(String(spec.volumeMode))) {
    errs.push(notSupported(`${path}.volumeMode`, spec.volumeMode, VOLUME_MODES));
  }
  for (const k of ['dataSource', 'dataSourceRef']) {
    const ds = objAt(spec, k);
    if (!ds) continue;
    if (!ds.name) errs.push(required(`${path}.${k}.name`));
    if (!ds.kind) errs.push(required(`${path}.${k}.kind`));
    if (!ds.apiGroup && ds.kind !== 'PersistentVolumeClaim') {
      errs.push(invalidValue(`${path}.${k}`, ds.kind ?? '', "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
    }
  }
  return errs;
}

const specOf = (o: KubeObject): Obj => (isObj(o.spec) ? o.spec : {});

export function validatePvc(pvc: KubeObject): FieldError[] {
  return [...validateObjectMeta(pvc.metadata, { nameFn: nameIsDNSSubdomain, namespaced: true }), ...validatePvcSpec(specOf(pvc))];
}

/**
 * Claims are immutable after creation except: volumeName may be set once, a nil
 * storageClassName may be set, and bound claims may change resources.requests (expansion) and
 * volumeAttributesClassName. Shrinking is refused (RecoverVolumeExpansionFailure semantics: not
 * below status.capacity).
 */
export function validatePvcUpdate(pvc: KubeObject, old: KubeObject): FieldError[] {
  const errs = [...validateObjectMetaUpdate(pvc.metadata, old.metadata), ...validatePvc(pvc)];
  const next = clone(specOf(pvc));
  const prev = clone(specOf(old));
  if (!prev.volumeName) prev.volumeName = next.volumeName;
  if ((prev.storageClassName === undefined || prev.storageClassName === null) && next.storageClassName !== undefined) {
    const beta = old.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'];
    if (beta === undefined || beta === next.storageClassName) prev.storageClassName = next.storageClassName;
  }
  const bound = isObj(pvc.status) && pvc.status.phase === 'Bound';
  if (bound) {
    const req = objAt(objAt(next, 'resources'), 'requests');
    const oldStorage = objAt(objAt(prev, 'resources'), 'requests')?.storage;
    if (req) {
      if (oldStorage === undefined) delete req.storage;
      else req.storage = oldStorage;
    }
    if (next.volumeAttributesClassName !== undefined) next.volumeAttributesClassName = prev.volumeAttributesClassName;
  }
  if (!semanticEqual(next, prev)) {
    errs.push(forbidden('spec', `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${specDiff('core.PersistentVolumeClaimSpec', prev, next)}`));
  }
  const newSize = objAt(objAt(specOf(pvc), 'resources'), 'requests')?.storage;
  const oldSize = objAt(objAt(specOf(old), 'resources'), 'requests')?.storage;
  const statusSize = objAt(objAt(old, 'status'), 'capacity')?.storage ?? '0';
  if (newSize !== undefined && oldSize !== undefined && compareQuantities(newSize, oldSize) < 0 && compareQuantities(newSize, statusSize) <= 0) {
    errs.push(forbidden('spec.resources.requests.storage', 'field can not be less than status.capacity'));
  }
  errs.push(...validateImmutableField(specOf(pvc).volumeMode, specOf(old).volumeMode, 'volumeMode'));
  return errs;
}
