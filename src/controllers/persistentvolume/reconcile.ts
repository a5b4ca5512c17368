// Carries out the PV controller's plans (pv_controller.go bind, updateClaimStatus,
// updateVolumePhase, unbindVolume, deleteVolumeOperation) against the API. Every write is a
// full-object update guarded by the resourceVersion read, so two writers racing for one volume
// cannot both win; the loser's sync fails, is retried and re-plans from fresh state.
import type { CandidateIndex } from './candidate-index.ts';
import type { PodsByClaim } from './pods-by-claim.ts';
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_STORAGE_PROVISIONER,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type StorageClass,
} from '../../api/storage/volume.ts';
import type { ResourceClient } from '../../client/client.ts';
import type { Informer } from '../../client/informer.ts';
import type { EventType } from '../runtime/event-recorder.ts';
import { bindClaimToVolume, bindVolumeToClaim, claimStatusFor, unbindVolume } from './binding.ts';
import type { LatestCache } from './latest-cache.ts';
import { planClaim, type PlannedEvent } from './plan-claim.ts';
import { deleterFor, failedDelete, isVolumeReleased, planReclaim, planVolume, type ReclaimStep, type VolumePhase } from './plan-volume.ts';

export interface ReconcileDeps {
  volumesApi: ResourceClient;
  claimsApi: ResourceClient;
  volumes: LatestCache<PersistentVolume>;
  claims: LatestCache<PersistentVolumeClaim>;
  classes: Informer;
  /** The pods using each claim. */
  pods: PodsByClaim;
  /** The volumes worth matching a claim against (see CandidateIndex). */
  candidates: CandidateIndex;
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
  enqueue(key: string): void;
}

const notFound = (e: unknown) => e instanceof ApiError && e.code === 404;

export class Reconciler {
  constructor(private readonly d: ReconcileDeps) {}

  private classMap(): Map<string, StorageClass> {
    return new Map(this.d.classes.list().map((c) => [c.metadata.name!, c as StorageClass]));
  }

  /** Converges one claim: bound to the best volume, waiting, provisioning or Lost. */
  async syncClaim(namespace: string, name: string): Promise<void> {
    const pvc = this.d.claims.get(namespace, name);
    if (!pvc) return;
    const d = this.d;
    // The volume the claim names is looked at whoever holds it.
    const named = (pvc.spec as { volumeName?: string } | undefined)?.volumeName;
    const volumes = [...new Set([...d.candidates.candidates(namespace, name), ...(named ? [named] : [])])]
      .map((n) => d.volumes.get('', n))
      .filter((v): v is PersistentVolume => v !== undefined);
    const steps = planClaim(pvc, {
      volumes,
      classes: this.classMap(),
      // Only a claim waiting for its first consumer reads the pods: those naming it suffice.
      get pods() {
        return d.pods.of(namespace, name);
      },
    });
    let claim = pvc;
    for (const step of steps) {
      switch (step.kind) {
        case 'bind':
          await this.bind(step.volume, claim);
          break;
        case 'phase':
          claim = await this.claimPhase(claim, step.phase, undefined, step.eventIfChanged);
          break;
        case 'event':
          this.emit(claim, step.event);
          break;
        case 'assignClass': {
          const next = structuredClone(claim) as PersistentVolumeClaim;
          next.spec = { ...next.spec, storageClassName: step.className };
          this.d.claims.store((claim = (await this.d.claimsApi.update(namespace, next)) as PersistentVolumeClaim));
          break;
        }
        case 'annotateProvisioner': {
          const next = structuredClone(claim) as PersistentVolumeClaim;
          next.metadata.annotations = { ...next.metadata.annotations, [ANN_STORAGE_PROVISIONER]: step.provisioner, [ANN_BETA_STORAGE_PROVISIONER]: step.provisioner };
          this.d.claims.store((claim = (await this.d.claimsApi.update(namespace, next)) as PersistentVolumeClaim));
          break;
        }
        case 'error':
          throw new Error(step.message);
      }
    }
  }

