// Strategies for Service, Endpoints (pkg/registry/core/{service,endpoint}/strategy.go) and
// discovery.k8s.io EndpointSlice.
import {
  dropTypeDependentFields,
  normalizeClusterIPs,
  patchAllocatedValues,
  setServiceDefaults,
  validateClusterIPUpdate,
  validateServiceSpec,
} from '../../api/core/service.ts';
import { setEndpointsDefaults, validateEndpoints } from '../../api/core/endpoints.ts';
import { setEndpointSliceDefaults, validateEndpointSlice, validateEndpointSliceUpdate } from '../../api/discovery/endpointslice.ts';
import { nameIsDNS1035Label } from '../../api/validation/names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../api/validation/object-meta.ts';
import type { Strategy } from '../strategy.ts';
import { keepOldSpec, keepOldStatus, kindStrategy, never } from './base.ts';

export function serviceStrategy(): Strategy {
  const meta = { nameFn: nameIsDNS1035Label, namespaced: true };
  return {
    defaults: (obj) => setServiceDefaults(obj),
    prepareForCreate: (obj) => {
      obj.status = { loadBalancer: {} };
      normalizeClusterIPs(obj);
    },
    prepareForUpdate: (obj, old) => {
      keepOldStatus(obj, old);
      patchAllocatedValues(obj, old);
      normalizeClusterIPs(obj, old);
      dropTypeDependentFields(obj, old);
    },
    prepareForStatusUpdate: (obj, old) => keepOldSpec(obj, old),
    validate: (obj) => [...validateObjectMeta(obj.metadata, meta), ...validateServiceSpec(obj)],
    validateUpdate: (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateClusterIPUpdate(obj, old), ...validateServiceSpec(obj)],
    validateStatusUpdate: (obj, old) => validateObjectMetaUpdate(obj.metadata, old.metadata),
    // Upstream Services carry no generation.
    generationChanged: never,
  };
}

export function endpointsStrategy(): Strategy {
  return kindStrategy({ namespaced: true, defaults: setEndpointsDefaults, validateSpec: validateEndpoints, generationChanged: never });
}

export function endpointSliceStrategy(): Strategy {
  return kindStrategy({
    namespaced: true,
    defaults: setEndpointSliceDefaults,
    validateSpec: validateEndpointSlice,
    validateChange: validateEndpointSliceUpdate,
    generationChanged: never,
  });
}
