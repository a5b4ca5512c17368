// Volume expansion decisions, pure: what to write and which events to record for one claim and
// its volume. Two upstream components are modelled, as a real cluster runs both:
//
// - the in-tree expand controller (pkg/controller/volume/expand/expand_controller.go syncHandler):
//   none of our volumes has an in-tree expandable plugin, so for a bound claim whose request
//   exceeds status.capacity it only records `ExternalExpanding` ("waiting for an external
//   controller to expand this PVC"), or fails (and retries) when the volume is not bound back;
// - the CSI external-resizer (kubernetes-csi/external-resizer pkg/controller/controller.go
//   syncPVC, expand_and_recover.go expandAndRecover, resize_status.go) for our built-in driver.
//
// Our built-in driver (`k8ts.io/local-path`, a directory per volume whose size is not enforced)
// behaves as a CSI driver with ONLINE controller expansion whose ControllerExpandVolume answers
// node_expansion_required=false: the resizer marks the claim `Resizing` with allocatedResources
// and allocatedResourceStatuses.storage=ControllerResizeInProgress, records `Resizing`, raises
// the PV's spec.capacity.storage, then finishes at once: status.capacity = the new size, resize
// conditions and the storage resize status removed, `VolumeResizeSuccessful`. No filesystem step
// (FileSystemResizePending / NodeResizePending / FileSystemResizeSuccessful) is involved, as
// upstream does for such a driver. The driver answers the requested size, or the volume's own
// size when that is already larger (the PV is never shrunk); expansion itself cannot fail.
// Upstream's in-use/offline-expansion retries and infeasible-error slow set have no counterpart.
import type { KubeObject } from '../../api/meta/types.ts';
import { type Obj, clone, isObj, objAt } from '../../api/validation/json.ts';
import { compareQuantities } from '../../api/validation/quantity.ts';

/** The built-in provisioner's name, which is also its resizer's (CSI driver) name. */
export const LOCAL_PATH_DRIVER = 'k8ts.io/local-path';

export const EXTERNAL_EXPANDING_MESSAGE = 'waiting for an external controller to expand this PVC';

/** Condition types the resizer owns; others on the claim are kept as they are. */
const RESIZE_CONDITIONS = ['Resizing', 'FileSystemResizePending', 'ControllerResizeError', 'NodeResizeError'];

