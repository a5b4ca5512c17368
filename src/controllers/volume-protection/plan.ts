// Decisions of the storage-object-in-use protection controllers
// (pkg/controller/volume/pvcprotection/pvc_protection_controller.go and
// pkg/controller/volume/pvprotection/pv_protection_controller.go): a claim keeps
// `kubernetes.io/pvc-protection` while a scheduled pod uses it, a volume keeps
// `kubernetes.io/pv-protection` while it is Bound. Objects created before admission added the
// finalizer get it here. Pure.
import type { KubeObject } from '../../api/meta/types.ts';
import { PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER, type PersistentVolume, type PersistentVolumeClaim } from '../../api/storage/volume.ts';

export type FinalizerAction = 'add' | 'remove' | undefined;

const has = (o: KubeObject, f: string) => (o.metadata.finalizers ?? []).includes(f);

/**
 * The pod was force-deleted, or the kubelet is done with it and asked for its removal (deletion
 * with grace 0): it no longer holds an ephemeral claim.
 */
export function podIsShutDown(pod: KubeObject): boolean {
  return !!pod.metadata.deletionTimestamp && pod.metadata.deletionGracePeriodSeconds === 0;
}

/**
 * podUsesPVC: only scheduled pods count (the kubelet refuses to start a pod whose claim is being
 * deleted). A persistentVolumeClaim volume counts for as long as the pod object exists; a generic
 * ephemeral volume's claim stops counting once the pod is shut down.
 */
export function podUsesClaim(pod: KubeObject, pvc: PersistentVolumeClaim): boolean {
  if (pod.metadata.namespace !== pvc.metadata.namespace) return false;
  const spec = pod.spec as { nodeName?: string; volumes?: { name: string; persistentVolumeClaim?: { claimName: string }; ephemeral?: unknown }[] } | undefined;
  if (!spec?.nodeName) return false;
  for (const v of spec.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName === pvc.metadata.name) return true;
    if (v.ephemeral && !podIsShutDown(pod) && `${pod.metadata.name}-${v.name}` === pvc.metadata.name) {
      // VolumeIsForPod: the claim must be owned by this pod.
      if ((pvc.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === pod.metadata.uid)) return true;
    }
  }
  return false;
}

/** What to do with a claim's finalizer given the pods of its namespace. */
export function planClaimProtection(pvc: PersistentVolumeClaim, pods: readonly KubeObject[]): FinalizerAction {
  const protectedNow = has(pvc, PVC_PROTECTION_FINALIZER);
  if (pvc.metadata.deletionTimestamp) return protectedNow && !pods.some((p) => podUsesClaim(p, pvc)) ? 'remove' : undefined;
  return protectedNow ? undefined : 'add';
}

/** What to do with a volume's finalizer: it may go once the volume is no longer Bound. */
export function planVolumeProtection(pv: PersistentVolume): FinalizerAction {
  const protectedNow = has(pv, PV_PROTECTION_FINALIZER);
  if (pv.metadata.deletionTimestamp) return protectedNow && pv.status?.phase !== 'Bound' ? 'remove' : undefined;
  return protectedNow ? undefined : 'add';
}
