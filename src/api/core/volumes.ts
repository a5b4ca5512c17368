// Pod volume validation (pkg/apis/core/validation/validation.go ValidateVolumes,
// validateVolumeSource): names are unique DNS-1123 labels and exactly one source is set.
import { type FieldError, duplicate, forbidden, invalidValue, required } from '../meta/field-errors.ts';
import { type Obj, arrAt, isObj, objAt } from '../validation/json.ts';
import { isConfigMapKey, isDNS1123Label, nameIsDNSSubdomain } from '../validation/names.ts';
import { VOLUME_SOURCE_KEYS } from './pod-defaults.ts';

function validateKeyToPaths(items: unknown[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  items.forEach((raw, i) => {
    const it: Obj = isObj(raw) ? raw : {};
    const p = `${path}[${i}]`;
    if (!it.key) errs.push(required(`${p}.key`));
    if (!it.path) errs.push(required(`${p}.path`));
    else if (String(it.path).startsWith('/')) errs.push(invalidValue(`${p}.path`, it.path, 'must be a relative path'));
    else if (String(it.path).split('/').includes('..')) errs.push(invalidValue(`${p}.path`, it.path, "must not contain '..'"));
  });
  return errs;
}

function validateSource(v: Obj, key: string, path: string): FieldError[] {
  const src = objAt(v, key) ?? {};
  const p = `${path}.${key}`;
  switch (key) {
    case 'hostPath': {
      if (!src.path) return [required(`${p}.path`)];
      const types = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];
      return types.includes(String(src.type ?? '')) ? [] : [{ type: 'Unsupported value', field: `${p}.type`, value: src.type, supported: types }];
    }
    case 'persistentVolumeClaim':
      return src.claimName ? [] : [required(`${p}.claimName`)];
    case 'secret':
      return [
        ...(src.secretName ? nameIsDNSSubdomain(String(src.secretName), false).map((m) => invalidValue(`${p}.secretName`, src.secretName, m)) : []),
        ...validateKeyToPaths(arrAt(src, 'items'), `${p}.items`),
      ];
    case 'configMap':
      return [
        ...(src.name ? [] : [required(`${p}.name`)]),
        ...validateKeyToPaths(arrAt(src, 'items'), `${p}.items`),
        ...arrAt(src, 'items').flatMap((it, i) =>
          isObj(it) && typeof it.key === 'string' && it.key ? isConfigMapKey(it.key).map((m) => invalidValue(`${p}.items[${i}].key`, it.key, m)) : [],
        ),
      ];
    case 'nfs':
      return [...(src.server ? [] : [required(`${p}.server`)]), ...(src.path ? [] : [required(`${p}.path`)])];
    case 'csi':
      return src.driver ? [] : [required(`${p}.driver`)];
    default:
      return [];
  }
}

/** Validates pod volumes; returns the errors and the names volumeMounts may reference. */
export function validateVolumes(volumes: unknown[], path: string): { errors: FieldError[]; names: Set<string> } {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  volumes.forEach((raw, i) => {
    const v: Obj = isObj(raw) ? raw : {};
    const p = `${path}[${i}]`;
    const el: FieldError[] = [];
    const sources = VOLUME_SOURCE_KEYS.filter((k) => v[k] !== undefined && v[k] !== null);
    if (sources.length === 0) el.push(required(p, 'must specify a volume type'));
    sources.slice(1).forEach((k) => el.push(forbidden(`${p}.${k}`, 'may not specify more than 1 volume type')));
    if (sources[0]) el.push(...validateSource(v, sources[0], p));
    const name = typeof v.name === 'string' ? v.name : '';
    if (!name) el.push(required(`${p}.name`));
    else for (const m of isDNS1123Label(name)) el.push(invalidValue(`${p}.name`, name, m));
    if (name && names.has(name)) el.push(duplicate(`${p}.name`, name));
    if (el.length === 0) names.add(name);
    else errors.push(...el);
  });
  return { errors, names };
}
