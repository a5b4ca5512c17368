// The PodDisruptionBudget check of the pods/eviction subresource
// (pkg/registry/core/pod/storage/eviction.go: canIgnorePDB, getPodDisruptionBudgets,
// checkAndDecrement). A budget that allows a disruption is decremented in its status, with the pod
// recorded in disruptedPods, before the pod is deleted, so two evictions in a row cannot both
// spend the same allowance; the disruption controller later recounts from the pods.
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { Client } from '../../client/client.ts';
import { rfc3339, systemClock, type Clock } from '../../util/clock.ts';
import { isPodReady, selectsPod, specOf, statusOf, withDisruptionAllowedCondition, type PdbStatus } from './plan.ts';

/** Evictions approved but not yet seen by the controller, past which a budget refuses more. */
export const MAX_DISRUPTED_POD_SIZE = 2000;
const MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget.";
const CONFLICT_RETRIES = 20;

export function tooManyRequests(cause: string, retryAfterSeconds = 0): ApiError {
  return new ApiError('TooManyRequests', 429, MESSAGE, {
    ...(retryAfterSeconds > 0 ? { retryAfterSeconds } : {}),
    causes: [{ reason: 'DisruptionBudget', message: cause }],
  });
}

function forbidden(pdb: string, why: string): ApiError {
  return new ApiError('Forbidden', 403, `poddisruptionbudgets.policy "${pdb}" is forbidden: ${why}`, { name: pdb, group: 'policy', kind: 'poddisruptionbudgets' });
}

/** Pods whose eviction needs no budget: terminal, still Pending, or already terminating. */
export function canIgnorePdb(pod: KubeObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata.deletionTimestamp;
}

/**
 * checkAndDecrement as a function: the PDB status after approving one eviction of podName, or
 * the error that refuses it.
 */
export function decrementBudget(pdb: KubeObject, podName: string, now: string): PdbStatus {
  const name = pdb.metadata.name!;
  const s = statusOf(pdb);
  if ((s.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) throw tooManyRequests(`The disruption budget ${name} is still being processed by the server.`, 10);
  const allowed = s.disruptionsAllowed ?? 0;
  if (allowed < 0) throw forbidden(name, 'pdb disruptions allowed is negative');
  if (Object.keys(s.disruptedPods ?? {}).length > MAX_DISRUPTED_POD_SIZE) throw forbidden(name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  if (allowed === 0) throw tooManyRequests(`The disruption budget ${name} needs ${s.desiredHealthy ?? 0} healthy pods and has ${s.currentHealthy ?? 0} currently`);
  const next: PdbStatus = {
    currentHealthy: s.currentHealthy ?? 0,
    desiredHealthy: s.desiredHealthy ?? 0,
    expectedPods: s.expectedPods ?? 0,
    ...s,
    disruptionsAllowed: allowed - 1,
    disruptedPods: { ...(s.disruptedPods ?? {}), [podName]: now },
  };
  if (next.disruptionsAllowed === 0) next.conditions = withDisruptionAllowedCondition(next, now);
  return next;
}

/**
 * The ApiServerContext.admitEviction hook: resolves when the pod may be evicted (the caller then
 * deletes it), throws 429 TooManyRequests when its budget allows no disruption, 500 when more than
 * one budget covers it. A missing pod resolves, so the delete answers the 404.
 */
export function admitEviction(client: Client, opts: { clock?: Clock } = {}): (namespace: string, name: string) => Promise<void> {
  const clock = opts.clock ?? systemClock;
  const podsApi = client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true });
  const pdbsApi = client.resource({ apiVersion: 'policy/v1', resource: 'poddisruptionbudgets', namespaced: true });
  return async (namespace, name) => {
    const pod = await podsApi.find(namespace, name);
    if (!pod || canIgnorePdb(pod)) return;
    const matching = async () => (await pdbsApi.list(namespace)).items.filter((pdb) => hasSelector(pdb) && selectsPod(pdb, pod));
    let pdbs = await matching();
    if (pdbs.length > 1) throw new ApiError('InternalError', 500, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    if (pdbs.length === 0) return;
    let pdb = pdbs[0]!;
    if (!isPodReady(pod)) {
      // An unready pod does not count as healthy: evicting it spends nothing when the policy says
      // so or when the budget is met without it.
      if (specOf(pdb).unhealthyPodEvictionPolicy === 'AlwaysAllow') return;
      const s = statusOf(pdb);
      if ((s.currentHealthy ?? 0) >= (s.desiredHealthy ?? 0) && (s.desiredHealthy ?? 0) > 0) return;
    }
    for (let attempt = 0; ; attempt++) {
      const status = decrementBudget(pdb, name, rfc3339(clock.now()));
      try {
        await pdbsApi.updateStatus(namespace, { ...pdb, status });
        return;
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 409)) throw e;
        if (attempt >= CONFLICT_RETRIES) throw tooManyRequests(`The disruption budget ${pdb.metadata.name} is still being processed by the server.`, 10);
        pdbs = await matching();
        if (pdbs.length > 1) throw new ApiError('InternalError', 500, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
        if (pdbs.length === 0) return;
        pdb = pdbs[0]!;
      }
    }
  };
}

/** A PDB with no selector, or an empty one, guards nothing here (upstream's eviction lister rule). */
function hasSelector(pdb: KubeObject): boolean {
  const sel = specOf(pdb).selector;
  return !!sel && (Object.keys(sel.matchLabels ?? {}).length > 0 || (sel.matchExpressions ?? []).length > 0);
}
