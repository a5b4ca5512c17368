// The object changes that make up a binding (pv_controller.go bindVolumeToClaim,
// bindClaimToVolume, updateClaimStatus, unbindVolume and util.GetBindVolumeToClaim). Each
// returns the changed copy, or undefined when the object already says what it should; the
// controller writes volume first, then claim, so a crash in between is finished by the next sync.
import {
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  claimRefFor,
  hasAnnotation,
  isVolumeBoundToClaim,
  type PersistentVolume,
  type PersistentVolumeClaim,
} from '../../api/storage/volume.ts';

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function withAnnotation<T extends PersistentVolume | PersistentVolumeClaim>(o: T, key: string): void {
  o.metadata.annotations = { ...o.metadata.annotations, [key]: 'yes' };
}

/**
 * The volume pointing at the claim (claimRef with uid). bound-by-controller is added when the
 * volume was not already pre-bound to this claim by the user.
 */
export function bindVolumeToClaim(pv: PersistentVolume, pvc: PersistentVolumeClaim): PersistentVolume | undefined {
  const byController = !isVolumeBoundToClaim(pv, pvc);
  const out = structuredClone(pv) as PersistentVolume;
  out.spec ??= {};
  let dirty = false;
  const ref = pv.spec?.claimRef;
  if (!ref || ref.name !== pvc.metadata.name || ref.namespace !== pvc.metadata.namespace || ref.uid !== pvc.metadata.uid) {
    out.spec.claimRef = claimRefFor(pvc);
    dirty = true;
  }
  if (byController && !hasAnnotation(out, ANN_BOUND_BY_CONTROLLER)) {
    withAnnotation(out, ANN_BOUND_BY_CONTROLLER);
    dirty = true;
  }
  return dirty ? out : undefined;
}

/**
 * The claim pointing at the volume: spec.volumeName (with bound-by-controller when the
 * controller set it) and bind-completed.
 */
export function bindClaimToVolume(pvc: PersistentVolumeClaim, pv: PersistentVolume): PersistentVolumeClaim | undefined {
  const out = structuredClone(pvc) as PersistentVolumeClaim;
  out.spec ??= {};
  let dirty = false;
  if (pvc.spec?.volumeName !== pv.metadata.name) {
    out.spec.volumeName = pv.metadata.name;
    if (!hasAnnotation(out, ANN_BOUND_BY_CONTROLLER)) withAnnotation(out, ANN_BOUND_BY_CONTROLLER);
    dirty = true;
  }
  if (!hasAnnotation(out, ANN_BIND_COMPLETED)) {
    withAnnotation(out, ANN_BIND_COMPLETED);
    dirty = true;
  }
  return dirty ? out : undefined;
}

/**
 * The claim's status for a phase. With a volume: access modes from it, and its capacity when the
 * claim is just becoming this phase (a later difference may be a resize in progress). Without:
 * access modes and capacity cleared. Undefined when nothing changes.
 */
export function claimStatusFor(pvc: PersistentVolumeClaim, phase: string, pv?: PersistentVolume): PersistentVolumeClaim['status'] | undefined {
  const cur = pvc.status ?? {};
  const next: NonNullable<PersistentVolumeClaim['status']> = { ...structuredClone(cur), phase };
  let dirty = cur.phase !== phase;
  if (!pv) {
    if (cur.accessModes !== undefined) {
      delete next.accessModes;
      dirty = true;
    }
    if (cur.capacity !== undefined) {
      delete next.capacity;
      dirty = true;
    }
  } else {
    if (!sameJson(cur.accessModes, pv.spec?.accessModes)) {
      next.accessModes = [...(pv.spec?.accessModes ?? [])];
      dirty = true;
    }
    if (cur.phase !== phase && !sameJson(cur.capacity?.storage, pv.spec?.capacity?.storage)) {
      next.capacity = { ...pv.spec?.capacity };
      dirty = true;
    }
  }
  return dirty ? next : undefined;
}

/**
 * Rolls a binding back: a volume the controller bound loses its claimRef and the annotation; one
 * the user pre-bound keeps the claimRef and loses only the uid (it stays reserved for that claim).
 */
export function unbindVolume(pv: PersistentVolume): PersistentVolume {
  const out = structuredClone(pv) as PersistentVolume;
  out.spec ??= {};
  if (hasAnnotation(pv, ANN_BOUND_BY_CONTROLLER)) {
    delete out.spec.claimRef;
    const { [ANN_BOUND_BY_CONTROLLER]: _, ...rest } = out.metadata.annotations ?? {};
    out.metadata.annotations = Object.keys(rest).length ? rest : undefined;
  } else if (out.spec.claimRef) {
    delete out.spec.claimRef.uid;
  }
  return out;
}
