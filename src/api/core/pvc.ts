// PersistentVolumeClaim validation (pkg/apis/core/validation/validation.go
// ValidatePersistentVolumeClaim{,Spec,Update}) and registry preparation
// (pkg/registry/core/persistentvolumeclaim/strategy.go). Defaults live in pvc-defaults.ts.
import { type FieldError, forbidden, invalidValue, notSupported, required } from '../meta/field-errors.ts';
import type { KubeObject } from '../meta/types.ts';
import { type Obj, specDiff, arrAt, clone, isObj, objAt, semanticEqual } from '../validation/json.ts';
import { isQualifiedName, nameIsDNSSubdomain } from '../validation/names.ts';
import { FIELD_IMMUTABLE, validateImmutableField, validateObjectMeta, validateObjectMetaUpdate } from '../validation/object-meta.ts';
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

const BETA_CLASS = 'volume.beta.kubernetes.io/storage-class';
const isNil = (v: unknown): boolean => v === undefined || v === null;

/**
 * Claims are immutable after creation except: volumeName may be set once, a nil
 * storageClassName may be set (from the beta annotation or from nil), and bound claims may change
 * resources.requests (expansion) and volumeAttributesClassName. With RecoverVolumeExpansionFailure
 * (on since 1.32) a request may go down, but not to status.capacity or below.
 */
export function validatePvcUpdate(pvc: KubeObject, old: KubeObject): FieldError[] {
  const errs = [...validateObjectMetaUpdate(pvc.metadata, old.metadata), ...validatePvc(pvc)];
  const next = clone(specOf(pvc));
  const prev = clone(specOf(old));
  if (!prev.volumeName) prev.volumeName = next.volumeName;
  const oldAnn = old.metadata.annotations ?? {};
  const newAnn = pvc.metadata.annotations ?? {};
  // validateStorageClassUpgradeFromAnnotation: the beta annotation's class moves into the field.
  const fromAnnotation =
    BETA_CLASS in oldAnn && isNil(prev.storageClassName) && next.storageClassName === oldAnn[BETA_CLASS] && (!(BETA_CLASS in newAnn) || newAnn[BETA_CLASS] === oldAnn[BETA_CLASS]);
  if (fromAnnotation) {
    delete next.storageClassName;
  } else {
    if ((newAnn[BETA_CLASS] ?? '') !== (oldAnn[BETA_CLASS] ?? '')) {
      errs.push(invalidValue(`metadata.annotations.${BETA_CLASS}`, newAnn[BETA_CLASS] ?? '', FIELD_IMMUTABLE));
    }
    // validateStorageClassUpgradeFromNil.
    if (!isNil(next.storageClassName) && isNil(prev.storageClassName) && (!(BETA_CLASS in oldAnn) || next.storageClassName === oldAnn[BETA_CLASS])) {
      next.storageClassName = prev.storageClassName;
    }
  }
  const bound = isObj(pvc.status) && pvc.status.phase === 'Bound';
  if (bound) {
    const req = objAt(objAt(next, 'resources'), 'requests');
    const oldStorage = objAt(objAt(specOf(old), 'resources'), 'requests')?.storage;
    if (req) {
      if (oldStorage === undefined) delete req.storage;
      else req.storage = oldStorage;
    }
    if (!isNil(next.volumeAttributesClassName)) {
      if (prev.volumeAttributesClassName === undefined) delete next.volumeAttributesClassName;
      else next.volumeAttributesClassName = prev.volumeAttributesClassName;
    }
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
  const oldVac = specOf(old).volumeAttributesClassName;
  const newVac = specOf(pvc).volumeAttributesClassName;
  if (!isNil(oldVac) && oldVac !== newVac) {
    if (isNil(newVac)) errs.push(forbidden('spec.volumeAttributesClassName', 'update from non-nil value to nil is forbidden'));
    else if (newVac === '') errs.push(forbidden('spec.volumeAttributesClassName', 'update from non-nil value to an empty string is forbidden'));
  }
  return errs;
}

export const RESIZE_STATUSES = ['ControllerResizeInProgress', 'ControllerResizeInfeasible', 'NodeResizeInProgress', 'NodeResizeInfeasible', 'NodeResizePending'];

/** validatePersistentVolumeClaimResourceKey: a qualified name; native (unprefixed or kubernetes.io/) keys may only be storage. */
function validateClaimResourceKey(key: string, path: string): FieldError[] {
  const msgs = isQualifiedName(key);
  if (msgs.length) return msgs.map((m) => invalidValue(path, key, m));
  const native = !key.includes('/') || key.includes('kubernetes.io/');
  return native && key !== 'storage' ? [notSupported(path, key, ['storage'])] : [];
}

/** validateBasicResource: a quantity may not be negative. */
function validateBasicResource(q: unknown, path: string): FieldError[] {
  const v = parseQuantity(q);
  return v !== undefined && v < 0 ? [invalidValue(path, Math.trunc(v), 'must be a valid resource quantity')] : [];
}

/**
 * ValidatePersistentVolumeClaimStatusUpdate (RecoverVolumeExpansionFailure on): capacities are
 * not negative, allocatedResourceStatuses hold known resize states, allocatedResources use valid
 * keys. Upstream names the key, not the bad state, in the resize-status error; so do we.
 */
export function validatePvcStatusUpdate(pvc: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateObjectMetaUpdate(pvc.metadata, old.metadata);
  if (arrAt(specOf(pvc), 'accessModes').length === 0) errs.push(required('Spec.accessModes'));
  const status = isObj(pvc.status) ? pvc.status : {};
  for (const [r, q] of Object.entries(objAt(status, 'capacity') ?? {})) errs.push(...validateBasicResource(q, `status.capacity[${r}]`));
  for (const [k, v] of Object.entries(objAt(status, 'allocatedResourceStatuses') ?? {})) {
    errs.push(...validateClaimResourceKey(k, 'status.allocatedResourceStatus'));
    if (!RESIZE_STATUSES.includes(String(v))) errs.push(notSupported('status.allocatedResourceStatus', k, RESIZE_STATUSES));
  }
  for (const [r, q] of Object.entries(objAt(status, 'allocatedResources') ?? {})) {
    const keyErrs = validateClaimResourceKey(r, 'status.allocatedResources');
    if (keyErrs.length) {
      errs.push(...keyErrs);
      continue;
    }
    errs.push(...validateBasicResource(q, `status.allocatedResources[${r}]`));
  }
  return errs;
}
