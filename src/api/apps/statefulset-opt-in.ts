// StatefulSet behaviour beyond upstream, each switched on by one annotation on the set with the
// value "true"; without it every rule stays upstream's. Validation reads expand-claims (which
// volumeClaimTemplates changes an update may make); the controller reads both.
//
// - expand-claims: raising a claim template's storage request is accepted, and the controller
//   raises the existing claims' requests to match (kubernetes#68737, KEP-4650's InPlace update).
// - recover-stuck-rollout: a pod of an outdated revision that is not Running and Ready no longer
//   blocks a rolling update; it is deleted and recreated at the update revision
//   (kubernetes#67250, upstream's documented "forced rollback" done by the controller).
import type { KubeObject } from '../meta/types.ts';
import { clone, isObj, objAt, semanticEqual, type Obj } from '../validation/json.ts';
import { compareQuantities, isValidQuantity } from '../validation/quantity.ts';

export const EXPAND_CLAIMS_ANNOTATION = 'statefulset.k8ts.io/expand-claims';
export const RECOVER_STUCK_ROLLOUT_ANNOTATION = 'statefulset.k8ts.io/recover-stuck-rollout';

/** The set carries `annotation: "true"` (any other value, or none, keeps upstream's behaviour). */
export const optedIn = (set: KubeObject, annotation: string): boolean => set.metadata.annotations?.[annotation] === 'true';

/** spec.resources.requests.storage of a claim or claim template, if set. */
export const storageRequestOf = (claim: unknown): unknown => objAt(objAt(objAt(claim, 'spec'), 'resources'), 'requests')?.storage;

/**
 * The claim templates differ at most in storage requests, and each of those grew: both lists
 * present, same templates in the same order, every other field equal, each new request a valid
 * quantity not below the old one. A decrease, a removed request or any other change answers false.
 */
export function claimTemplatesOnlyGrew(next: unknown, prev: unknown): boolean {
  if (!Array.isArray(next) || !Array.isArray(prev) || next.length !== prev.length) return false;
  return next.every((t: unknown, i) => {
    const old: unknown = prev[i];
    const grown = storageRequestOf(t);
    const was = storageRequestOf(old);
    if (grown === was) return semanticEqual(t, old);
    if (was === undefined || !isValidQuantity(grown) || compareQuantities(grown, was) < 0) return false;
    // Everything but the request must be unchanged.
    const same: Obj = clone(isObj(t) ? t : {});
    const requests = objAt(objAt(objAt(same, 'spec'), 'resources'), 'requests');
    if (!requests) return false;
    requests.storage = was;
    return semanticEqual(same, old);
  });
}

