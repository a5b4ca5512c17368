// Which taints the node lifecycle controller keeps on a node (pkg/controller/nodelifecycle
// node_lifecycle_controller.go: doNoScheduleTaintingPass, processTaintBaseEviction,
// markNodeAsReachable, handleDisruption/ComputeZoneState; pkg/controller/util/node
// SwapNodeControllerTaint, which stamps timeAdded on every taint it adds).
import type { KubeObject } from '../../api/meta/types.ts';
import { NOT_READY_TAINT_KEY, UNREACHABLE_TAINT_KEY, UNSCHEDULABLE_TAINT_KEY } from '../../node/contract.ts';
import { conditionOf, conditionsOf, sameTaint, taintsOf, type Taint } from './tolerations.ts';

/** Condition type → status → taint key given to the node (NoSchedule). */
const CONDITION_TAINTS: Record<string, Record<string, string>> = {
  Ready: { False: NOT_READY_TAINT_KEY, Unknown: UNREACHABLE_TAINT_KEY },
  MemoryPressure: { True: 'node.kubernetes.io/memory-pressure' },
  DiskPressure: { True: 'node.kubernetes.io/disk-pressure' },
  NetworkUnavailable: { True: 'node.kubernetes.io/network-unavailable' },
  PIDPressure: { True: 'node.kubernetes.io/pid-pressure' },
};
const CONDITION_TAINT_KEYS = new Set(Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)));

export const OUT_OF_SERVICE_TAINT_KEY = 'node.kubernetes.io/out-of-service';
export const EXCLUDE_DISRUPTION_LABEL = 'node.kubernetes.io/exclude-disruption';

/**
 * What may happen to NoExecute taints in this node's zone now:
 * `add` a missing one (a rate-limit token was granted), `hold` (only swap not-ready ↔ unreachable
 * and remove on recovery), `clear` (every zone is fully disrupted: remove them all).
 */
export type NoExecuteMode = 'add' | 'hold' | 'clear';

export interface TaintPlan {
  /** The node's full taint list after the change. */
  taints: Taint[];
  added: Taint[];
  removed: Taint[];
}

function noScheduleWanted(node: KubeObject): Taint[] {
  const want: Taint[] = [];
  for (const c of conditionsOf(node)) {
    const key = CONDITION_TAINTS[c.type]?.[c.status];
    if (key) want.push({ key, effect: 'NoSchedule' });
  }
  if ((node.spec as { unschedulable?: boolean } | undefined)?.unschedulable) want.push({ key: UNSCHEDULABLE_TAINT_KEY, effect: 'NoSchedule' });
  return want;
}

/** The NoExecute taint a node's Ready status calls for, and the opposite one it replaces. */
export function noExecuteTarget(node: KubeObject): { want?: Taint; opposite: Taint[] } {
  const ready = conditionOf(node, 'Ready')?.status;
  const notReady = { key: NOT_READY_TAINT_KEY, effect: 'NoExecute' };
  const unreachable = { key: UNREACHABLE_TAINT_KEY, effect: 'NoExecute' };
  if (ready === 'False') return { want: notReady, opposite: [unreachable] };
  if (ready === 'Unknown') return { want: unreachable, opposite: [notReady] };
  if (ready === 'True') return { opposite: [notReady, unreachable] };
  return { opposite: [] }; // no Ready condition yet: the health check sets Unknown after the startup grace
}

/** True when the node lacks the NoExecute taint its Ready status calls for (adding one takes a token). */
export function needsNoExecuteTaint(node: KubeObject): boolean {
  const { want, opposite } = noExecuteTarget(node);
  const have = taintsOf(node);
  // A swap of the opposite taint is immediate, as upstream; only a fresh taint is rate limited.
  return !!want && !have.some((t) => sameTaint(t, want)) && !have.some((t) => opposite.some((o) => sameTaint(t, o)));
}

/**
 * The node's taints converged: NoSchedule taints mirror its conditions and spec.unschedulable;
 * the NoExecute not-ready/unreachable taint follows Ready (subject to mode). Taints this controller
 * does not own are kept as they are. Returns undefined when nothing changes.
 */
