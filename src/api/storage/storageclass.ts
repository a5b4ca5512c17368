// StorageClass defaulting and validation: pkg/apis/storage/v1/defaults.go and
// pkg/apis/storage/validation/validation.go ValidateStorageClass{,Update}.
import { type FieldError, forbidden, invalidValue, notSupported, required } from '../meta/field-errors.ts';
import type { KubeObject } from '../meta/types.ts';
import { type Obj, arrAt, isObj, objs, semanticEqual } from '../validation/json.ts';
import { byteLength, isQualifiedName } from '../validation/names.ts';
import { validateImmutableField } from '../validation/object-meta.ts';

const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_SIZE = 256 * 1024;

export function setStorageClassDefaults(sc: KubeObject): void {
  const o = sc as Obj;
  if (!o.reclaimPolicy) o.reclaimPolicy = 'Delete';
  if (!o.volumeBindingMode) o.volumeBindingMode = 'Immediate';
}

export function validateStorageClassFields(sc: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const provisioner = typeof sc.provisioner === 'string' ? sc.provisioner : '';
  if (!provisioner) errs.push(required('provisioner', ''));
  else for (const m of isQualifiedName(provisioner.toLowerCase())) errs.push(invalidValue('provisioner', provisioner.toLowerCase(), m));
  const params = isObj(sc.parameters) ? sc.parameters : {};
  const keys = Object.keys(params);
  if (keys.length > MAX_PARAMETERS) errs.push({ type: 'Too many', field: 'parameters', detail: `must have at most ${MAX_PARAMETERS} items` });
  let size = 0;
  for (const k of keys) {
    if (!k) errs.push(invalidValue('parameters', k, 'key may not be empty'));
    size += byteLength(k) + byteLength(String(params[k] ?? ''));
  }
  if (size > MAX_PARAMETERS_SIZE) errs.push({ type: 'Too long', field: 'parameters', detail: `may not be more than ${MAX_PARAMETERS_SIZE} bytes` });
  if (sc.reclaimPolicy !== 'Delete' && sc.reclaimPolicy !== 'Retain') errs.push(notSupported('reclaimPolicy', sc.reclaimPolicy ?? '', ['Delete', 'Retain']));
  if (!sc.volumeBindingMode) errs.push(required('volumeBindingMode', ''));
  else if (sc.volumeBindingMode !== 'Immediate' && sc.volumeBindingMode !== 'WaitForFirstConsumer') {
    errs.push(notSupported('volumeBindingMode', sc.volumeBindingMode, ['Immediate', 'WaitForFirstConsumer']));
  }
  objs(arrAt(sc, 'allowedTopologies')).forEach((t, i) => {
    const exprs = objs(arrAt(t, 'matchLabelExpressions'));
    if (exprs.length === 0) errs.push(required(`allowedTopologies[${i}].matchLabelExpressions`, 'must have at least one label value requirement'));
    exprs.forEach((e, j) => {
      const p = `allowedTopologies[${i}].matchLabelExpressions[${j}]`;
      for (const m of isQualifiedName(String(e.key ?? ''))) errs.push(invalidValue(`${p}.key`, e.key ?? '', m));
      if (arrAt(e, 'values').length === 0) errs.push(required(`${p}.values`, 'must specify as least one value'));
    });
  });
  return errs;
}

/** Provisioner, parameters and reclaimPolicy are fixed once created; volumeBindingMode is immutable. */
export function validateStorageClassUpdate(sc: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (!semanticEqual(sc.parameters, old.parameters)) errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
  if (sc.provisioner !== old.provisioner) errs.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if (sc.reclaimPolicy !== old.reclaimPolicy) errs.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  errs.push(...validateImmutableField(sc.volumeBindingMode, old.volumeBindingMode, 'volumeBindingMode'));
  return errs;
}
