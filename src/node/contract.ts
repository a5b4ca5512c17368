// Shared facts between the node agents, the scheduler, the node lifecycle controller and the
// `k8ts node` commands. Simulated nodes are plain Node objects carrying SIMULATED_ANNOTATION:
// the in-process node pool runs an agent for each, so `k8ts node add|stop|start|remove` only
// writes through the API and works from any terminal.

/** On a Node: an in-process simulated kubelet serves it. */
export const SIMULATED_ANNOTATION = 'node.k8ts.io/simulated';
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

/** The pod CIDR of node i (10.244.<i>.0/24, as kind/flannel hand them out). */
export const podCidrFor = (i: number) => `10.244.${i}.0/24`;