export function planNodeTaints(node: KubeObject, opts: { mode: NoExecuteMode; now: string }): TaintPlan | undefined {
  const have = taintsOf(node);
  const added: Taint[] = [];
  const removed: Taint[] = [];
  // NoSchedule: condition and unschedulable taints.
  const want = noScheduleWanted(node);
  for (const t of have) {
    const owned = t.effect === 'NoSchedule' && (t.key === UNSCHEDULABLE_TAINT_KEY || CONDITION_TAINT_KEYS.has(t.key));
    if (owned && !want.some((w) => sameTaint(w, t))) removed.push(t);
  }
  for (const w of want) if (!have.some((t) => sameTaint(t, w))) added.push({ ...w, timeAdded: opts.now });
  // NoExecute: not-ready / unreachable.
  const { want: target, opposite } = noExecuteTarget(node);
  const ne = [{ key: NOT_READY_TAINT_KEY, effect: 'NoExecute' }, { key: UNREACHABLE_TAINT_KEY, effect: 'NoExecute' }];
  if (opts.mode === 'clear') {
    for (const t of have) if (ne.some((n) => sameTaint(n, t))) removed.push(t);
  } else {
    const stale = have.filter((t) => opposite.some((o) => sameTaint(o, t)));
    removed.push(...stale);
    const present = target && have.some((t) => sameTaint(t, target));
    if (target && !present && (stale.length > 0 || opts.mode === 'add')) added.push({ ...target, timeAdded: opts.now });
  }
  if (!added.length && !removed.length) return undefined;
  const taints = [...have.filter((t) => !removed.includes(t)), ...added];
  return { taints, added, removed };
}

export type ZoneState = 'Normal' | 'PartialDisruption' | 'FullDisruption';

/** Zone of a node: region and zone labels, as utilnode.GetZoneKey ('' when unlabelled). */
export function zoneOf(node: KubeObject): string {
  const l = node.metadata.labels ?? {};
  const region = l['topology.kubernetes.io/region'] ?? l['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone = l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? '';
  return region || zone ? `${region}:\u0000:${zone}` : '';
}

/** ComputeZoneState: no ready node → full; more than 2 not ready and ≥ threshold of them → partial. */
export function zoneState(readyStatuses: readonly (string | undefined)[], unhealthyThreshold = 0.55): ZoneState {
  const ready = readyStatuses.filter((s) => s === 'True').length;
  const notReady = readyStatuses.length - ready;
  if (ready === 0 && notReady > 0) return 'FullDisruption';
  if (notReady > 2 && notReady / readyStatuses.length >= unhealthyThreshold) return 'PartialDisruption';
  return 'Normal';
}

export interface DisruptionOptions {
  /** NoExecute taints per second per zone when healthy (upstream --node-eviction-rate 0.1). */
  evictionQps: number;
  /** …in a partially disrupted large zone (--secondary-node-eviction-rate 0.01). */
  secondaryEvictionQps: number;
  /** Zones up to this size stop tainting when partially disrupted (--large-cluster-size-threshold 50). */
  largeClusterThreshold: number;
  unhealthyZoneThreshold: number;
}

export interface ZonePolicy {
  state: ZoneState;
  /** 0: no new NoExecute taints in this zone. */
  qps: number;
  /** Every zone is fully disrupted: NoExecute taints come off everywhere. */
  clearAll: boolean;
}

/**
 * handleDisruption as a function: per zone, its state and the rate at which nodes may get a new
 * NoExecute taint. Nodes labelled node.kubernetes.io/exclude-disruption do not count.
 */
export function zonePolicies(nodes: readonly KubeObject[], opts: DisruptionOptions): Map<string, ZonePolicy> {
  const byZone = new Map<string, (string | undefined)[]>();
  for (const n of nodes) {
    const zone = zoneOf(n);
    if (!byZone.has(zone)) byZone.set(zone, []);
    if (n.metadata.labels?.[EXCLUDE_DISRUPTION_LABEL] !== undefined) continue;
    byZone.get(zone)!.push(conditionOf(n, 'Ready')?.status);
  }
  const states = new Map([...byZone].map(([z, s]) => [z, zoneState(s, opts.unhealthyZoneThreshold)] as const));
  const clearAll = states.size > 0 && [...states.values()].every((s) => s === 'FullDisruption');
  const out = new Map<string, ZonePolicy>();
  for (const [zone, state] of states) {
    const size = byZone.get(zone)!.length;
    let qps = opts.evictionQps;
    if (clearAll) qps = 0;
    else if (state === 'PartialDisruption') qps = size > opts.largeClusterThreshold ? opts.secondaryEvictionQps : 0;
    out.set(zone, { state, qps, clearAll });
  }
  return out;
}
