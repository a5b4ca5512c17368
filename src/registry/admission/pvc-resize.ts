// PersistentVolumeClaimResize admission (plugin/pkg/admission/storage/persistentvolume/resize/
// admission.go): a claim's storage request may only grow when the claim is Bound and its
// StorageClass (the same one before and after, never "") has allowVolumeExpansion: true. Runs on
// updates of the main resource after validation, as upstream's validating plugin does; status
// writes never change the request, so they always pass.
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { ResourceInfo } from '../../api/resources.ts';
import { isObj, objAt } from '../../api/validation/json.ts';
import { compareQuantities } from '../../api/validation/quantity.ts';
import type { Backend } from '../../store/backend.ts';
import type { Admission } from '../resource-store.ts';

/** Reads a StorageClass by name; undefined when it does not exist. */
export type StorageClassReader = (name: string) => Promise<KubeObject | undefined>;

/** A reader straight from the store (upstream reads an informer; one read per growing update). */
export function storageClassReader(backend: Backend): StorageClassReader {
  return async (name) => {
    const kv = await backend.get(`/registry/storage.k8s.io/storageclasses/${name}`);
    return kv ? (JSON.parse(kv.value) as KubeObject) : undefined;
  };
}

/** GetPersistentVolumeClaimClass: the beta annotation wins over spec.storageClassName; "" when neither. */
export function claimClass(pvc: KubeObject): string {
  const beta = pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'];
  if (beta !== undefined) return beta;
  const name = isObj(pvc.spec) ? pvc.spec.storageClassName : undefined;
  return typeof name === 'string' ? name : '';
}

const storageRequest = (pvc: KubeObject): unknown => objAt(objAt(pvc.spec, 'resources'), 'requests')?.storage ?? '0';

function forbiddenResize(pvc: KubeObject, detail: string): ApiError {
  const name = pvc.metadata.name ?? '';
  return new ApiError('Forbidden', 403, `persistentvolumeclaims "${name}" is forbidden: ${detail}`, { name, kind: 'persistentvolumeclaims' });
}

export function persistentVolumeClaimResize(getStorageClass: StorageClassReader): Admission {
  return {
    async admit(op, info: ResourceInfo, obj, old) {
      if (op !== 'update' || !old || info.group !== '' || info.resource !== 'persistentvolumeclaims') return;
      if (compareQuantities(storageRequest(obj), storageRequest(old)) <= 0) return;
      if (!isObj(old.status) || old.status.phase !== 'Bound') throw forbiddenResize(obj, 'Only bound persistent volume claims can be expanded');
      const cls = claimClass(obj);
      const sc = cls && cls === claimClass(old) ? await getStorageClass(cls) : undefined;
      if (sc?.allowVolumeExpansion !== true) {
        throw forbiddenResize(obj, 'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
      }
    },
  };
}
