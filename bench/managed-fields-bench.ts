// Micro-benchmark of managedFields tracking and server-side apply on realistic objects: a Pod as a
// ReplicaSet creates it, the kubelet's status writes to it, a StatefulSet edited by hand, and a
// StatefulSet re-applied with `kubectl apply --server-side`. Every operation gets a freshly
// decoded live object (as the registry reads one from the store), so per-object caches do not
// flatter the figures. Run: node --import tsx bench/managed-fields-bench.ts [ms per case] [case]
import { pathToFileURL } from 'node:url';
import type { KubeObject } from '../src/api/meta/types.ts';
import type { SchemaNode } from '../src/api/schema/types.ts';
import { loadSchemas } from '../src/api/schema/index.ts';
import { serverSideApply } from '../src/apiserver/apply/apply.ts';
import { trackUpdate } from '../src/apiserver/apply/managed-fields.ts';

export interface ManagedFieldsBenchResult {
  /** Operations per second of each case. */
  podCreate: number;
  podStatusUpdate: number;
  statefulSetSpecUpdate: number;
  statefulSetApply: number;
}

const T0 = '2026-01-01T00:00:00Z';
const at = (s: number): string => new Date(Date.parse(T0) + s * 1000).toISOString().replace('.000Z', 'Z');

// A pod as the ReplicaSet controller creates it, after defaulting.
function podBody(i: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `web-7d9c6b5f4c-${i}`,
      generateName: 'web-7d9c6b5f4c-',
      namespace: 'default',
      labels: { app: 'web', 'pod-template-hash': '7d9c6b5f4c' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d9c6b5f4c', uid: 'rs-uid-1', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'registry.k8s.io/nginx-slim:0.27',
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          env: [{ name: 'MODE', value: 'prod' }],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
          volumeMounts: [{ name: 'config', mountPath: '/etc/web', readOnly: true }],
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        },
        { name: 'sidecar', image: 'busybox:1.36', args: ['sleep', '3600'], terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent' },
      ],
      volumes: [{ name: 'config', configMap: { name: 'web-config', defaultMode: 420 } }],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      securityContext: {},
      schedulerName: 'default-scheduler',
      enableServiceLinks: true,
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    },
    status: { phase: 'Pending', qosClass: 'Burstable' },
  };
}

function stamp(o: KubeObject, i: number): KubeObject {
  o.metadata = { ...o.metadata, uid: `uid-${i}`, resourceVersion: String(100 + i), creationTimestamp: T0 };
  return o;
}

// The kubelet's status: conditions keyed by type, container statuses keyed by name.
function podStatus(i: number, ready: boolean, t: number): Record<string, unknown> {
  const cond = (type: string, ok: boolean) => ({ type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: at(t) });
  const cs = (name: string, image: string) => ({
    name,
    state: ready ? { running: { startedAt: at(t) } } : { waiting: { reason: 'ContainerCreating' } },
    lastState: {},
    ready,
    restartCount: 0,
    image,
    imageID: ready ? `${image}@sha256:${'4f7a5ab1'.repeat(8)}` : '',
    ...(ready && { containerID: `containerd://${String(i).padStart(64, '0')}` }),
    started: ready,
  });
  return {
    phase: ready ? 'Running' : 'Pending',
    conditions: [cond('PodReadyToStartContainers', ready), cond('Initialized', true), cond('Ready', ready), cond('ContainersReady', ready), cond('PodScheduled', true)],
    hostIP: '192.168.0.7',
    hostIPs: [{ ip: '192.168.0.7' }],
    ...(ready && { podIP: `10.0.${i >> 8 & 255}.${i & 255}`, podIPs: [{ ip: `10.0.${i >> 8 & 255}.${i & 255}` }] }),
    startTime: at(1),
    qosClass: 'Burstable',
    containerStatuses: [cs('web', 'registry.k8s.io/nginx-slim:0.27'), cs('sidecar', 'busybox:1.36')],
  };
}

function stsManifest(replicas: number, image: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, annotations: { team: 'storefront' } },
    spec: {
      serviceName: 'web',
      replicas,
      selector: { matchLabels: { app: 'web' } },
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'nginx',
              image,
              ports: [{ containerPort: 80, name: 'web' }],
              env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
              volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }],
              readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 5 },
            },
          ],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  };
}

interface Fixtures {
  pod: SchemaNode;
  sts: SchemaNode;
  /** A pod after create and one Pending status write by the kubelet. */
  pendingPod: string;
  /** A StatefulSet created by client-side apply with a controller status entry. */
  editedSts: string;
  /** A StatefulSet applied server-side by kubectl with a controller status entry. */
  appliedSts: string;
}

