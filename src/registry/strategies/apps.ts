// Strategies for apps/v1 (pkg/registry/apps/{statefulset,daemonset,deployment,replicaset,
// controllerrevision}/strategy.go).
import {
  setStatefulSetDefaults,
  validateStatefulSet,
  validateStatefulSetStatusUpdate,
  validateStatefulSetUpdate,
} from '../../api/apps/statefulset.ts';
import { setDaemonSetDefaults, setTemplateGeneration, validateDaemonSetSpec, validateDaemonSetStatus } from '../../api/apps/daemonset.ts';
import {
  setDeploymentDefaults,
  setReplicaSetDefaults,
  validateControllerRevision,
  validateControllerRevisionUpdate,
  validateDeploymentSpec,
  validateDeploymentStatus,
  validateReplicaSetSpec,
  validateReplicaSetStatus,
  validateSelectorImmutable,
} from '../../api/apps/replicated.ts';
import { semanticEqual } from '../../api/validation/json.ts';
import type { Strategy } from '../strategy.ts';
import { clearStatus, keepOldSpec, keepOldStatus, kindStrategy, never, specChanged } from './base.ts';

export interface AppsOptions {
  /** MaxUnavailableStatefulSet feature gate (beta in 1.35; undefined means on). */
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

export function daemonSetStrategy(): Strategy {
  const base = kindStrategy({
    namespaced: true,
    hasStatus: true,
    defaults: setDaemonSetDefaults,
    validateSpec: validateDaemonSetSpec,
    validateChange: validateSelectorImmutable,
    validateStatus: validateDaemonSetStatus,
  });
  return {
    ...base,
    prepareForCreate: (obj, ctx) => {
      base.prepareForCreate?.(obj, ctx);
      setTemplateGeneration(obj);
    },
    prepareForUpdate: (obj, old, ctx) => {
      base.prepareForUpdate?.(obj, old, ctx);
      setTemplateGeneration(obj, old);
    },
  };
}

export function deploymentStrategy(): Strategy {
  return kindStrategy({
    namespaced: true,
    hasStatus: true,
    defaults: setDeploymentDefaults,
    validateSpec: validateDeploymentSpec,
    validateChange: validateSelectorImmutable,
    validateStatus: validateDeploymentStatus,
    // Annotations are copied to ReplicaSets, so their changes bump the generation too.
    generationChanged: (obj, old) => specChanged(obj, old) || !semanticEqual(obj.metadata.annotations, old.metadata.annotations),
  });
}

export function replicaSetStrategy(): Strategy {
  return kindStrategy({
    namespaced: true,
    hasStatus: true,
    defaults: setReplicaSetDefaults,
    validateSpec: validateReplicaSetSpec,
    validateChange: validateSelectorImmutable,
    validateStatus: validateReplicaSetStatus,
  });
}

export function controllerRevisionStrategy(): Strategy {
  return kindStrategy({
    namespaced: true,
    validateSpec: validateControllerRevision,
    validateChange: validateControllerRevisionUpdate,
    generationChanged: never,
  });
}
