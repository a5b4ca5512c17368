// Strategies for apps/v1 (pkg/registry/apps/{statefulset,daemonset,deployment,replicaset,
// controllerrevision}/strategy.go).
import {
  setStatefulSetDefaults,
  validateStatefulSet,
  validateStatefulSetStatusUpdate,
  validateStatefulSetUpdate,
} from '../../api/apps/statefulset.ts';
import type { Strategy } from '../strategy.ts';
import { clearStatus, keepOldSpec, keepOldStatus, specChanged } from './base.ts';

export interface AppsOptions {
  /** MaxUnavailableStatefulSet feature gate (default on in 1.35). */
  maxUnavailableStatefulSet?: boolean;
}

export function statefulSetStrategy(opts: AppsOptions = {}): Strategy {
  return {
    defaults: (obj) => setStatefulSetDefaults(obj, { maxUnavailable: opts.maxUnavailableStatefulSet }),
    prepareForCreate: (obj) => clearStatus(obj),
    prepareForUpdate: (obj, old) => keepOldStatus(obj, old),
    prepareForStatusUpdate: (obj, old) => keepOldSpec(obj, old),
    validate: (obj) => validateStatefulSet(obj),
    validateUpdate: (obj, old) => validateStatefulSetUpdate(obj, old),
    validateStatusUpdate: (obj, old) => validateStatefulSetStatusUpdate(obj, old),
    generationChanged: specChanged,
  };
}
