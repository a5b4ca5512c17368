// The scheduler's volume decisions (pkg/scheduler/framework/plugins/volumebinding/binder.go
// GetPodVolumeClaims, FindPodVolumes, checkBoundClaims, findMatchingVolumes,
// checkVolumeProvisions; volume_binding.go PreFilter, podHasPVCs). Pure functions over a view of
// claims, volumes and classes (the informer caches plus this scheduler's own assumptions).
import type { KubeObject } from '../../api/meta/types.ts';
import {
  ANN_BIND_COMPLETED,
  ANN_SELECTED_NODE,
  NOT_SUPPORTED_PROVISIONER,
  claimClass,
  classAllowsNode,
  hasAnnotation,
  requestedBytes,
  volumeNodeAffinityMatches,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type StorageClass,
} from '../../api/storage/volume.ts';
import { findMatchingVolume } from '../../controllers/persistentvolume/match.ts';

export const ERR_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
export const ERR_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';

export interface VolumeView {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volume(name: string): PersistentVolume | undefined;
  /**
   * Volumes of the claim's class ("" for classless ones) that no claim holds or whose claimRef
   * names this claim: the only ones findMatchingVolume can pick (it skips those held by others).
   */
  candidateVolumes(pvc: PersistentVolumeClaim): readonly PersistentVolume[];
  storageClass(name: string): StorageClass | undefined;
}

export interface PodVolumeClaims {
  /** Claims the PV controller finished binding. */
  bound: PersistentVolumeClaim[];
  /** Unbound claims of Immediate classes, or pre-bound ones not finished yet: the PV controller's job. */
  unboundImmediate: PersistentVolumeClaim[];
  /** Unbound claims of WaitForFirstConsumer classes: the scheduler picks volumes for them. */
  delayBinding: PersistentVolumeClaim[];
}

/** volumeName set and bind-completed: the PV controller is done with the claim. */
export const isClaimFullyBound = (pvc: PersistentVolumeClaim) => !!pvc.spec?.volumeName && hasAnnotation(pvc, ANN_BIND_COMPLETED);

type PodVolume = { name: string; persistentVolumeClaim?: { claimName: string }; ephemeral?: unknown };

/**
 * PreFilter: the pod's claims sorted by what they need, or why no node can take the pod (a claim
 * missing, lost or being deleted; an Immediate claim still unbound).
 */
export function podVolumeClaims(pod: KubeObject, view: VolumeView): PodVolumeClaims | { error: string } {
  const out: PodVolumeClaims = { bound: [], unboundImmediate: [], delayBinding: [] };
  const ns = pod.metadata.namespace ?? 'default';
  for (const v of ((pod.spec as { volumes?: PodVolume[] } | undefined)?.volumes ?? [])) {
    let name: string;
    if (v.persistentVolumeClaim) name = v.persistentVolumeClaim.claimName;
    else if (v.ephemeral) name = `${pod.metadata.name}-${v.name}`;
    else continue;
    const pvc = view.claim(ns, name);
    if (!pvc) return { error: v.ephemeral ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${name}"` : `persistentvolumeclaim "${name}" not found` };
    if (pvc.status?.phase === 'Lost') return { error: `persistentvolumeclaim "${name}" bound to non-existent persistentvolume "${pvc.spec?.volumeName ?? ''}"` };
    if (pvc.metadata.deletionTimestamp) return { error: `persistentvolumeclaim "${name}" is being deleted` };
    if (v.ephemeral && !(pvc.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === pod.metadata.uid)) {
      return { error: `PVC ${ns}/${name} was not created for pod ${ns}/${pod.metadata.name} (pod is not owner)` };
    }
    if (isClaimFullyBound(pvc)) out.bound.push(pvc);
    else if (!pvc.spec?.volumeName && view.storageClass(claimClass(pvc))?.volumeBindingMode === 'WaitForFirstConsumer') out.delayBinding.push(pvc);
    else out.unboundImmediate.push(pvc);
  }
  return out;
}

/** The PreFilter verdict: undefined lets the pod through to Filter. */
export function preFilterMessage(c: PodVolumeClaims | { error: string }): string | undefined {
  if ('error' in c) return c.error;
  return c.unboundImmediate.length ? ERR_UNBOUND_IMMEDIATE : undefined;
}

export interface StaticBinding {
  pvc: PersistentVolumeClaim;
  pv: PersistentVolume;
}

export interface NodeVolumes {
  /** Empty when the node fits; otherwise upstream's Filter reasons. */
  reasons: string[];
  /** WaitForFirstConsumer claims matched to existing volumes on this node. */
  staticBindings: StaticBinding[];
  /** WaitForFirstConsumer claims to be provisioned on this node. */
  provisions: PersistentVolumeClaim[];
  /** A failure that is not about the node (a class vanished). */
  error?: string;
}

type NodeLite = { metadata: { name?: string; labels?: Record<string, string> } };

/**
 * Filter (FindPodVolumes): bound claims' volumes must admit the node; each delay-binding claim
 * gets the smallest matching volume on the node (smallest claims first, no volume twice) or must
 * be provisionable there.
 */
export function findPodVolumes(c: PodVolumeClaims, node: NodeLite, view: VolumeView): NodeVolumes {
  const res: NodeVolumes = { reasons: [], staticBindings: [], provisions: [] };
  let boundOk = true;
  let pvsFound = true;
  for (const pvc of c.bound) {
    const pv = view.volume(pvc.spec!.volumeName!);
    if (!pv) {
      pvsFound = false;
      break;
    }
    if (!volumeNodeAffinityMatches(pv, node)) {
      boundOk = false;
      break;
    }
  }
  let unboundOk = true;
  if (c.delayBinding.length) {
    const toMatch: PersistentVolumeClaim[] = [];
    const toProvision: PersistentVolumeClaim[] = [];
    for (const pvc of c.delayBinding) {
      const selected = pvc.metadata.annotations?.[ANN_SELECTED_NODE];
      if (selected === undefined) toMatch.push(pvc);
      else if (selected !== node.metadata.name) unboundOk = false;
      else toProvision.push(pvc);
    }
    if (unboundOk) {
      const chosen = new Set<string>();
      for (const pvc of [...toMatch].sort((a, b) => requestedBytes(a) - requestedBytes(b))) {
        const pv = findMatchingVolume(pvc, view.candidateVolumes(pvc), { node, excluded: chosen, delayBinding: true });
        if (!pv) toProvision.push(pvc);
        else {
          chosen.add(pv.metadata.name!);
          res.staticBindings.push({ pvc, pv });
        }
      }
      for (const pvc of toProvision) {
        const name = claimClass(pvc);
        const sc = view.storageClass(name);
        if (!name) return { ...res, error: `no class for claim "${pvc.metadata.name}"` };
        if (!sc) return { ...res, error: `failed to find storage class "${name}"` };
        if (!sc.provisioner || sc.provisioner === NOT_SUPPORTED_PROVISIONER || !classAllowsNode(sc, node)) {
          unboundOk = false;
          break;
        }
        res.provisions.push(pvc);
      }
    }
  }
  if (!boundOk) res.reasons.push(ERR_NODE_CONFLICT);
  if (!unboundOk) res.reasons.push(ERR_BIND_CONFLICT);
  if (!pvsFound) res.reasons.push(ERR_PV_NOT_EXIST);
  if (res.reasons.length) {
    res.staticBindings = [];
    res.provisions = [];
  }
  return res;
}
