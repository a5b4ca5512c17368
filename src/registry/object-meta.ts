// The object-meta rules the registry itself owns (name presence, namespace scope); name formats
// and label/annotation rules belong to each kind's strategy.
import type { FieldError } from '../api/meta/field-errors.ts';
import type { KubeObject } from '../api/meta/types.ts';
import type { ResourceInfo } from '../api/resources.ts';

export function validateObjectMeta(obj: KubeObject, info: ResourceInfo): FieldError[] {
  const errors: FieldError[] = [];
  if (!obj.metadata.name) errors.push({ type: 'Required value', field: 'metadata.name', detail: 'name or generateName is required' });
  if (info.namespaced && !obj.metadata.namespace) errors.push({ type: 'Required value', field: 'metadata.namespace' });
  return errors;
}

/** Merges error lists from several validators, dropping repeats of the same field and type. */
export function dedupeErrors(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.field}\u0000${e.type}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
