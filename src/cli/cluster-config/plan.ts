// What `k8ts config apply` does to the nodes, decided from the file and the Nodes the API has:
// simulated nodes the file lacks go, nodes it adds come, and for the others the labels, taints
// and capacity the file sets are put in place. The labels and taints a file set are remembered on
// the Node, so removing one from the file removes it from the node while the kubelet's labels and
// the taints controllers add (unreachable, not-ready, unschedulable) are left alone. Pure.
import type { KubeObject } from '../../api/meta/types.ts';
import { createNodeObject } from '../../node/node-object.ts';
import { CONTROL_PLANE_TAINT, CPU_ANNOTATION, EPHEMERAL_STORAGE_ANNOTATION, MEMORY_ANNOTATION, PODS_ANNOTATION, SIMULATED_ANNOTATION } from '../../node/contract.ts';
import type { NodeConfig, NodeTaint } from './parse.ts';

/** The label keys and taints (key:effect) a config file set on a node. */
export const CONFIG_LABELS_ANNOTATION = 'config.k8ts.io/labels';
export const CONFIG_TAINTS_ANNOTATION = 'config.k8ts.io/taints';

const CAPACITY_ANNOTATIONS = { cpu: CPU_ANNOTATION, memory: MEMORY_ANNOTATION, pods: PODS_ANNOTATION, 'ephemeral-storage': EPHEMERAL_STORAGE_ANNOTATION } as const;

export interface NodeChange {
  name: string;
  /** A merge patch for the Node. */
  patch: { metadata: { labels?: Record<string, string | null>; annotations: Record<string, string | null> }; spec?: { taints: NodeTaint[] | null } };
  /** What changes, as kubectl-like words: labeled, tainted, untainted, capacity. */
  what: string[];
}

export interface NodePlan {
  create: NodeConfig[];
  remove: string[];
  change: NodeChange[];
  unchanged: string[];
}

const taintId = (t: { key: string; effect: string }) => `${t.key}:${t.effect}`;
const list = (v: string | undefined) => (v ? v.split(',').filter(Boolean) : []);

/** The taints the file wants on a node: its own, and the control plane's unless pods may run there. */
export function wantedTaints(n: NodeConfig, scheduleOnControlPlane: boolean): NodeTaint[] {
  return n.role === 'control-plane' && !scheduleOnControlPlane && !n.taints.some((t) => taintId(t) === taintId(CONTROL_PLANE_TAINT)) ? [{ ...CONTROL_PLANE_TAINT }, ...n.taints] : n.taints;
}

/** The Node object for a node the file adds (`index`: its pod CIDR slot). */
export function nodeObjectFor(n: NodeConfig, index: number, scheduleOnControlPlane: boolean): KubeObject {
  const taints = wantedTaints(n, scheduleOnControlPlane);
  const obj = createNodeObject(n.name, { index, controlPlane: n.role === 'control-plane', labels: n.labels, taints, cpu: n.capacity.cpu, memory: n.capacity.memory, pods: n.capacity.pods });
  const annotations = obj.metadata.annotations!;
  if (n.capacity['ephemeral-storage']) annotations[EPHEMERAL_STORAGE_ANNOTATION] = n.capacity['ephemeral-storage'];
  annotations[CONFIG_LABELS_ANNOTATION] = Object.keys(n.labels).sort().join(',');
  annotations[CONFIG_TAINTS_ANNOTATION] = taints.map(taintId).join(',');
  return obj;
}

export function planNodes(wanted: readonly NodeConfig[], current: readonly KubeObject[], scheduleOnControlPlane = false): NodePlan {
  const plan: NodePlan = { create: [], remove: [], change: [], unchanged: [] };
  const byName = new Map(current.map((n) => [n.metadata.name!, n]));
  const names = new Set(wanted.map((n) => n.name));
  for (const n of current) {
    // Nodes of remote agents are theirs to come and go; only simulated ones follow the file.
    if (!names.has(n.metadata.name!) && n.metadata.annotations?.[SIMULATED_ANNOTATION] === 'true') plan.remove.push(n.metadata.name!);
  }
  for (const w of wanted) {
    const node = byName.get(w.name);
    if (!node) {
      plan.create.push(w);
      continue;
    }
    const annotations = node.metadata.annotations ?? {};
    const labels = node.metadata.labels ?? {};
    const patch: NodeChange['patch'] = { metadata: { annotations: {} } };
    const what: string[] = [];

    const labelPatch: Record<string, string | null> = {};
    for (const k of list(annotations[CONFIG_LABELS_ANNOTATION])) if (!(k in w.labels) && k in labels) labelPatch[k] = null;
    for (const [k, v] of Object.entries(w.labels)) if (labels[k] !== v) labelPatch[k] = v;
    const managedLabels = Object.keys(w.labels).sort().join(',');
    if (Object.keys(labelPatch).length) {
      patch.metadata.labels = labelPatch;
      what.push('labeled');
    }
    if ((annotations[CONFIG_LABELS_ANNOTATION] ?? '') !== managedLabels) patch.metadata.annotations[CONFIG_LABELS_ANNOTATION] = managedLabels;

    const want = wantedTaints(w, scheduleOnControlPlane);
    const wantIds = new Set(want.map(taintId));
    const managedBefore = new Set(list(annotations[CONFIG_TAINTS_ANNOTATION]));
    const have = ((node.spec as { taints?: NodeTaint[] } | undefined)?.taints ?? []).map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect, ...('timeAdded' in t ? { timeAdded: (t as { timeAdded?: string }).timeAdded } : {}) }));
    // Taints the file set before and no longer wants go; others (controllers') stay.
    const kept = have.filter((t) => !(managedBefore.has(taintId(t)) && !wantIds.has(taintId(t))) && !wantIds.has(taintId(t)));
    const next = [...kept, ...want];
    const same = (a: NodeTaint[], b: NodeTaint[]) => JSON.stringify([...a].map((t) => [taintId(t), t.value ?? '']).sort()) === JSON.stringify([...b].map((t) => [taintId(t), t.value ?? '']).sort());
    if (!same(have, next)) {
      // No taints left: the field goes, as the API's omitempty leaves it.
      patch.spec = { taints: next.length ? next : null };
      const removed = have.some((t) => !next.some((x) => taintId(x) === taintId(t)));
      const added = next.some((t) => !have.some((x) => taintId(x) === taintId(t) && (x.value ?? '') === (t.value ?? '')));
      if (added) what.push('tainted');
      if (removed) what.push('untainted');
    }
    const managedTaints = want.map(taintId).join(',');
    if ((annotations[CONFIG_TAINTS_ANNOTATION] ?? '') !== managedTaints) patch.metadata.annotations[CONFIG_TAINTS_ANNOTATION] = managedTaints;

    let capacity = false;
    for (const [k, ann] of Object.entries(CAPACITY_ANNOTATIONS)) {
      const v = w.capacity[k as keyof NodeConfig['capacity']];
      if (v !== undefined && annotations[ann] !== v) {
        patch.metadata.annotations[ann] = v;
        capacity = true;
      }
    }
    if (capacity) what.push('capacity changed');
    if (what.length || Object.keys(patch.metadata.annotations).length) plan.change.push({ name: w.name, patch, what: what.length ? what : ['annotated'] });
    else plan.unchanged.push(w.name);
  }
  return plan;
}
