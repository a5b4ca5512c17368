// Strategies for PersistentVolumeClaim, PersistentVolume (pkg/registry/core/
// {persistentvolumeclaim,persistentvolume}/strategy.go) and storage.k8s.io StorageClass.
import { setPvDefaults, setPvcDefaults } from '../../api/core/pvc-defaults.ts';
import { preparePvForCreate, stampPvPhaseTransition, validatePv, validatePvUpdate } from '../../api/core/pv.ts';
import { validatePvc, validatePvcStatusUpdate, validatePvcUpdate } from '../../api/core/pvc.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import { setStorageClassDefaults, validateStorageClassFields, validateStorageClassUpdate } from '../../api/storage/storageclass.ts';
import type { Obj } from '../../api/validation/json.ts';
import { validateObjectMetaUpdate } from '../../api/validation/object-meta.ts';
import type { Strategy } from '../strategy.ts';
import { keepOldSpec, keepOldStatus, kindStrategy, never } from './base.ts';

export function pvcStrategy(): Strategy {
  return {
    defaults: (obj) => setPvcDefaults(obj as Obj),
    prepareForCreate: (obj) => {
      obj.status = { phase: 'Pending' };
    },
    prepareForUpdate: (obj, old) => keepOldStatus(obj, old),
    prepareForStatusUpdate: (obj, old) => keepOldSpec(obj, old),
    validate: (obj) => validatePvc(obj),
    validateUpdate: (obj, old) => validatePvcUpdate(obj, old),
    validateStatusUpdate: (obj, old) => validatePvcStatusUpdate(obj, old),
    generationChanged: never,
  };
}

export function pvStrategy(): Strategy {
  return {
    defaults: (obj) => setPvDefaults(obj as Obj),
    prepareForCreate: (obj, ctx) => preparePvForCreate(obj, ctx.now),
    prepareForUpdate: (obj, old) => keepOldStatus(obj, old),
    prepareForStatusUpdate: (obj, old, ctx) => {
      keepOldSpec(obj, old);
      stampPvPhaseTransition(obj, old, ctx.now);
    },
    validate: (obj) => validatePv(obj),
    validateUpdate: (obj, old) => validatePvUpdate(obj, old),
    validateStatusUpdate: (obj, old) => validateObjectMetaUpdate(obj.metadata, old.metadata),
    generationChanged: never,
  };
}

export function storageClassStrategy(): Strategy {
  return kindStrategy({
    namespaced: false,
    defaults: (obj: KubeObject) => setStorageClassDefaults(obj),
    validateSpec: (obj) => validateStorageClassFields(obj),
    validateChange: (obj, old) => validateStorageClassUpdate(obj, old),
    generationChanged: never,
  });
}