function fixtures(): Fixtures {
  const schemas = loadSchemas();
  const pod = schemas.forKind({ group: '', version: 'v1', kind: 'Pod' })!;
  const sts = schemas.forKind({ group: 'apps', version: 'v1', kind: 'StatefulSet' })!;
  const created = stamp(trackUpdate({ live: undefined, updated: podBody(1), manager: 'kube-controller-manager', apiVersion: 'v1', now: T0, schema: pod }), 1);
  const pending = trackUpdate({ live: created, updated: { ...structuredClone(created), status: podStatus(1, false, 1) }, manager: 'kubelet', apiVersion: 'v1', now: at(1), subresource: 'status', schema: pod });

  const status = { replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 1, currentRevision: 'web-1', updateRevision: 'web-1', collisionCount: 0 };
  const withStatus = (o: KubeObject): KubeObject =>
    trackUpdate({ live: o, updated: { ...structuredClone(o), status }, manager: 'kube-controller-manager', apiVersion: 'apps/v1', now: at(2), subresource: 'status', schema: sts });
  const csa = stamp(trackUpdate({ live: undefined, updated: stsManifest(3, 'nginx:1.25'), manager: 'kubectl-client-side-apply', apiVersion: 'apps/v1', now: T0, schema: sts }), 1);
  const ssa = stamp(serverSideApply({ live: undefined, applied: stsManifest(3, 'nginx:1.25'), manager: 'kubectl', force: false, apiVersion: 'apps/v1', kind: 'StatefulSet', now: T0, schema: sts }).object, 2);
  return { pod, sts, pendingPod: JSON.stringify(pending), editedSts: JSON.stringify(withStatus(csa)), appliedSts: JSON.stringify(withStatus(ssa)) };
}

// Runs `op` on inputs prepared outside the timed region (in small batches) for about `ms` of
// timed work; returns ops/s over all of it, garbage collection included.
function measure<T>(ms: number, prepare: (i: number) => T, op: (input: T) => unknown): number {
  const batch = 25;
  let done = 0;
  let spent = 0;
  let i = 0;
  while (spent < ms) {
    const inputs = Array.from({ length: batch }, () => prepare(i++));
    const t = performance.now();
    for (const input of inputs) op(input);
    spent += performance.now() - t;
    done += batch;
  }
  return Math.round((done / spent) * 1000);
}

export type ManagedFieldsCase = keyof ManagedFieldsBenchResult;

/** One case's ops/s, measured for about `ms` after a warm-up of the same length. */
export function benchManagedFieldsCase(name: ManagedFieldsCase, opts: { ms?: number } = {}): number {
  const ms = opts.ms ?? 1500;
  const f = (cachedFixtures ??= fixtures());
  const run = <T>(prepare: (i: number) => T, op: (input: T) => unknown): number => {
    measure(ms, prepare, op);
    return measure(ms, prepare, op);
  };
  switch (name) {
    case 'podCreate':
      return run(
        (i) => podBody(i),
        (updated) => trackUpdate({ live: undefined, updated, manager: 'kube-controller-manager', apiVersion: 'v1', now: T0, schema: f.pod }),
      );
    case 'podStatusUpdate':
      return run(
        (i) => {
          const live = JSON.parse(f.pendingPod) as KubeObject;
          const updated = JSON.parse(f.pendingPod) as KubeObject;
          updated.status = podStatus(i, true, 10);
          return { live, updated };
        },
        ({ live, updated }) => trackUpdate({ live, updated, manager: 'kubelet', apiVersion: 'v1', now: at(10), subresource: 'status', schema: f.pod }),
      );
    case 'statefulSetSpecUpdate':
      return run(
        (i) => {
          const live = JSON.parse(f.editedSts) as KubeObject;
          const updated = JSON.parse(f.editedSts) as KubeObject;
          const spec = updated.spec as { replicas: number; template: { spec: { containers: { image: string }[] } } };
          spec.replicas = 3 + (i % 5);
          spec.template.spec.containers[0]!.image = `nginx:1.${26 + (i % 3)}`;
          return { live, updated };
        },
        ({ live, updated }) => trackUpdate({ live, updated, manager: 'kubectl-edit', apiVersion: 'apps/v1', now: at(20), schema: f.sts }),
      );
    case 'statefulSetApply':
      return run(
        (i) => ({ live: JSON.parse(f.appliedSts) as KubeObject, applied: stsManifest(4 + (i % 3), 'nginx:1.25') }),
        ({ live, applied }) =>
          serverSideApply({ live, applied, manager: 'kubectl', force: false, apiVersion: 'apps/v1', kind: 'StatefulSet', now: at(30), schema: f.sts }),
      );
  }
}

let cachedFixtures: Fixtures | undefined;

/** Ops/s of every case (see benchManagedFieldsCase). */
export function benchManagedFields(opts: { ms?: number } = {}): ManagedFieldsBenchResult {
  return {
    podCreate: benchManagedFieldsCase('podCreate', opts),
    podStatusUpdate: benchManagedFieldsCase('podStatusUpdate', opts),
    statefulSetSpecUpdate: benchManagedFieldsCase('statefulSetSpecUpdate', opts),
    statefulSetApply: benchManagedFieldsCase('statefulSetApply', opts),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const ms = process.argv[2] ? Number(process.argv[2]) : undefined;
  const only = process.argv[3] as ManagedFieldsCase | undefined;
  console.log(JSON.stringify(only ? { [only]: benchManagedFieldsCase(only, { ms }) } : benchManagedFields({ ms }), null, 2));
}
