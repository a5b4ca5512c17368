// The status a kubelet posts for its node (pkg/kubelet/nodestatus/setters.go: MachineInfo,
// NodeAddress, VersionInfo, ReadyCondition, MemoryPressureCondition, DiskPressureCondition,
// PIDPressureCondition). Pure: the agent posts what this returns.
import { createHash } from 'node:crypto';
import { release } from 'node:os';
import type { KubeObject } from '../api/meta/types.ts';
import { rfc3339 } from '../util/clock.ts';
import { CPU_ANNOTATION, EPHEMERAL_STORAGE_ANNOTATION, MEMORY_ANNOTATION, PODS_ANNOTATION } from './contract.ts';
import { DEFAULT_CPU, DEFAULT_MEMORY, DEFAULT_PODS, goArch } from './node-object.ts';

export interface NodeStatusInput {
  node: KubeObject;
  ip: string;
  now: number;
  kubeletVersion: string;
  runtimeVersion: string;
  ephemeralStorage?: string;
  /** When the agent started (the kubelet's boot), for bootID. */
  bootId?: string;
}

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastHeartbeatTime: string;
  lastTransitionTime: string;
}

const CONDITIONS: [string, string, string, string][] = [
  ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
];

/** A stable UUID-shaped id from a seed (machineID, systemUUID). */
function idFrom(seed: string, dashes = true): string {
  const h = createHash('sha256').update(seed).digest('hex').slice(0, 32);
  return dashes ? `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}` : h;
}

export function nodeCapacity(node: KubeObject, ephemeralStorage = '100Gi'): Record<string, string> {
  const a = node.metadata.annotations ?? {};
  return {
    cpu: a[CPU_ANNOTATION] ?? DEFAULT_CPU,
    'ephemeral-storage': a[EPHEMERAL_STORAGE_ANNOTATION] ?? ephemeralStorage,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: a[MEMORY_ANNOTATION] ?? DEFAULT_MEMORY,
    pods: a[PODS_ANNOTATION] ?? DEFAULT_PODS,
  };
}

/**
 * The status to post: capacity from the node's annotations (allocatable the same: nothing is
 * reserved for system daemons), conditions healthy with heartbeats at `now` and transition times
 * kept while the status holds. NetworkUnavailable is the network plugin's condition; the
 * simulated pod network is always up.
 */
export function buildNodeStatus(input: NodeStatusInput): Record<string, unknown> {
  const { node, now } = input;
  const name = node.metadata.name!;
  const old = ((node.status as { conditions?: Condition[] } | undefined)?.conditions ?? []) as Condition[];
  const stamp = rfc3339(now);
  const cond = (type: string, status: string, reason: string, message: string): Condition => {
    const prev = old.find((c) => c.type === type);
    return { type, status, reason, message, lastHeartbeatTime: stamp, lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : stamp };
  };
  const capacity = nodeCapacity(node, input.ephemeralStorage);
  return {
    capacity,
    allocatable: { ...capacity },
    conditions: [cond('NetworkUnavailable', 'False', 'RouteCreated', 'k8ts simulated pod network is configured'), ...CONDITIONS.map(([t, s, r, m]) => cond(t, s, r, m))],
    addresses: [
      { type: 'InternalIP', address: input.ip },
      { type: 'Hostname', address: name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: idFrom(`machine/${name}`, false),
      systemUUID: idFrom(`system/${name}`),
      bootID: input.bootId ?? idFrom(`boot/${name}`),
      kernelVersion: release(),
      osImage: 'k8ts simulated node',
      containerRuntimeVersion: input.runtimeVersion,
      kubeletVersion: input.kubeletVersion,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: goArch(),
    },
  };
}

/** True when the posted status needs a refresh before the periodic report (someone else changed it). */
export function nodeStatusStale(node: KubeObject): boolean {
  const status = node.status as { conditions?: Condition[]; capacity?: unknown; nodeInfo?: unknown } | undefined;
  const ready = status?.conditions?.find((c) => c.type === 'Ready');
  return !status?.capacity || !status.nodeInfo || ready?.status !== 'True' || ready.reason !== 'KubeletReady';
}
