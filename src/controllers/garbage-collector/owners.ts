// Pure decisions of the garbage collector (pkg/controller/garbagecollector/garbagecollector.go
// attemptToDeleteItem / processDeletingDependentsItem / orphanDependents), given what is known
// about a dependent's owners.
import type { KubeObject, OwnerReference } from '../../api/meta/types.ts';

export type OwnerState = 'present' | 'absent' | 'deletingForeground';

export type DependentAction =
  | { type: 'none' }
  /** Every owner is gone: delete the dependent (foreground when an owner waits in foreground). */
  | { type: 'delete'; propagation: 'Background' | 'Foreground' }
  /** Some owners are gone: drop just those references. */
  | { type: 'removeRefs'; uids: string[] };

/**
 * Decides what happens to a dependent. Owners in foreground deletion count as "waiting for
 * us": a dependent whose remaining owners are all absent or deleting in foreground is deleted,
 * in foreground if any owner is, so deletion cascades down the tree before the owners go.
 */
export function planDependent(dep: KubeObject, ownerStates: Map<string, OwnerState>): DependentAction {
  const refs = dep.metadata.ownerReferences ?? [];
  if (refs.length === 0 || dep.metadata.deletionTimestamp) return { type: 'none' };
  const absent = refs.filter((r) => ownerStates.get(r.uid) === 'absent');
  const foreground = refs.filter((r) => ownerStates.get(r.uid) === 'deletingForeground');
  const present = refs.filter((r) => ownerStates.get(r.uid) === 'present');
  if (present.length > 0) {
    return absent.length > 0 ? { type: 'removeRefs', uids: absent.map((r) => r.uid) } : { type: 'none' };
  }
  if (foreground.length > 0) return { type: 'delete', propagation: 'Foreground' };
  if (absent.length > 0) return { type: 'delete', propagation: 'Background' };
  return { type: 'none' };
}

/** A foreground-deleting owner may go once no dependent with blockOwnerDeletion remains. */
export function ownerMayFinish(dependents: KubeObject[], ownerUid: string): boolean {
  return !dependents.some((d) => (d.metadata.ownerReferences ?? []).some((r: OwnerReference) => r.uid === ownerUid && r.blockOwnerDeletion));
}

export function withoutRefs(dep: KubeObject, uids: string[]): OwnerReference[] {
  return (dep.metadata.ownerReferences ?? []).filter((r) => !uids.includes(r.uid));
}
