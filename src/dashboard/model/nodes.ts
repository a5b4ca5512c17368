// The nodes view: each node's roles, condition, taints, capacity and the pods on it, and whether a
// simulated kubelet or a remote agent serves it.
import type { KubeObject } from '../../api/meta/types.ts';
import { AGENT_ANNOTATION, SIMULATED_ANNOTATION } from '../../node/contract.ts';
import { podRequests } from '../../scheduler/resources.ts';
import type { Pod } from '../../scheduler/types.ts';
import { conditionOf, type Objects } from './objects.ts';

export interface NodeRow {
  name: string;
  roles: string[];
  /** Ready, NotReady or Unknown (a silent kubelet). */
  status: 'Ready' | 'NotReady' | 'Unknown';
  cordoned: boolean;
  taints: string[];
  /** Allocatable (else capacity) cpu, memory and pods, as written. */
  cpu: string;
  memory: string;
  maxPods: string;
  capacity: Resources;
  allocatable: Resources;
  /** Pods bound to the node and not finished. */
  pods: number;
  /** Those pods' requests summed as the scheduler counts them (`kubectl describe node`'s Allocated resources). */
  requests: { milliCpu: number; memory: number };
  /** simulated, agent <host>, or kubelet. */
  servedBy: string;
}

export interface Resources {
  cpu: string;
  memory: string;
  pods: string;
}

type NodeSpec = { unschedulable?: boolean; taints?: { key: string; value?: string; effect: string }[] };
type NodeStatus = { allocatable?: Record<string, string>; capacity?: Record<string, string> };

const resourcesOf = (list: Record<string, string> | undefined): Resources => ({ cpu: list?.cpu ?? '', memory: list?.memory ?? '', pods: list?.pods ?? '' });

export function nodesView(objects: Pick<Objects, 'nodes' | 'pods'>): NodeRow[] {
  const podsOn = new Map<string, { count: number; milliCpu: number; memory: number }>();
  for (const pod of objects.pods) {
    const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    if (!node || phase === 'Succeeded' || phase === 'Failed') continue;
    const r = podRequests(pod as Pod);
    const on = podsOn.get(node) ?? { count: 0, milliCpu: 0, memory: 0 };
    podsOn.set(node, { count: on.count + 1, milliCpu: on.milliCpu + r.milliCpu, memory: on.memory + r.memory });
  }
  return [...objects.nodes]
    .sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!, undefined, { numeric: true }))
    .map((n: KubeObject): NodeRow => {
      const spec = (n.spec ?? {}) as NodeSpec;
      const status = (n.status ?? {}) as NodeStatus;
      const ready = conditionOf(n, 'Ready')?.status;
      const resources = status.allocatable ?? status.capacity ?? {};
      const on = podsOn.get(n.metadata.name!);
      const annotations = n.metadata.annotations ?? {};
      const roles = Object.keys(n.metadata.labels ?? {})
        .filter((k) => k.startsWith('node-role.kubernetes.io/'))
        .map((k) => k.slice('node-role.kubernetes.io/'.length));
      return {
        name: n.metadata.name!,
        roles,
        status: ready === 'True' ? 'Ready' : ready === 'False' ? 'NotReady' : 'Unknown',
        cordoned: !!spec.unschedulable,
        taints: (spec.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`),
        cpu: resources.cpu ?? '',
        memory: resources.memory ?? '',
        maxPods: resources.pods ?? '',
        capacity: resourcesOf(status.capacity),
        allocatable: resourcesOf(status.allocatable),
        pods: on?.count ?? 0,
        requests: { milliCpu: on?.milliCpu ?? 0, memory: on?.memory ?? 0 },
        servedBy: annotations[AGENT_ANNOTATION] ? `agent ${annotations[AGENT_ANNOTATION]}` : annotations[SIMULATED_ANNOTATION] ? 'simulated' : 'kubelet',
      };
    });
}
