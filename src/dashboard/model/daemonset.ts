// The DaemonSet view: a grid of nodes, each with its daemon pod or the reason it has none (the
// template names another node, the node selector or affinity rules it out, a taint the pod does
// not tolerate), and the rollout budget. Placement is the controller's own decision function, so
// the grid shows exactly what the controller does.
import type { KubeObject } from '../../api/meta/types.ts';
import { matchesRequiredNodeAffinity, nodeShouldRunDaemonPod, targetNodeOf, untoleratedTaint, withDaemonTolerations } from '../../controllers/daemonset/placement.ts';
import { updateBudget } from '../../controllers/daemonset/rolling-update.ts';
import { dsSpec, dsStatus, HASH_LABEL, taintsOf } from '../../controllers/daemonset/types.ts';
import { conditionOf, controllerOf, podGlance, type Objects, type PodGlance } from './objects.ts';

export interface NodeCell {
  node: string;
  nodeReady: boolean;
  cordoned: boolean;
  /** The daemon pod on the node (the newest when an update surges a second one). */
  pod?: PodGlance;
  /** The pod runs the DaemonSet's newest template. */
  updated: boolean;
  /** Why the node has no daemon pod, or why its pod cannot be ready. */
  reason?: string;
  /** The controller wants a pod here. */
  wanted: boolean;
}

export interface DaemonSetView {
  namespace: string;
  name: string;
  desired: number;
  ready: number;
  updated: number;
  available: number;
  /** Nodes the set wants whose pod is missing or not ready. */
  unavailable: number;
  strategy: 'RollingUpdate' | 'OnDelete';
  /** The rolling update's maxUnavailable, resolved against the desired count. */
  maxUnavailable: number;
  maxSurge: number;
  /** The newest ControllerRevision's hash, which updated pods carry ('' before the first). */
  hash: string;
  cells: NodeCell[];
  summary: string;
}

/** Why `node` runs no pod of `ds`, in a sentence; undefined when it should run one. */
export function exclusionReason(node: KubeObject, ds: KubeObject): string | undefined {
  const spec = dsSpec(ds).template?.spec ?? {};
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return `the template names node ${spec.nodeName}`;
  if (!matchesRequiredNodeAffinity(spec, node)) {
    // Name the selector only when it is what fails: a matching selector leaves the affinity terms.
    const selector = Object.entries(spec.nodeSelector ?? {});
    const labels = node.metadata.labels ?? {};
    return selector.some(([k, v]) => labels[k] !== v) ? `node selector ${selector.map(([k, v]) => `${k}=${v}`).join(',')} does not match` : 'node affinity does not match';
  }
  const taint = untoleratedTaint(taintsOf(node), withDaemonTolerations(spec), ['NoSchedule', 'NoExecute']);
  if (taint) return `taint ${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect} not tolerated`;
  return undefined;
}

/** The hash the newest of the DaemonSet's ControllerRevisions carries. */
function newestHash(ds: KubeObject, revisions: readonly KubeObject[]): string {
  let best: KubeObject | undefined;
  for (const r of revisions) {
    if (controllerOf(r)?.uid !== ds.metadata.uid) continue;
    if (!best || ((r as { revision?: number }).revision ?? 0) > ((best as { revision?: number }).revision ?? 0)) best = r;
  }
  return best?.metadata.labels?.[HASH_LABEL] ?? '';
}

const createdAt = (o: KubeObject) => Date.parse(o.metadata.creationTimestamp ?? '') || 0;

export function daemonSetView(ds: KubeObject, objects: Pick<Objects, 'pods' | 'nodes' | 'controllerrevisions'>): DaemonSetView {
  const ns = ds.metadata.namespace ?? 'default';
  const hash = newestHash(ds, objects.controllerrevisions);
  const byNode = new Map<string, KubeObject>();
  for (const pod of objects.pods) {
    if (pod.metadata.namespace !== ns || controllerOf(pod)?.uid !== ds.metadata.uid) continue;
    const node = targetNodeOf(pod);
    if (!node) continue;
    const prev = byNode.get(node);
    if (!prev || createdAt(pod) >= createdAt(prev)) byNode.set(node, pod);
  }
  const cells = [...objects.nodes]
    .sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!))
    .map((node): NodeCell => {
      const name = node.metadata.name!;
      const placement = nodeShouldRunDaemonPod(node, ds);
      const pod = byNode.get(name);
      const nodeReady = conditionOf(node, 'Ready')?.status === 'True';
      const glance = pod ? podGlance(pod) : undefined;
      let reason = placement.shouldRun ? undefined : exclusionReason(node, ds);
      if (!reason && glance && !glance.ready && !nodeReady) reason = 'node not ready';
      return {
        node: name,
        nodeReady,
        cordoned: !!(node.spec as { unschedulable?: boolean } | undefined)?.unschedulable,
        ...(glance ? { pod: glance } : {}),
        updated: !!pod && hash !== '' && pod.metadata.labels?.[HASH_LABEL] === hash,
        ...(reason ? { reason } : {}),
        wanted: placement.shouldRun || (!!pod && placement.shouldContinueRunning),
      };
    });
  const status = dsStatus(ds);
  const desired = status.desiredNumberScheduled ?? cells.filter((c) => c.wanted).length;
  const strategy = dsSpec(ds).updateStrategy?.type ?? 'RollingUpdate';
  const budget = strategy === 'RollingUpdate' ? updateBudget(ds, desired) : { maxSurge: 0, maxUnavailable: 0 };
  const unavailable = cells.filter((c) => c.wanted && !c.pod?.ready).length;
  const ready = status.numberReady ?? 0;
  const updated = status.updatedNumberScheduled ?? 0;
  const parts = [`${ready}/${desired} ready`];
  if (updated < desired) parts.push(`${updated} of ${desired} updated`);
  if (strategy === 'RollingUpdate' && updated < desired) parts.push(`${unavailable} unavailable (max ${budget.maxUnavailable})`);
  return {
    namespace: ns,
    name: ds.metadata.name!,
    desired,
    ready,
    updated,
    available: status.numberAvailable ?? 0,
    unavailable,
    strategy,
    maxUnavailable: budget.maxUnavailable,
    maxSurge: budget.maxSurge,
    hash,
    cells,
    summary: parts.join(' · '),
  };
}
