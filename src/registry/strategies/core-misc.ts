// Strategies for Namespace, Node, ConfigMap, Secret, Event and Lease (pkg/registry/core/
// {namespace,node,configmap,secret,event}/strategy.go, pkg/registry/coordination/lease).
import {
  prepareNamespaceForCreate,
  prepareNamespaceForUpdate,
  setNamespaceDefaults,
  setNodeDefaults,
  validateNamespaceSpec,
  validateNodeSpec,
  validateNodeUpdate,
} from '../../api/core/cluster.ts';
import { setSecretDefaults, validateConfigMapData, validateImmutableData, validateSecretData, validateSecretUpdate } from '../../api/core/config.ts';
import { validateLeaseSpec } from '../../api/coordination/lease.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import { clone, isObj } from '../../api/validation/json.ts';
import { nameIsDNSLabel } from '../../api/validation/names.ts';
import type { Strategy } from '../strategy.ts';
import { keepOldSpec, kindStrategy, never } from './base.ts';

export function namespaceStrategy(): Strategy {
  const base = kindStrategy({ namespaced: false, nameFn: nameIsDNSLabel, defaults: setNamespaceDefaults, validateSpec: validateNamespaceSpec, generationChanged: never });
  return {
    ...base,
    prepareForCreate: (obj) => prepareNamespaceForCreate(obj),
    prepareForUpdate: (obj, old) => prepareNamespaceForUpdate(obj, old),
    prepareForStatusUpdate: (obj, old) => keepOldSpec(obj, old),
    validateStatusUpdate: (obj, old) => base.validateUpdate?.(obj, old, { namespace: '', now: '' }) ?? [],
  };
}

/**
 * The namespaces/finalize subresource: only spec.finalizers changes (the registry routes
 * PUT .../finalize here); everything else, status included, comes from the stored object.
 */
export function prepareNamespaceForFinalize(obj: KubeObject, old: KubeObject): void {
  const finalizers = isObj(obj.spec) ? obj.spec.finalizers : undefined;
  keepOldSpec(obj, old);
  obj.metadata = clone(old.metadata);
  obj.status = clone(old.status);
  obj.spec = { ...(isObj(obj.spec) ? obj.spec : {}), finalizers: clone(finalizers) ?? [] };
}

export function nodeStrategy(): Strategy {
  const s = kindStrategy({
    namespaced: false,
    hasStatus: true,
    defaults: setNodeDefaults,
    validateSpec: validateNodeSpec,
    validateChange: validateNodeUpdate,
    generationChanged: never,
  });
  // Kubelets register with their status (pkg/registry/core/node/strategy.go PrepareForCreate keeps it).
  delete s.prepareForCreate;
  return s;
}

export function configMapStrategy(): Strategy {
  return kindStrategy({
    namespaced: true,
    validateSpec: validateConfigMapData,
    validateChange: (obj, old) => validateImmutableData(obj, old, ['data', 'binaryData']),
    generationChanged: never,
  });
}

export function secretStrategy(): Strategy {
  return kindStrategy({ namespaced: true, defaults: setSecretDefaults, validateSpec: validateSecretData, validateChange: validateSecretUpdate, generationChanged: never });
}

export function eventStrategy(): Strategy {
  return kindStrategy({ namespaced: true, generationChanged: never });
}

export function leaseStrategy(): Strategy {
  return kindStrategy({ namespaced: true, validateSpec: validateLeaseSpec, generationChanged: never });
}
