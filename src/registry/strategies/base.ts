// Building blocks shared by the per-kind strategies: status handling on create/update and the
// generation rule. Each kind's strategy composes these with its defaulting and validation.
import type { FieldError } from '../../api/meta/field-errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import { semanticEqual } from '../../api/validation/json.ts';
import { type NameFn, nameIsDNSSubdomain } from '../../api/validation/names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../api/validation/object-meta.ts';
import type { Strategy, StrategyContext } from '../strategy.ts';

/** On create: a client may not set status (upstream PrepareForCreate clears it). */
export function clearStatus(obj: KubeObject): void {
  delete obj.status;
}

/** On a main-resource update: status comes from the stored object. */
export function keepOldStatus(obj: KubeObject, old: KubeObject): void {
  if (old.status === undefined) delete obj.status;
  else obj.status = old.status;
}

/** On a status update: everything but metadata and status comes from the stored object. */
// `old` is the registry's private decoding of the stored object, dropped after the write, so
// its subtrees are moved over rather than copied.
export function keepOldSpec(obj: KubeObject, old: KubeObject): void {
  for (const k of Object.keys(obj)) if (!['metadata', 'status', 'apiVersion', 'kind'].includes(k)) delete obj[k];
  for (const [k, v] of Object.entries(old)) if (!['metadata', 'status', 'apiVersion', 'kind'].includes(k)) obj[k] = v;
}

export function specChanged(obj: KubeObject, old: KubeObject): boolean {
  return !semanticEqual(obj.spec, old.spec);
}

export const never = (): boolean => false;

export interface KindOptions {
  /** Namespaced kind (namespace format is checked when present). */
  namespaced: boolean;
  /** metadata.name rule; DNS subdomain by default. */
  nameFn?: NameFn;
  /** The kind has a status subresource: status is cleared on create and kept on update. */
  hasStatus?: boolean;
  defaults?: (obj: KubeObject) => void;
  /** Spec validation on create and update (metadata is validated here). */
  validateSpec?: (obj: KubeObject, ctx: StrategyContext) => FieldError[];
  /** Extra checks on update only (immutable fields). */
  validateChange?: (obj: KubeObject, old: KubeObject, ctx: StrategyContext) => FieldError[];
  validateStatus?: (obj: KubeObject, old: KubeObject) => FieldError[];
  generationChanged?: (obj: KubeObject, old: KubeObject) => boolean;
}

/**
 * A strategy in upstream's usual shape: object-meta validation with the kind's name rule,
 * optional spec validation, status reset on create and kept on update when the kind has a
 * status subresource, and generation bumps on spec changes.
 */
export function kindStrategy(o: KindOptions): Strategy {
  const meta = { nameFn: o.nameFn ?? nameIsDNSSubdomain, namespaced: o.namespaced };
  const s: Strategy = {
    validate: (obj, ctx) => [...validateObjectMeta(obj.metadata, meta), ...(o.validateSpec?.(obj, ctx) ?? [])],
    validateUpdate: (obj, old, ctx) => [
      ...validateObjectMetaUpdate(obj.metadata, old.metadata),
      ...(o.validateSpec?.(obj, ctx) ?? []),
      ...(o.validateChange?.(obj, old, ctx) ?? []),
    ],
    generationChanged: o.generationChanged ?? specChanged,
  };
  if (o.defaults) s.defaults = o.defaults;
  if (o.hasStatus) {
    s.prepareForCreate = (obj) => clearStatus(obj);
    s.prepareForUpdate = (obj, old) => keepOldStatus(obj, old);
    s.prepareForStatusUpdate = (obj, old) => keepOldSpec(obj, old);
    s.validateStatusUpdate = (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...(o.validateStatus?.(obj, old) ?? [])];
  }
  return s;
}
