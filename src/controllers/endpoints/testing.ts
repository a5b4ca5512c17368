// Fixtures for the endpoint controllers' unit tests: Services and pods as the API stores them.
import type { KubeObject } from '../../api/meta/types.ts';

export interface PodOpts {
  ip?: string | string[];
  ready?: boolean;
  phase?: string;
  node?: string;
  hostname?: string;
  subdomain?: string;
  terminating?: boolean;
  labels?: Record<string, string>;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  readySince?: string;
  namespace?: string;
}

export function pod(name: string, o: PodOpts = {}): KubeObject {
  const ips = o.ip === undefined ? [] : Array.isArray(o.ip) ? o.ip : [o.ip];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'demo',
      uid: `uid-${name}`,
      labels: o.labels ?? { app: 'web' },
      ...(o.terminating ? { deletionTimestamp: '2026-01-01T00:00:30Z' } : {}),
    },
    spec: {
      ...(o.node !== undefined ? { nodeName: o.node } : { nodeName: 'node-a' }),
      ...(o.hostname ? { hostname: o.hostname } : {}),
      ...(o.subdomain ? { subdomain: o.subdomain } : {}),
      containers: [{ name: 'app', image: 'nginx', ...(o.ports ? { ports: o.ports } : {}) }],
    },
    status: {
      phase: o.phase ?? 'Running',
      ...(ips.length ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : {}),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: o.readySince ?? '2026-01-01T00:00:10Z' }],
    },
  };
}

export interface SvcOpts {
  headless?: boolean;
  ports?: { name?: string; port: number; targetPort?: number | string; protocol?: string; appProtocol?: string }[];
  selector?: Record<string, string> | null;
  publishNotReady?: boolean;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ipFamilies?: string[];
  clusterIP?: string;
  type?: string;
}

export function service(name: string, o: SvcOpts = {}): KubeObject {
  const clusterIP = o.headless ? 'None' : (o.clusterIP ?? '10.43.12.7');
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: 'demo',
      uid: `uid-svc-${name}`,
      creationTimestamp: '2026-01-01T00:00:00Z',
      ...(o.labels ? { labels: o.labels } : {}),
      ...(o.annotations ? { annotations: o.annotations } : {}),
    },
    spec: {
      type: o.type ?? 'ClusterIP',
      ...(o.selector === null ? {} : { selector: o.selector ?? { app: 'web' } }),
      ports: o.ports ?? [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
      clusterIP,
      clusterIPs: [clusterIP],
      ipFamilies: o.ipFamilies ?? ['IPv4'],
      ...(o.publishNotReady ? { publishNotReadyAddresses: true } : {}),
    },
  };
}
