// The RollingUpdate strategy of a DaemonSet (pkg/controller/daemon/update.go rollingUpdate,
// findUpdatedPodsOnNode and updatedDesiredNodeCounts; daemon/util/daemonset_util.go SurgeCount,
// UnavailableCount and AllowsSurge). Pure: from pods by node to the pods to delete and the nodes
// to create a new pod on. Upstream walks a Go map, so the node order is unspecified; here it is
// the order of the map given.
//
// Without surge, old pods are deleted while no more than maxUnavailable nodes are unavailable,
// and the manage pass recreates them; an old pod that is unavailable anyway is deleted at once,
// outside the budget (kubernetes#123232). With surge, a new pod is created beside an available
// old one while no more than maxSurge new pods are waiting to become available, and the old pod
// goes once the new one is available.
import type { KubeObject } from '../../api/meta/types.ts';
import { scaledValue } from '../disruption/plan.ts';
import { isAvailable } from '../statefulset/identity.ts';
import { isPodUpdated, isTerminating } from './pods.ts';
import { dsSpec, type IntOrString } from './types.ts';

/** A scaled int-or-percent, rounded up; an unparsable value counts as 0. */
function scaled(v: IntOrString | undefined, total: number): number {
  if (v === undefined || v === null) return 0;
  try {
    return scaledValue(v, total);
  } catch {
    return 0;
  }
}

/** SurgeCount: maxSurge scaled against `total` (0 unless RollingUpdate sets it). */
export function surgeCount(ds: KubeObject, total: number): number {
  const s = dsSpec(ds).updateStrategy;
  if (s?.type !== 'RollingUpdate' || !s.rollingUpdate) return 0;
  return scaled(s.rollingUpdate.maxSurge, total);
}

/** UnavailableCount: maxUnavailable scaled against `total` (0 unless RollingUpdate). */
export function unavailableCount(ds: KubeObject, total: number): number {
  const s = dsSpec(ds).updateStrategy;
  if (s?.type !== 'RollingUpdate' || !s.rollingUpdate) return 0;
  return scaled(s.rollingUpdate.maxUnavailable, total);
}

/** AllowsSurge: the DaemonSet may run two pods on a node during an update. */
export const allowsSurge = (ds: KubeObject): boolean => surgeCount(ds, 1) > 0;

/**
 * The budget for `desired` nodes: both values rounded up; when neither allows anything (an
 * impossible configuration) one unavailable node is allowed.
 */
export function updateBudget(ds: KubeObject, desired: number): { maxSurge: number; maxUnavailable: number } {
  const maxSurge = surgeCount(ds, desired);
  let maxUnavailable = unavailableCount(ds, desired);
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

/**
 * The one new and one old pod among a node's pods not being deleted (findUpdatedPodsOnNode);
 * undefined when there is more than one of either (the manage pass prunes those first).
 */
export function updatedPodsOnNode(pods: readonly KubeObject[], hash: string, generation: number | undefined): { newPod?: KubeObject; oldPod?: KubeObject } | undefined {
  let newPod: KubeObject | undefined;
  let oldPod: KubeObject | undefined;
  for (const pod of pods) {
    if (isTerminating(pod)) continue;
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return undefined;
      newPod = pod;
    } else {
      if (oldPod) return undefined;
      oldPod = pod;
    }
  }
  return { newPod, oldPod };
}

export interface RollingUpdateInput {
  ds: KubeObject;
  /** Pods by target node; every node that should run a pod is present, podless ones with []. */
  byNode: ReadonlyMap<string, readonly KubeObject[]>;
  /** Whether the node should run a daemon pod (false for a node that no longer exists). */
  shouldRun: (node: string) => boolean;
  desired: number;
  hash: string;
  generation: number | undefined;
  now: number;
}

export interface RollingUpdateSteps {
  /** Old pods to delete. */
  deletes: KubeObject[];
  /** Nodes to create a new pod on (surge only). */
  creates: string[];
}

export function planRollingUpdate(input: RollingUpdateInput): RollingUpdateSteps {
  const { ds, byNode, hash, generation, now } = input;
  const minReady = dsSpec(ds).minReadySeconds ?? 0;
  const available = (p: KubeObject) => isAvailable(p, minReady, now);
  const { maxSurge, maxUnavailable } = updateBudget(ds, input.desired);

  if (maxSurge === 0) {
    let numUnavailable = 0;
    const allowed: KubeObject[] = [];
    const candidates: KubeObject[] = [];
    for (const pods of byNode.values()) {
      const found = updatedPodsOnNode(pods, hash, generation);
      if (!found) {
        numUnavailable++;
        continue;
      }
      const { newPod, oldPod } = found;
      if (!newPod === !oldPod) numUnavailable++;
      else if (newPod) {
        if (!available(newPod)) numUnavailable++;
      } else if (!available(oldPod!)) {
        allowed.push(oldPod!);
        numUnavailable++;
      } else if (numUnavailable < maxUnavailable) candidates.push(oldPod!);
    }
    const remaining = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidates.length);
    return { deletes: [...allowed, ...candidates.slice(0, remaining)], creates: [] };
  }

  const deletes: KubeObject[] = [];
  const sunset: KubeObject[] = [];
  const candidates: string[] = [];
  const allowed: string[] = [];
  let numSurge = 0;
  let numAvailable = 0;
  for (const [node, pods] of byNode) {
    const found = updatedPodsOnNode(pods, hash, generation);
    if (!found) {
      numSurge++;
      continue;
    }
    const { newPod, oldPod } = found;
    // Availability counts every node, also those placement moves away from.
    if (oldPod ? available(oldPod) : newPod && available(newPod)) numAvailable++;
    if (!oldPod) continue;
    if (!newPod) {
      if (!available(oldPod)) {
        if (!input.shouldRun(node)) deletes.push(oldPod);
        else allowed.push(node);
      } else if (!input.shouldRun(node)) sunset.push(oldPod);
      else if (numSurge < maxSurge) candidates.push(node);
      continue;
    }
    if (!available(newPod)) numSurge++;
    else deletes.push(oldPod);
  }
  // Old pods on nodes the DaemonSet is leaving go only while more pods are available than wanted.
  const deletable = Math.min(numAvailable - input.desired, sunset.length);
  if (deletable > 0) deletes.push(...sunset.slice(0, deletable));
  const remaining = Math.min(Math.max(0, maxSurge - numSurge), candidates.length);
  return { deletes, creates: [...allowed, ...candidates.slice(0, remaining)] };
}
