// PersistentVolume validation (pkg/apis/core/validation/validation.go ValidatePersistentVolume
// {,Spec,Update}) and status preparation (pkg/registry/core/persistentvolume/strategy.go).
import { posix } from 'node:path';
import { type FieldError, forbidden, invalidValue, notSupported, required } from '../meta/field-errors.ts';
import type { KubeObject } from '../meta/types.ts';
import { type Obj, arrAt, isObj, objAt, semanticEqual } from '../validation/json.ts';
import { nameIsDNSSubdomain } from '../validation/names.ts';
import { validateImmutableField, validateObjectMeta, validateObjectMetaUpdate } from '../validation/object-meta.ts';
import { VOLUME_SOURCE_KEYS } from './pod-defaults.ts';
import { VOLUME_MODES, validateAccessModes, validatePositiveQuantity } from './pvc.ts';
import { validateNodeSelector } from './scheduling.ts';

/** Persistent volume sources: the pod volume sources that make sense for a PV, plus `local`. */
const PV_SOURCES = [...VOLUME_SOURCE_KEYS.filter((k) => !['emptyDir', 'gitRepo', 'secret', 'configMap', 'downwardAPI', 'projected', 'persistentVolumeClaim', 'ephemeral', 'image'].includes(k)), 'local'];
const RECLAIM = ['Delete', 'Recycle', 'Retain'];

const specOf = (o: KubeObject): Obj => (isObj(o.spec) ? o.spec : {});
const isNil = (v: unknown): boolean => v === undefined || v === null;

function sourceOf(spec: Obj): Obj {
  const out: Obj = {};
  for (const k of PV_SOURCES) if (spec[k] !== undefined && spec[k] !== null) out[k] = spec[k];
  return out;
}

export function validatePvSpec(spec: Obj, path = 'spec'): FieldError[] {
  const errs: FieldError[] = [];
  const modes = arrAt(spec, 'accessModes');
  if (modes.length === 0) errs.push(required(`${path}.accessModes`));
  errs.push(...validateAccessModes(modes, `${path}.accessModes`));
  const capacity = objAt(spec, 'capacity') ?? {};
  if (Object.keys(capacity).length === 0) errs.push(required(`${path}.capacity`));
  if (!('storage' in capacity) || Object.keys(capacity).length > 1) errs.push(notSupported(`${path}.capacity`, capacity, ['storage']));
  for (const [r, q] of Object.entries(capacity)) errs.push(...validatePositiveQuantity(q, `${path}.capacity[${r}]`));
  const policy = spec.persistentVolumeReclaimPolicy;
  if (policy && !RECLAIM.includes(String(policy))) errs.push(notSupported(`${path}.persistentVolumeReclaimPolicy`, policy, RECLAIM));
  const affinity = objAt(spec, 'nodeAffinity');
  const required_ = objAt(affinity, 'required');
  if (affinity && required_) errs.push(...validateNodeSelector(required_, `${path}.nodeAffinity.required`));
  else if (affinity) errs.push(required(`${path}.nodeAffinity.required`, 'must specify required node constraints'));
  const sources = Object.keys(sourceOf(spec));
  if (sources.length === 0) errs.push(required(path, 'must specify a volume type'));
  for (const k of sources.slice(1)) errs.push(forbidden(`${path}.${k}`, 'may not specify more than 1 volume type'));
  const hostPath = objAt(spec, 'hostPath');
  if (sources[0] === 'hostPath' && !hostPath?.path) errs.push(required(`${path}.hostPath.path`));
  const local = objAt(spec, 'local');
  if (sources[0] === 'local') {
    if (!local?.path) errs.push(required(`${path}.local.path`));
    if (!required_) errs.push(required(`${path}.nodeAffinity`, 'Local volume requires node affinity'));
  }
  if (sources[0] === 'csi' && !objAt(spec, 'csi')?.driver) errs.push(required(`${path}.csi.driver`));
  if (typeof spec.storageClassName === 'string' && spec.storageClassName) {
    for (const m of nameIsDNSSubdomain(spec.storageClassName, false)) errs.push(invalidValue(`${path}.storageClassName`, spec.storageClassName, m));
  }
  if (spec.volumeMode !== undefined && spec.volumeMode !== null && !VOLUME_MODES.includes(String(spec.volumeMode))) {
    errs.push(notSupported(`${path}.volumeMode`, spec.volumeMode, VOLUME_MODES));
  }
  // A hostPath of '/' may not be recycled (its contents would be scrubbed).
  if (hostPath && typeof hostPath.path === 'string' && posix.normalize(hostPath.path).replace(/(.)\/$/, '$1') === '/' && policy === 'Recycle') {
    errs.push(forbidden(`${path}.persistentVolumeReclaimPolicy`, "may not be 'recycle' for a hostPath mount of '/'"));
  }
  const vac = spec.volumeAttributesClassName;
  if (typeof vac === 'string') {
    if (vac === '') errs.push(required(`${path}.volumeAttributesClassName`, 'an empty string is disallowed'));
    else for (const m of nameIsDNSSubdomain(vac, false)) errs.push(invalidValue(`${path}.volumeAttributesClassName`, vac, m));
    if (!objAt(spec, 'csi')) errs.push(required(`${path}.csi`, 'has to be specified when using volumeAttributesClassName'));
  }
  return errs;
}

export function validatePv(pv: KubeObject): FieldError[] {
  return [...validateObjectMeta(pv.metadata, { nameFn: nameIsDNSSubdomain }), ...validatePvSpec(specOf(pv))];
}

export function validatePvUpdate(pv: KubeObject, old: KubeObject): FieldError[] {
  const errs = [...validateObjectMetaUpdate(pv.metadata, old.metadata), ...validatePvSpec(specOf(pv))];
  const next = sourceOf(specOf(pv));
  const prev = sourceOf(specOf(old));
  // A CSI volume may gain a controllerExpandSecretRef it did not have.
  const oldCsi = objAt(prev, 'csi');
  const newCsi = objAt(next, 'csi');
  if (oldCsi && newCsi && isNil(oldCsi.controllerExpandSecretRef) && !isNil(newCsi.controllerExpandSecretRef)) {
    next.csi = { ...newCsi };
    delete (next.csi as Obj).controllerExpandSecretRef;
  }
  if (!semanticEqual(next, prev)) {
    errs.push(forbidden('spec.persistentvolumesource', `spec.persistentvolumesource is immutable after creation\n  ${JSON.stringify(prev)} -> ${JSON.stringify(next)}`));
  }
  errs.push(...validateImmutableField(specOf(pv).volumeMode, specOf(old).volumeMode, 'volumeMode'));
  const oldAffinity = specOf(old).nodeAffinity;
  if (oldAffinity !== undefined && oldAffinity !== null) errs.push(...validateImmutableField(specOf(pv).nodeAffinity, oldAffinity, 'nodeAffinity'));
  return errs;
}

/** PV PrepareForCreate: status starts Pending with its phase transition time. */
export function preparePvForCreate(pv: KubeObject, now: string): void {
  pv.status = { phase: 'Pending', lastPhaseTransitionTime: now };
}

/** PV status updates stamp lastPhaseTransitionTime when the phase changes. */
export function stampPvPhaseTransition(pv: KubeObject, old: KubeObject, now: string): void {
  const next = isObj(pv.status) ? pv.status : undefined;
  const prev = isObj(old.status) ? old.status : {};
  if (next && next.phase !== prev.phase && next.lastPhaseTransitionTime === prev.lastPhaseTransitionTime) next.lastPhaseTransitionTime = now;
}
