// Which volume fits a claim (pkg/controller/volume/persistentvolume/index.go findByClaim and
// util/util.go FindMatchingVolume, pv_controller.go checkVolumeSatisfyClaim). Shared by the PV
// controller (node undefined) and the scheduler's volume binding (node set). Pure.
import { fromLabelSelector, matches } from '../../api/meta/labels.ts';
import {
  capacityBytes,
  checkAccessModes,
  claimClass,
  isVolumeBoundToClaim,
  requestedBytes,
  volumeClass,
  volumeModeMismatch,
  volumeNodeAffinityMatches,
  type PersistentVolume,
  type PersistentVolumeClaim,
} from '../../api/storage/volume.ts';

export interface MatchOptions {
  /** Scheduler path: the volume's node affinity must admit this node, access modes are checked here. */
  node?: { metadata: { name?: string; labels?: Record<string, string> } };
  /** Volumes already chosen for other claims of the same pod. */
  excluded?: ReadonlySet<string>;
  /**
   * The claim's class waits for the first consumer. On the controller path (no node) only
   * volumes pre-bound to the claim are returned; the scheduler chooses the rest.
   */
  delayBinding?: boolean;
}

/**
 * The best volume among `volumes` for the claim: one pre-bound to it (claimRef names the claim)
 * wins at once; otherwise the smallest Available volume of the claim's class, label selector,
 * volume mode and size, not being deleted. Ties keep the first found.
 */
export function findMatchingVolume(pvc: PersistentVolumeClaim, volumes: readonly PersistentVolume[], o: MatchOptions = {}): PersistentVolume | undefined {
  const requested = requestedBytes(pvc);
  const cls = claimClass(pvc);
  const selector = pvc.spec?.selector ? fromLabelSelector(pvc.spec.selector) : undefined;
  let best: PersistentVolume | undefined;
  let bestSize = Infinity;
  for (const pv of volumes) {
    if (o.excluded?.has(pv.metadata.name!)) continue;
    if (pv.spec?.claimRef && !isVolumeBoundToClaim(pv, pvc)) continue;
    const size = capacityBytes(pv);
    if (size < requested) continue;
    if (volumeModeMismatch(pvc, pv)) continue;
    if (pv.metadata.deletionTimestamp) continue;
    const affinityOk = !o.node || volumeNodeAffinityMatches(pv, o.node);
    if (isVolumeBoundToClaim(pv, pvc)) return affinityOk ? pv : undefined;
    if (!o.node && o.delayBinding) continue;
    if (pv.status?.phase !== 'Available') continue;
    if (selector && !matches(selector, pv.metadata.labels)) continue;
    if (volumeClass(pv) !== cls) continue;
    if (!affinityOk) continue;
    if (o.node && !checkAccessModes(pvc, pv)) continue;
    if (size < bestSize) {
      best = pv;
      bestSize = size;
    }
  }
  return best;
}

const modesKey = (modes: readonly string[]) => [...new Set(modes)].sort().join(',');

/**
 * The controller's search: volumes are grouped by their exact set of access modes; the groups
 * offering every mode the claim asks for are tried fewest modes first, and the first group with
 * a match wins (so a ReadWriteOnce claim prefers a ReadWriteOnce-only volume to a bigger-scoped one).
 */
export function findBestMatchForClaim(pvc: PersistentVolumeClaim, volumes: readonly PersistentVolume[], delayBinding: boolean): PersistentVolume | undefined {
  const groups = new Map<string, { modes: string[]; volumes: PersistentVolume[] }>();
  for (const pv of volumes) {
    const modes = pv.spec?.accessModes ?? [];
    const key = modesKey(modes);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { modes: [...new Set(modes)], volumes: [] }));
    g.volumes.push(pv);
  }
  const wanted = pvc.spec?.accessModes ?? [];
  const candidates = [...groups.values()].filter((g) => wanted.every((m) => g.modes.includes(m))).sort((a, b) => a.modes.length - b.modes.length);
  for (const g of candidates) {
    const pv = findMatchingVolume(pvc, g.volumes, { delayBinding });
    if (pv) return pv;
  }
  return undefined;
}

/**
 * Why a volume the claim names in spec.volumeName cannot be bound to it (undefined: it can).
 * Selector and node affinity are deliberately not checked: the user chose this volume.
 */
export function checkVolumeSatisfyClaim(pv: PersistentVolume, pvc: PersistentVolumeClaim): string | undefined {
  if (pv.metadata.deletionTimestamp) return `the volume is marked for deletion "${pv.metadata.name}"`;
  if (capacityBytes(pv) < requestedBytes(pvc)) return 'requested PV is too small';
  if (volumeClass(pv) !== claimClass(pvc)) return 'storageClassName does not match';
  if (volumeModeMismatch(pvc, pv)) return 'incompatible volumeMode';
  if (!checkAccessModes(pvc, pv)) return 'incompatible accessMode';
  return undefined;
}
