// ConfigMap and Secret rules: pkg/apis/core/v1/defaults.go SetDefaults_Secret, the v1 Secret
// conversion (stringData merged into data), pkg/apis/core/validation/validation.go
// ValidateConfigMap{,Update}, ValidateSecret{,Update}.
import { type FieldError, forbidden, invalidValue, required } from '../meta/field-errors.ts';
import type { KubeObject } from '../meta/types.ts';
import { type Obj, isObj, semanticEqual } from '../validation/json.ts';
import { byteLength, isConfigMapKey } from '../validation/names.ts';
import { tooLongNoValue, validateImmutableField } from '../validation/object-meta.ts';

export const MAX_DATA_SIZE = 1024 * 1024;

function validateKeys(data: unknown, field: string): FieldError[] {
  if (!isObj(data)) return [];
  return Object.keys(data).flatMap((k) => isConfigMapKey(k).map((m) => invalidValue(`${field}[${k}]`, k, m)));
}

export function validateConfigMapData(cm: KubeObject): FieldError[] {
  const errs = [...validateKeys(cm.data, 'data'), ...validateKeys(cm.binaryData, 'binaryData')];
  const data = isObj(cm.data) ? cm.data : {};
  const binary = isObj(cm.binaryData) ? cm.binaryData : {};
  let size = 0;
  for (const [k, v] of Object.entries(data)) size += byteLength(k) + byteLength(String(v ?? ''));
  for (const [k, v] of Object.entries(binary)) {
    if (k in data) errs.push(invalidValue(`binaryData[${k}]`, k, 'duplicate of key present in data'));
    size += byteLength(k) + Math.floor((String(v ?? '').length * 3) / 4);
  }
  if (size > MAX_DATA_SIZE) errs.push(tooLongNoValue('', MAX_DATA_SIZE));
  return errs;
}

/** An immutable ConfigMap or Secret keeps its data and stays immutable. */
export function validateImmutableData(obj: KubeObject, old: KubeObject, fields: string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (obj.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields) if (!semanticEqual(obj[f], old[f])) errs.push(forbidden(f, 'field is immutable when `immutable` is set'));
  return errs;
}

/** Secret defaulting: type Opaque, and stringData folded into data as base64 (stringData wins). */
export function setSecretDefaults(secret: KubeObject): void {
  const o = secret as Obj;
  if (!o.type) o.type = 'Opaque';
  if (isObj(o.stringData)) {
    const data: Obj = isObj(o.data) ? o.data : {};
    for (const [k, v] of Object.entries(o.stringData)) data[k] = Buffer.from(String(v ?? ''), 'utf8').toString('base64');
    o.data = data;
    delete o.stringData;
  }
}

const REQUIRED_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

export function validateSecretData(secret: KubeObject): FieldError[] {
  const errs = validateKeys(secret.data, 'data');
  const data = isObj(secret.data) ? secret.data : {};
  let size = 0;
  for (const [k, v] of Object.entries(data)) size += byteLength(k) + Math.floor((String(v ?? '').length * 3) / 4);
  if (size > MAX_DATA_SIZE) errs.push(tooLongNoValue('data', MAX_DATA_SIZE));
  const type = String(secret.type ?? '');
  for (const key of REQUIRED_KEYS[type] ?? []) if (!(key in data)) errs.push(required(`data[${key}]`));
  if (type === 'kubernetes.io/service-account-token' && !secret.metadata.annotations?.['kubernetes.io/service-account.name']) {
    errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
  }
  if (type === 'kubernetes.io/basic-auth' && !('username' in data) && !('password' in data)) {
    errs.push(required('data[username]', 'either username or password is required'));
  }
  return errs;
}

export function validateSecretUpdate(secret: KubeObject, old: KubeObject): FieldError[] {
  return [...validateImmutableField(secret.type, old.type, 'type'), ...validateImmutableData(secret, old, ['data'])];
}
