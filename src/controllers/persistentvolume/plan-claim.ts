// What one sync of a claim does (pkg/controller/volume/persistentvolume/pv_controller.go
// syncClaim, syncUnboundClaim, syncBoundClaim, provisionClaim, emitEventForUnboundDelayBindingClaim).
// A pure function of the claim, the cached volumes, classes and pods; the controller carries the
// steps out in order and stops at the first failed write (the next sync finishes the job).
import type { KubeObject } from '../../api/meta/types.ts';
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  claimClass,
  claimHasClass,
  defaultClass,
  hasAnnotation,
  isPodTerminated,
  isVolumeBoundToClaim,
  podClaimNames,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type StorageClass,
} from '../../api/storage/volume.ts';
import { checkVolumeSatisfyClaim, findBestMatchForClaim } from './match.ts';

export interface PlannedEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export type ClaimStep =
  /** bind(volume, claim): volume claimRef, volume Bound, claim volumeName + annotations, claim Bound. */
  | { kind: 'bind'; volume: PersistentVolume }
  /** Write the claim's phase (clearing access modes and capacity); the event only if the phase changes. */
  | { kind: 'phase'; phase: 'Pending' | 'Lost'; eventIfChanged?: PlannedEvent }
  | { kind: 'event'; event: PlannedEvent }
  /** Retroactive default class for a claim created before any default existed. */
  | { kind: 'assignClass'; className: string }
  /** Both storage-provisioner annotations, so the external provisioner knows the claim is its. */
  | { kind: 'annotateProvisioner'; provisioner: string }
  /** Fail the sync (it is retried with back-off). */
  | { kind: 'error'; message: string };

export interface ClaimWorld {
  /** Every volume in the cache. */
  volumes: readonly PersistentVolume[];
  classes: ReadonlyMap<string, StorageClass>;
  /** Pods of the claim's namespace, or just those naming the claim (for the WaitForPodScheduled event). */
  pods: readonly KubeObject[];
  /** Provisioners k8ts runs in-tree (none today: every provisioner is external, as local-path is). */
  inTreeProvisioners?: ReadonlySet<string>;
}

const ev = (type: PlannedEvent['type'], reason: string, message: string): PlannedEvent => ({ type, reason, message });

/** The class waits for the first consumer (an unknown class or "" binds at once). */
export function isDelayBinding(pvc: PersistentVolumeClaim, classes: ReadonlyMap<string, StorageClass>): boolean {
  const name = claimClass(pvc);
  return !!name && classes.get(name)?.volumeBindingMode === 'WaitForFirstConsumer';
}

export function planClaim(pvc: PersistentVolumeClaim, w: ClaimWorld): ClaimStep[] {
  return hasAnnotation(pvc, ANN_BIND_COMPLETED) ? planBoundClaim(pvc, w) : planUnboundClaim(pvc, w);
}

function planUnboundClaim(pvc: PersistentVolumeClaim, w: ClaimWorld): ClaimStep[] {
  const volumeName = pvc.spec?.volumeName;
  if (!volumeName) {
    const delay = isDelayBinding(pvc, w.classes);
    const pv = findBestMatchForClaim(pvc, w.volumes, delay);
    if (pv) return [{ kind: 'bind', volume: pv }];
    if (!claimHasClass(pvc)) {
      const def = defaultClass([...w.classes.values()]);
      if (def) return [{ kind: 'assignClass', className: def.metadata.name! }];
    }
    const steps: ClaimStep[] = [];
    if (delay && !hasAnnotation(pvc, ANN_SELECTED_NODE)) steps.push({ kind: 'event', event: waitingEvent(pvc, w.pods) });
    else if (claimClass(pvc)) return provisionSteps(pvc, w);
    else steps.push({ kind: 'event', event: ev('Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set') });
    steps.push({ kind: 'phase', phase: 'Pending' });
    return steps;
  }
  // The user asked for a specific volume.
  const pv = w.volumes.find((v) => v.metadata.name === volumeName);
  if (!pv) return [{ kind: 'phase', phase: 'Pending' }];
  if (!pv.spec?.claimRef) {
    const why = checkVolumeSatisfyClaim(pv, pvc);
    if (why) return [{ kind: 'event', event: ev('Warning', 'VolumeMismatch', `Cannot bind to requested volume "${volumeName}": ${why}`) }, { kind: 'phase', phase: 'Pending' }];
    return [{ kind: 'bind', volume: pv }];
  }
  if (isVolumeBoundToClaim(pv, pvc)) return [{ kind: 'bind', volume: pv }];
  const taken = ev('Warning', 'FailedBinding', `volume "${volumeName}" already bound to a different claim.`);
  if (!hasAnnotation(pvc, ANN_BOUND_BY_CONTROLLER)) return [{ kind: 'event', event: taken }, { kind: 'phase', phase: 'Pending' }];
  const ref = pv.spec.claimRef;
  return [{ kind: 'event', event: taken }, { kind: 'error', message: `invalid binding of claim "${pvc.metadata.namespace}/${pvc.metadata.name}" to volume "${volumeName}": volume already claimed by "${ref.namespace}/${ref.name}"` }];
}

