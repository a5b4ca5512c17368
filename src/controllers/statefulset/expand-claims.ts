// Beyond upstream, opt-in with statefulset.k8ts.io/expand-claims: "true" on the set. Validation
// lets such a set raise its claim templates' storage requests (src/api/apps/statefulset-opt-in.ts);
// this decides which existing claims follow. Upstream never touches an existing claim's spec
// (kubernetes#68737); KEP-4650's InPlace strategy patches the request to the template's, never
// lowering it, and so do we, for storage only. The claim's own admission decides the rest: a class
// without allowVolumeExpansion refuses, and the reconciler reports that as a Warning event.
import type { KubeObject } from '../../api/meta/types.ts';
import { EXPAND_CLAIMS_ANNOTATION, optedIn, storageRequestOf } from '../../api/apps/statefulset-opt-in.ts';
import { compareQuantities, isValidQuantity } from '../../api/validation/quantity.ts';
import { claimName, endOrdinal, startOrdinal } from './identity.ts';
import { setSpec } from './types.ts';

/** One claim to raise: the cached claim with its storage request set to the template's. */
export interface ClaimExpansion {
  claim: KubeObject;
  from: string;
  to: string;
}

const isBound = (c: KubeObject) => (c.status as { phase?: string } | undefined)?.phase === 'Bound';

/**
 * Claims of in-range ordinals, highest ordinal first (the order a rolling update goes), whose
 * storage request is below their template's. Claims not yet Bound are left for later (a request
 * change of an unbound claim is refused; the claim's update event brings the set back once it
 * binds), and so are claims being deleted. Empty unless the set opted in.
 */
export function planClaimExpansions(set: KubeObject, claims: ReadonlyMap<string, KubeObject>): ClaimExpansion[] {
  if (!optedIn(set, EXPAND_CLAIMS_ANNOTATION) || set.metadata.deletionTimestamp) return [];
  const out: ClaimExpansion[] = [];
  for (let ordinal = endOrdinal(set); ordinal >= startOrdinal(set); ordinal--) {
    for (const template of setSpec(set).volumeClaimTemplates ?? []) {
      const want = storageRequestOf(template);
      if (!isValidQuantity(want)) continue;
      const live = claims.get(claimName(set, template, ordinal));
      if (!live || live.metadata.deletionTimestamp || !isBound(live)) continue;
      const have = storageRequestOf(live);
      if (have === undefined || compareQuantities(have, want) >= 0) continue;
      const claim = structuredClone(live) as KubeObject & { spec: { resources: { requests: Record<string, unknown> } } };
      claim.spec.resources.requests.storage = want;
      out.push({ claim, from: String(have), to: String(want) });
    }
  }
  return out;
}
