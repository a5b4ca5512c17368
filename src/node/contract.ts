// Shared facts between the node agents, the scheduler, the node lifecycle controller and the
// `k8ts node` commands. Simulated nodes are plain Node objects carrying SIMULATED_ANNOTATION:
// the in-process node pool runs an agent for each, so `k8ts node add|stop|start|remove` only
// writes through the API and works from any terminal.

/** On a Node: an in-process simulated kubelet serves it. */
export const SIMULATED_ANNOTATION = 'node.k8ts.io/simulated';

/** On a Node: a `k8ts agent` on the named host serves it. */
export const AGENT_ANNOTATION = 'node.k8ts.io/agent';
/** On a Node: its agent stops heartbeating and updating pods (a crashed kubelet), until removed. */
export const STOPPED_ANNOTATION = 'node.k8ts.io/stopped';

/** Names as kind gives them: the control plane, then workers. */
export const CONTROL_PLANE_NODE = 'k8ts-control-plane';
export const workerName = (i: number) => (i === 0 ? 'k8ts-worker' : `k8ts-worker${i + 1}`);

export const CONTROL_PLANE_TAINT = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' } as const;
export const UNREACHABLE_TAINT_KEY = 'node.kubernetes.io/unreachable';
export const NOT_READY_TAINT_KEY = 'node.kubernetes.io/not-ready';
export const UNSCHEDULABLE_TAINT_KEY = 'node.kubernetes.io/unschedulable';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const LEASE_DURATION_SECONDS = 40;
export const LEASE_RENEW_INTERVAL_MS = 10_000;
/** Default node-monitor grace period before a silent node is marked Unknown. */
export const NODE_MONITOR_GRACE_MS = 40_000;

/**
 * The pod CIDR of node i (10.244.<i>.0/24, as kind/flannel hand them out). 10.244.0.0/16 holds
 * 256 nodes; node 256 and above get 10.128.0.0/24 onwards (up to 10.243.255.0/24), clear of the
 * Service range 10.96.0.0/16.
 */
export const podCidrFor = (i: number) => (i < 256 ? `10.244.${i}.0/24` : `10.${127 + (i >> 8)}.${i & 255}.0/24`);

/**
 * Node i's InternalIP: 172.18.0.<i+2>, as kind's docker network hands them out, continuing into
 * 172.18.1.x and beyond past the first 254 nodes.
 */
export const nodeIpFor = (i: number) => `172.18.${(i + 2) >> 8}.${(i + 2) & 255}`;

/**
 * The pod CIDR index of a node from its spec.podCIDR (the inverse of podCidrFor), or undefined
 * for a node without one.
 */
export function nodeIndexFromCidr(cidr: string | undefined): number | undefined {
  const m = /^10\.(\d+)\.(\d+)\.0\/24$/.exec(cidr ?? '');
  if (!m) return undefined;
  const [a, b] = [Number(m[1]), Number(m[2])];
  if (a === 244) return b;
  if (a >= 128 && a < 244) return (a - 127) * 256 + b;
  return undefined;
}

/** Capacity a simulated node reports, set at creation (status is not writable on create). */
export const CPU_ANNOTATION = 'node.k8ts.io/cpu';
export const MEMORY_ANNOTATION = 'node.k8ts.io/memory';
export const PODS_ANNOTATION = 'node.k8ts.io/pods';
export const EPHEMERAL_STORAGE_ANNOTATION = 'node.k8ts.io/ephemeral-storage';
