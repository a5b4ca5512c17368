// What one sync of a volume does (pv_controller.go syncVolume, reclaimVolume,
// deleteVolumeOperation's plugin choice, isVolumeReleased). Pure: the controller resolves the
// claim the volume points at (cache, then a live read, so a lagging cache never releases a
// volume wrongly) and carries the steps out in order.
import {
  ANN_DYNAMICALLY_PROVISIONED,
  hasAnnotation,
  volumeModeMismatch,
  type PersistentVolume,
  type PersistentVolumeClaim,
} from '../../api/storage/volume.ts';
import type { PlannedEvent } from './plan-claim.ts';

export type VolumePhase = 'Pending' | 'Available' | 'Bound' | 'Released' | 'Failed';

export type VolumeStep =
  /** Write the phase (and message); the event is recorded only when the phase changes. */
  | { kind: 'phase'; phase: VolumePhase; message?: string; eventIfChanged?: PlannedEvent }
  /** Apply the reclaim policy (planReclaim). */
  | { kind: 'reclaim' }
  /** The claim must finish the binding: sync it soon. */
  | { kind: 'enqueueClaim'; key: string }
  | { kind: 'event'; on: 'volume' | 'claim'; event: PlannedEvent }
  /** Roll the binding back (binding.ts unbindVolume), then mark the volume Available. */
  | { kind: 'unbind' };

export type ReclaimStep =
  | { kind: 'phase'; phase: VolumePhase; message?: string; eventIfChanged?: PlannedEvent }
  /** Delete policy: run the deleter after re-reading the volume (deleteVolumeOperation). */
  | { kind: 'delete' };

const warn = (reason: string, message: string): PlannedEvent => ({ type: 'Warning', reason, message });

/**
 * @param claim the claim claimRef names, undefined when it is gone (or replaced by one with
 *   another uid).
 */
export function planVolume(pv: PersistentVolume, claim: PersistentVolumeClaim | undefined): VolumeStep[] {
  const ref = pv.spec?.claimRef;
  // Unused, or reserved for a claim that has not bound yet (the claim's sync handles that).
  if (!ref || !ref.uid) return [{ kind: 'phase', phase: 'Available' }];
  const phase = pv.status?.phase;
  const settled = phase === 'Released' || phase === 'Failed';
  if (!claim) return [...(settled ? [] : [{ kind: 'phase', phase: 'Released' } as VolumeStep]), { kind: 'reclaim' }];
  const volumeName = claim.spec?.volumeName;
  if (!volumeName) {
    if (volumeModeMismatch(claim, pv)) {
      return [
        { kind: 'event', on: 'volume', event: warn('VolumeMismatch', `Cannot bind PersistentVolume to requested PersistentVolumeClaim "${claim.metadata.name}" due to incompatible volumeMode.`) },
        { kind: 'event', on: 'claim', event: warn('VolumeMismatch', `Cannot bind PersistentVolume "${pv.metadata.name}" to requested PersistentVolumeClaim due to incompatible volumeMode.`) },
      ];
    }
    return [{ kind: 'enqueueClaim', key: `${claim.metadata.namespace}/${claim.metadata.name}` }];
  }
  if (volumeName === pv.metadata.name) return [{ kind: 'phase', phase: 'Bound' }];
  // The claim is bound to another volume.
  if (hasAnnotation(pv, ANN_DYNAMICALLY_PROVISIONED) && pv.spec?.persistentVolumeReclaimPolicy === 'Delete') {
    return [...(settled ? [] : [{ kind: 'phase', phase: 'Released' } as VolumeStep]), { kind: 'reclaim' }];
  }
  return [{ kind: 'unbind' }];
}

/** reclaimVolume: Retain keeps everything, Delete deletes, Recycle is not supported. */
export function planReclaim(pv: PersistentVolume): ReclaimStep[] {
  switch (pv.spec?.persistentVolumeReclaimPolicy) {
    case 'Retain':
      return [];
    case 'Delete':
      return [{ kind: 'delete' }];
    case 'Recycle':
      return [{ kind: 'phase', phase: 'Failed', message: 'No recycler plugin found for the volume!', eventIfChanged: warn('VolumeFailedRecycle', 'No recycler plugin found for the volume!') }];
    default:
      return [{ kind: 'phase', phase: 'Failed', message: 'Volume has unrecognized PersistentVolumeReclaimPolicy', eventIfChanged: warn('VolumeUnknownReclaimPolicy', 'Volume has unrecognized PersistentVolumeReclaimPolicy') }];
  }
}

/**
 * Who deletes a released Delete-policy volume (findDeletablePlugin): the external provisioner
 * that made it ('external': nothing to do here), else an in-tree plugin, which k8ts does not
 * have: the error marks the volume Failed and is retried.
 */
export function deleterFor(pv: PersistentVolume): 'external' | { error: string } {
  const by = pv.metadata.annotations?.[ANN_DYNAMICALLY_PROVISIONED];
  if (by && !by.startsWith('kubernetes.io/')) return 'external';
  if (by) return { error: `no deletable volume plugin matched name: ${by}` };
  if (pv.spec?.csi) return 'external';
  return { error: `error getting deleter volume plugin for volume "${pv.metadata.name}": no deletable volume plugin matched` };
}

/**
 * isVolumeReleased: bound (claimRef with uid) to a claim that is gone, replaced, or bound to
 * another volume.
 */
export function isVolumeReleased(pv: PersistentVolume, claim: PersistentVolumeClaim | undefined): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref?.uid) return false;
  if (claim && claim.metadata.uid === ref.uid) {
    const name = claim.spec?.volumeName;
    return !!name && name !== pv.metadata.name;
  }
  return true;
}

/** The failed-delete phase write (VolumeFailedDelete, event only on the phase change). */
export function failedDelete(message: string): ReclaimStep {
  return { kind: 'phase', phase: 'Failed', message, eventIfChanged: warn('VolumeFailedDelete', message) };
}
