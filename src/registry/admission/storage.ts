// Storage admission on create (plugin/pkg/admission/storage/storageclass/setdefault and
// plugin/pkg/admission/storage/storageobjectinuseprotection): a claim that names no class gets
// the default one (an explicit "" means no class and is kept), and every new claim and volume
// gets its protection finalizer, so neither can vanish while in use.
import type { KubeObject } from '../../api/meta/types.ts';
import type { ResourceInfo } from '../../api/resources.ts';
import { claimHasClass, defaultClass, PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER, type PersistentVolumeClaim, type StorageClass } from '../../api/storage/volume.ts';
import type { Admission } from '../resource-store.ts';

/** Where the registry keeps StorageClasses (for listClasses over the backend). */
export const STORAGE_CLASS_PREFIX = '/registry/storage.k8s.io/storageclasses/';

function addFinalizer(obj: KubeObject, f: string): void {
  const list = obj.metadata.finalizers ?? [];
  if (!list.includes(f)) obj.metadata.finalizers = [...list, f];
}

export function storageAdmission(listClasses: () => Promise<StorageClass[]>): Admission {
  return {
    async admit(op, info: ResourceInfo, obj) {
      if (op !== 'create' || info.group !== '') return;
      if (info.kind === 'PersistentVolume') return addFinalizer(obj, PV_PROTECTION_FINALIZER);
      if (info.kind !== 'PersistentVolumeClaim') return;
      addFinalizer(obj, PVC_PROTECTION_FINALIZER);
      const pvc = obj as PersistentVolumeClaim;
      if (claimHasClass(pvc)) return;
      const def = defaultClass(await listClasses());
      if (def) pvc.spec = { ...pvc.spec, storageClassName: def.metadata.name };
    },
  };
}