export interface PvcCondition {
  type: string;
  status: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface PlannedEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export type ResizeStep =
  /** Replace the claim's status (status subresource, guarded by the claim's resourceVersion). */
  | { kind: 'claimStatus'; status: Obj }
  | { kind: 'event'; event: PlannedEvent }
  /** Set the volume's spec.capacity.storage. */
  | { kind: 'volumeCapacity'; storage: string };

const storageOf = (m: Obj | undefined): string | undefined => {
  const v = m?.storage;
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
};
export const requestOf = (pvc: KubeObject) => storageOf(objAt(objAt(pvc.spec, 'resources'), 'requests'));
export const capacityOf = (pvc: KubeObject) => storageOf(objAt(pvc.status, 'capacity'));
const volumeSizeOf = (pv: KubeObject) => storageOf(objAt(pv.spec, 'capacity'));
const allocatedOf = (pvc: KubeObject) => storageOf(objAt(pvc.status, 'allocatedResources'));
const resizeStatusOf = (pvc: KubeObject) => storageOf(objAt(pvc.status, 'allocatedResourceStatuses'));
const statusOf = (pvc: KubeObject): Obj => (isObj(pvc.status) ? pvc.status : {});

export const isBound = (pvc: KubeObject): boolean => statusOf(pvc).phase === 'Bound';

/** The claim wants more than it has: Bound, with a volume, request > status.capacity (pvcNeedResize). */
export function needsExpansion(pvc: KubeObject): boolean {
  const volumeName = isObj(pvc.spec) ? pvc.spec.volumeName : undefined;
  return isBound(pvc) && typeof volumeName === 'string' && volumeName !== '' && compareQuantities(requestOf(pvc) ?? '0', capacityOf(pvc) ?? '0') > 0;
}

/** The volume's claimRef names this claim (namespace and uid), as both components require. */
export function boundTo(pv: KubeObject, pvc: KubeObject): boolean {
  const ref = objAt(pv.spec, 'claimRef');
  return !!ref && ref.namespace === pvc.metadata.namespace && ref.uid === pvc.metadata.uid;
}

/** Volumes our resizer expands: CSI volumes of the driver, or volumes its provisioner made. */
export function handledBy(pv: KubeObject, driver: string): boolean {
  return objAt(pv.spec, 'csi')?.driver === driver || pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by'] === driver;
}

export type ExpandDecision = { event?: PlannedEvent; error?: string };

/**
 * The in-tree expand controller's sync of a claim. `error` means retry with back-off (upstream
 * returns an error to its rate-limited queue); `event` is recorded on the claim.
 */
export function planExternalExpanding(pvc: KubeObject, pv: KubeObject | undefined): ExpandDecision {
  const volumeName = isObj(pvc.spec) ? String(pvc.spec.volumeName ?? '') : '';
  if (!pv) return { error: `failed to get PV "${volumeName}": persistentvolumes "${volumeName}" not found` };
  if (!boundTo(pv, pvc)) return { error: `persistent Volume is not bound to PVC being updated : ${pvc.metadata.namespace}/${pvc.metadata.name}` };
  if (compareQuantities(requestOf(pvc) ?? '0', capacityOf(pvc) ?? '0') <= 0) return {};
  return { event: { type: 'Normal', reason: 'ExternalExpanding', message: EXTERNAL_EXPANDING_MESSAGE } };
}

/**
 * MergeResizeConditionsOfPVC: non-resize conditions stay; a resize condition stays only when the
 * new set has the same type, keeping its timestamps if the status did not change; new ones follow.
 */
export function mergeResizeConditions(old: readonly PvcCondition[], next: readonly PvcCondition[]): PvcCondition[] {
  const out: PvcCondition[] = [];
  const done = new Set<string>();
  for (const c of old) {
    if (!RESIZE_CONDITIONS.includes(c.type)) {
      out.push(c);
      continue;
    }
    const n = next.find((x) => x.type === c.type);
    if (!n) continue;
    out.push(n.status !== c.status ? n : c);
    done.add(n.type);
  }
  for (const n of next) if (!done.has(n.type)) out.push(n);
  return out;
}

function conditionsOf(pvc: KubeObject): PvcCondition[] {
  const c = statusOf(pvc).conditions;
  return Array.isArray(c) ? (c as PvcCondition[]) : [];
}

/** allocatedResourceStatuses without storage; undefined when nothing is left (upstream sets nil). */
function withoutStorageStatus(status: Obj): Obj | undefined {
  const rest = { ...(objAt(status, 'allocatedResourceStatuses') ?? {}) };
  delete rest.storage;
  return Object.keys(rest).length ? rest : undefined;
}

function setOrDelete(obj: Obj, key: string, v: unknown): void {
  if (v === undefined || (Array.isArray(v) && v.length === 0)) delete obj[key];
  else obj[key] = v;
}

export interface ResizeInput {
  pvc: KubeObject;
  pv: KubeObject;
  /** The resizer's driver name (`k8ts.io/local-path`). */
  driver: string;
  /** RFC 3339 time for condition timestamps. */
  now: string;
}

/**
 * The size to expand to (expandAndRecover): normally the request, but a resize the controller
 * already started (allocatedResources with ControllerResizeInProgress, or allocated without a
 * status) is finished at its allocated size first; a pending node expansion is left to the node.
 * undefined: nothing to do.
 */
export function targetSize(pvc: KubeObject, pv: KubeObject): string | undefined {
  const request = requestOf(pvc) ?? '0';
  const allocated = allocatedOf(pvc);
  const state = resizeStatusOf(pvc) ?? '';
  const volumeSmaller = compareQuantities(volumeSizeOf(pv) ?? '0', request) < 0;
  const nodePending = state === 'NodeResizePending' || state === 'NodeResizeInProgress';
  if (volumeSmaller) {
    if (nodePending || state === 'NodeResizeInfeasible' || state === 'ControllerResizeInProgress') {
      const size = allocated ?? request;
      if (nodePending && compareQuantities(volumeSizeOf(pv) ?? '0', size) >= 0) return undefined;
      return size;
    }
    return request;
  }
  // The volume already has the request: finish (or resume) recording it, at the allocated size
  // when one was recorded, unless the node still has work to do.
  if (nodePending) return undefined;
  return allocated ?? request;
}

/**
 * The resizer's sync of one claim: the ordered writes and events that take it from its observed
 * state to status.capacity == the target size. Empty when the volume is not ours, not bound back
 * to the claim, or the claim needs nothing.
 */
export function planResize({ pvc, pv, driver, now }: ResizeInput): ResizeStep[] {
  if (!handledBy(pv, driver) || !boundTo(pv, pvc) || !needsExpansion(pvc)) return [];
  const size = targetSize(pvc, pv);
  if (size === undefined) return [];
  const steps: ResizeStep[] = [];
  // markControllerResizeInProgress, skipped when this size was already recorded.
  const inProgress = clone(statusOf(pvc));
  if (allocatedOf(pvc) === undefined || compareQuantities(allocatedOf(pvc), size) !== 0) {
    const resizing: PvcCondition = { type: 'Resizing', status: 'True', lastProbeTime: null, lastTransitionTime: now };
    inProgress.conditions = mergeResizeConditions(conditionsOf(pvc), [resizing]);
    inProgress.allocatedResourceStatuses = { ...(objAt(inProgress, 'allocatedResourceStatuses') ?? {}), storage: 'ControllerResizeInProgress' };
    inProgress.allocatedResources = { ...(objAt(inProgress, 'allocatedResources') ?? {}), storage: size };
    steps.push({ kind: 'claimStatus', status: inProgress });
  }
  steps.push({ kind: 'event', event: { type: 'Normal', reason: 'Resizing', message: `External resizer is resizing volume ${pv.metadata.name}` } });
  // ControllerExpandVolume succeeds with node_expansion_required=false, answering the volume's
  // size: the requested one, or the current one when that is already larger (a directory never
  // shrinks); then updatePVCapacity.
  const current = volumeSizeOf(pv);
  const resulting = current !== undefined && compareQuantities(current, size) >= 0 ? current : size;
  if (current !== resulting) steps.push({ kind: 'volumeCapacity', storage: resulting });
  // markOverallExpansionAsFinished.
  const finished = clone(inProgress);
  finished.capacity = { ...(objAt(finished, 'capacity') ?? {}), storage: resulting };
  setOrDelete(finished, 'conditions', mergeResizeConditions(Array.isArray(finished.conditions) ? (finished.conditions as PvcCondition[]) : [], []));
  setOrDelete(finished, 'allocatedResourceStatuses', withoutStorageStatus(finished));
  steps.push({ kind: 'claimStatus', status: finished });
  steps.push({ kind: 'event', event: { type: 'Normal', reason: 'VolumeResizeSuccessful', message: 'Resize volume succeeded' } });
  return steps;
}
