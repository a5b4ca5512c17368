// The PersistentVolumeClaim retention policy, expressed as owner references on the claims so the
// garbage collector does the deleting (pkg/controller/statefulset/stateful_set_utils.go
// isClaimOwnerUpToDate, updateClaimOwnerRefForSetAndPod, hasUnexpectedController, hasStaleOwnerRef;
// stateful_pod_control.go PodClaimIsStale):
//
//   whenScaled / whenDeleted   claim of an in-range pod   claim of a condemned pod
//   Retain / Retain            no refs                    no refs
//   Retain / Delete            ref to the set             ref to the set
//   Delete / Retain            no refs                    ref to the pod
//   Delete / Delete            ref to the set             ref to the pod (set ref removed)
//
// A claim whose refs to our set or pod carry another uid (stale), or that another object
// controls, is left alone; a pod deleted for any reason but scale-down keeps its claim.
import type { KubeObject, OwnerReference } from '../../api/meta/types.ts';
import { inOrdinalRange } from './identity.ts';
import { podControllerRef, setControllerRef, setSpec, type RetentionPolicyType } from './types.ts';

export interface RetentionPolicy {
  whenDeleted: RetentionPolicyType;
  whenScaled: RetentionPolicyType;
}

export function retentionPolicy(set: KubeObject): RetentionPolicy {
  const p = setSpec(set).persistentVolumeClaimRetentionPolicy;
  return { whenDeleted: p?.whenDeleted === 'Delete' ? 'Delete' : 'Retain', whenScaled: p?.whenScaled === 'Delete' ? 'Delete' : 'Retain' };
}

type Owner = { kind: 'StatefulSet' | 'Pod'; apiVersion: string; obj: KubeObject };
const setOwner = (set: KubeObject): Owner => ({ kind: 'StatefulSet', apiVersion: 'apps/v1', obj: set });
const podOwner = (pod: KubeObject): Owner => ({ kind: 'Pod', apiVersion: 'v1', obj: pod });

/** Same apiVersion, kind and name (matchesRef); the uid is not compared. */
const matchesRef = (ref: OwnerReference, o: Owner) => ref.apiVersion === o.apiVersion && ref.kind === o.kind && ref.name === o.obj.metadata.name;
const refs = (claim: KubeObject) => claim.metadata.ownerReferences ?? [];
const uidOf = (o: KubeObject) => o.metadata.uid ?? '';

/** A ref names this owner but with another uid: left by an earlier object of the same name. */
export function hasStaleOwnerRef(claim: KubeObject, owner: Owner): boolean {
  const ref = refs(claim).find((r) => matchesRef(r, owner));
  return ref !== undefined && ref.uid !== uidOf(owner.obj);
}

/** Any ref with this owner's uid, controller or not (hasOwnerRef). */
const hasOwnerRef = (claim: KubeObject, owner: KubeObject) => refs(claim).some((r) => r.uid === uidOf(owner));

/**
 * Another object controls the claim, or a ref to our set or pod is stale (hasUnexpectedController).
 * Under Retain/Retain nothing is unexpected: the policy asks for no refs of ours.
 */
export function hasUnexpectedController(claim: KubeObject, set: KubeObject, pod: KubeObject): boolean {
  const policy = retentionPolicy(set);
  if (policy.whenScaled === 'Retain' && policy.whenDeleted === 'Retain') return false;
  for (const r of refs(claim)) {
    if (matchesRef(r, setOwner(set))) {
      if (r.uid !== uidOf(set)) return true;
      continue;
    }
    if (matchesRef(r, podOwner(pod))) {
      if (r.uid !== uidOf(pod)) return true;
      continue;
    }
    if (r.controller) return true;
  }
  return false;
}

const hasNonControllerOwner = (claim: KubeObject, set: KubeObject, pod: KubeObject) =>
  refs(claim).some((r) => (r.uid === uidOf(set) || r.uid === uidOf(pod)) && !r.controller);

/** The claim's refs already say what the policy asks for this pod (isClaimOwnerUpToDate). */
export function isClaimOwnerUpToDate(claim: KubeObject, set: KubeObject, pod: KubeObject): boolean {
  if (hasStaleOwnerRef(claim, setOwner(set)) || hasStaleOwnerRef(claim, podOwner(pod))) return true;
  if (hasUnexpectedController(claim, set, pod)) return !(hasOwnerRef(claim, set) || hasOwnerRef(claim, pod));
  if (hasNonControllerOwner(claim, set, pod)) return false;
  const policy = retentionPolicy(set);
  const toSet = hasOwnerRef(claim, set);
  const toPod = hasOwnerRef(claim, pod);
  const scaledDown = !inOrdinalRange(pod, set);
  if (policy.whenScaled === 'Retain') return policy.whenDeleted === 'Retain' ? !toSet && !toPod : toSet && !toPod;
  if (policy.whenDeleted === 'Retain') return !toSet && scaledDown === toPod;
  return scaledDown !== toSet && scaledDown === toPod;
}

/** The claim's ownerReferences made to match the policy (updateClaimOwnerRefForSetAndPod). */
export function claimOwnerRefsFor(claim: KubeObject, set: KubeObject, pod: KubeObject): OwnerReference[] {
  const unexpected = hasUnexpectedController(claim, set, pod);
  // Scrub every ref to our set and pod, then add what the policy asks for.
  const out = refs(claim).filter((r) => !matchesRef(r, setOwner(set)) && !matchesRef(r, podOwner(pod)));
  if (unexpected) return out;
  const add = (ref: OwnerReference) => {
    if (!out.some((r) => r.uid === ref.uid)) out.push(ref);
  };
  const policy = retentionPolicy(set);
  const scaledDown = !inOrdinalRange(pod, set);
  if (policy.whenDeleted === 'Delete' && (policy.whenScaled === 'Retain' || !scaledDown)) add(setControllerRef(set));
  if (policy.whenScaled === 'Delete' && scaledDown) add(podControllerRef(pod));
  return out;
}

/**
 * Before creating a pod under whenScaled=Delete: one of its claims still has a ref to an earlier
 * pod of the same name, which the garbage collector may be about to delete (PodClaimIsStale).
 */
export function claimIsStale(set: KubeObject, pod: KubeObject, claims: Iterable<KubeObject | undefined>): boolean {
  if (retentionPolicy(set).whenScaled === 'Retain') return false;
  for (const c of claims) if (c && hasStaleOwnerRef(c, podOwner(pod))) return true;
  return false;
}