function planBoundClaim(pvc: PersistentVolumeClaim, w: ClaimWorld): ClaimStep[] {
  const volumeName = pvc.spec?.volumeName;
  if (!volumeName) return [{ kind: 'phase', phase: 'Lost', eventIfChanged: ev('Warning', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!') }];
  const pv = w.volumes.find((v) => v.metadata.name === volumeName);
  if (!pv) return [{ kind: 'phase', phase: 'Lost', eventIfChanged: ev('Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!') }];
  const ref = pv.spec?.claimRef;
  // Unbound volume (or a cache that has not seen the binding yet), or all is well: (re)bind.
  if (!ref || ref.uid === pvc.metadata.uid) return [{ kind: 'bind', volume: pv }];
  return [{ kind: 'phase', phase: 'Lost', eventIfChanged: ev('Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly') }];
}

/** WaitForFirstConsumer, or WaitForPodScheduled naming the unscheduled pods that use the claim. */
function waitingEvent(pvc: PersistentVolumeClaim, pods: readonly KubeObject[]): PlannedEvent {
  const names = pods
    .filter((p) => p.metadata.namespace === pvc.metadata.namespace && !isPodTerminated(p) && !(p.spec as { nodeName?: string } | undefined)?.nodeName)
    .filter((p) => podClaimNames(p).includes(pvc.metadata.name!))
    .map((p) => p.metadata.name!);
  if (!names.length) return ev('Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
  return ev('Normal', 'WaitForPodScheduled', names.length > 1 ? `waiting for pods ${names.join(',')} to be scheduled` : `waiting for pod ${names[0]} to be scheduled`);
}

/**
 * provisionClaim: an in-tree plugin would create the volume here; k8ts has none, so a
 * `kubernetes.io/` provisioner (no-provisioner included) fails as upstream's plugin lookup does,
 * and anything else is external: annotate the claim and wait for the provisioner.
 */
function provisionSteps(pvc: PersistentVolumeClaim, w: ClaimWorld): ClaimStep[] {
  const name = claimClass(pvc);
  const sc = w.classes.get(name);
  if (!sc) return [{ kind: 'event', event: ev('Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${name}" not found`) }];
  const provisioner = sc.provisioner ?? '';
  if (provisioner.startsWith('kubernetes.io/') && !w.inTreeProvisioners?.has(provisioner)) {
    return [{ kind: 'event', event: ev('Warning', 'ProvisioningFailed', `no volume plugin matched name: ${provisioner}`) }];
  }
  const steps: ClaimStep[] = [];
  const a = pvc.metadata.annotations ?? {};
  if (a[ANN_STORAGE_PROVISIONER] !== provisioner || a[ANN_BETA_STORAGE_PROVISIONER] !== provisioner) steps.push({ kind: 'annotateProvisioner', provisioner });
  steps.push({
    kind: 'event',
    event: ev(
      'Normal',
      'ExternalProvisioning',
      `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    ),
  });
  return steps;
}
