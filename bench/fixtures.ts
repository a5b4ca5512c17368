// Objects the benchmarks write: a small ConfigMap, and a Pod shaped like one a ReplicaSet and a
// kubelet produce (about 2 KB stored once its status is set).

export function configMap(name: string): object {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app: 'bench' } }, data: { 'config.yaml': 'level: info\nport: 8080\n' } };
}

/** What the API server stores for configMap(name): a stand-in when no stored sample is at hand. */
export function storedConfigMapJson(name: string, namespace: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace,
      uid: '6f0c4b7e-3d2a-4c1e-9b8f-0a1b2c3d4e5f',
      resourceVersion: '12345',
      creationTimestamp: '2025-01-01T00:00:00Z',
      labels: { app: 'bench' },
      managedFields: [{ manager: 'bench', operation: 'Update', apiVersion: 'v1', time: '2025-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { '.': {}, 'f:config.yaml': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } } }],
    },
    data: { 'config.yaml': 'level: info\nport: 8080\n' },
  });
}

const hash = (i: number) => (0x9e3779b1 * (i + 1)) >>> 0;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0').slice(-width);

/**
 * What owns the pods: a ConfigMap, which the garbage collector accepts as an owner and no
 * controller acts on (a ReplicaSet would have its controller create or delete pods under the
 * benchmark's feet). The ownerReference has a ReplicaSet's size and shape.
 */
export function podOwner(name: string): object {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { role: 'owner of the benchmark pods' } };
}

/** Server environment for benchmarks whose pods sit on nodes that do not exist: pod GC leaves them. */
export const KEEP_ORPHAN_PODS = { K8TS_POD_GC_QUARANTINE_MS: String(24 * 3600 * 1000) };

export interface Owner {
  name: string;
  uid: string;
}

/**
 * A pod as a ReplicaSet creates it. The owner must exist: the garbage collector deletes pods
 * whose owner is missing.
 */
export function pod(name: string, i: number, owner?: Owner): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      labels: { app: 'web', 'pod-template-hash': '7d9c6b5f4c' },
      ...(owner && { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true }] }),
    },
    spec: {
      nodeName: `node-${i % 50}`,
      serviceAccountName: 'default',
      containers: [
        {
          name: 'web',
          image: 'registry.k8s.io/nginx-slim:0.27',
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
          volumeMounts: [{ name: 'config', mountPath: '/etc/web', readOnly: true }],
        },
      ],
      volumes: [{ name: 'config', configMap: { name: 'web-config' } }],
    },
  };
}

/** A kubelet-style status for pod(name, i): Running and Ready. */
export function podStatus(i: number): object {
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const at = '2025-01-01T00:00:05Z';
  return {
    status: {
      phase: 'Running',
      conditions: [
        { type: 'PodReadyToStartContainers', status: 'True', lastProbeTime: null, lastTransitionTime: at },
        { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: at },
        { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: at },
        { type: 'ContainersReady', status: 'True', lastProbeTime: null, lastTransitionTime: at },
        { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: at },
      ],
      hostIP: `192.168.0.${i % 50}`,
      hostIPs: [{ ip: `192.168.0.${i % 50}` }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: at,
      containerStatuses: [
        {
          name: 'web',
          state: { running: { startedAt: at } },
          lastState: {},
          ready: true,
          restartCount: 0,
          image: 'registry.k8s.io/nginx-slim:0.27',
          imageID: 'registry.k8s.io/nginx-slim@sha256:4f7a5ab1dcb10bbd6d5b8d0ee1bd8ac1b2b9c0e4a5d6f7e8c9b0a1d2e3f4a5b6',
          containerID: `containerd://${hex(hash(i), 8)}${'0'.repeat(56)}`,
          started: true,
        },
      ],
    },
  };
}