  /** Converges one volume: Available, Bound, or Released and reclaimed. */
  async syncVolume(name: string): Promise<void> {
    const pv = this.d.volumes.get('', name);
    if (!pv) return;
    const claim = await this.claimOf(pv);
    let volume = pv;
    for (const step of planVolume(pv, claim)) {
      switch (step.kind) {
        case 'phase':
          volume = await this.volumePhase(volume, step.phase, step.message, step.eventIfChanged);
          break;
        case 'reclaim':
          await this.reclaim(volume);
          break;
        case 'enqueueClaim':
          this.d.enqueue(`claim/${step.key}`);
          break;
        case 'event':
          this.emit(step.on === 'volume' ? volume : claim!, step.event);
          break;
        case 'unbind': {
          const written = (await this.d.volumesApi.update('', unbindVolume(volume))) as PersistentVolume;
          this.d.volumes.store(written);
          volume = await this.volumePhase(written, 'Available');
          break;
        }
      }
    }
  }

  /**
   * The claim the volume's claimRef names, or undefined when it is gone or is another claim of
   * the same name. A miss in the cache is confirmed with a live read before a volume that is not
   * yet Released is treated as released.
   */
  private async claimOf(pv: PersistentVolume): Promise<PersistentVolumeClaim | undefined> {
    const ref = pv.spec?.claimRef;
    if (!ref?.uid || !ref.name) return undefined;
    let claim = this.d.claims.get(ref.namespace ?? '', ref.name);
    const phase = pv.status?.phase;
    if ((!claim && phase !== 'Released' && phase !== 'Failed') || (claim && claim.metadata.uid !== ref.uid)) {
      claim = (await this.d.claimsApi.find(ref.namespace ?? '', ref.name)) as PersistentVolumeClaim | undefined;
    }
    return claim && claim.metadata.uid === ref.uid ? claim : undefined;
  }

  /** bind(): volume first (claimRef, then phase), then the claim (volumeName, then status). */
  private async bind(pv: PersistentVolume, pvc: PersistentVolumeClaim): Promise<void> {
    let volume = pv;
    const bound = bindVolumeToClaim(volume, pvc);
    if (bound) this.d.volumes.store((volume = (await this.d.volumesApi.update('', bound)) as PersistentVolume));
    volume = await this.volumePhase(volume, 'Bound');
    let claim = pvc;
    const linked = bindClaimToVolume(claim, volume);
    if (linked) this.d.claims.store((claim = (await this.d.claimsApi.update(claim.metadata.namespace!, linked)) as PersistentVolumeClaim));
    await this.claimPhase(claim, 'Bound', volume);
  }

  private async claimPhase(pvc: PersistentVolumeClaim, phase: string, pv?: PersistentVolume, eventIfChanged?: PlannedEvent): Promise<PersistentVolumeClaim> {
    if (eventIfChanged && pvc.status?.phase === phase) return pvc;
    const status = claimStatusFor(pvc, phase, pv);
    if (!status) return pvc;
    const written = (await this.d.claimsApi.updateStatus(pvc.metadata.namespace!, { ...pvc, status })) as PersistentVolumeClaim;
    this.d.claims.store(written);
    if (eventIfChanged) this.emit(written, eventIfChanged);
    return written;
  }

  private async volumePhase(pv: PersistentVolume, phase: VolumePhase, message?: string, eventIfChanged?: PlannedEvent): Promise<PersistentVolume> {
    if (pv.status?.phase === phase) return pv;
    const status: NonNullable<PersistentVolume['status']> = { ...pv.status, phase };
    if (message) status.message = message;
    else delete status.message;
    const written = (await this.d.volumesApi.updateStatus('', { ...pv, status })) as PersistentVolume;
    this.d.volumes.store(written);
    if (eventIfChanged) this.emit(written, eventIfChanged);
    return written;
  }

  private async reclaim(pv: PersistentVolume): Promise<void> {
    for (const step of planReclaim(pv)) await this.reclaimStep(pv, step);
  }

  private async reclaimStep(pv: PersistentVolume, step: ReclaimStep): Promise<void> {
    if (step.kind === 'phase') {
      await this.volumePhase(pv, step.phase, step.message, step.eventIfChanged);
      return;
    }
    // deleteVolumeOperation: act on the newest copy, and only if it is still released.
    let fresh: PersistentVolume;
    try {
      fresh = (await this.d.volumesApi.get('', pv.metadata.name!)) as PersistentVolume;
    } catch (e) {
      if (notFound(e)) return;
      throw e;
    }
    if (!isVolumeReleased(fresh, await this.claimOf(fresh))) return;
    const deleter = deleterFor(fresh);
    if (deleter === 'external') return;
    await this.reclaimStep(fresh, failedDelete(deleter.error));
    throw new Error(deleter.error);
  }

  private emit(obj: KubeObject, e: PlannedEvent): void {
    this.d.event(obj, e.type, e.reason, e.message);
  }
}
