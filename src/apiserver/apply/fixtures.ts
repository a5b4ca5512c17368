// Test fixtures: a hand-made slice of the apps/v1 StatefulSet schema graph with the list and map
// semantics server-side apply depends on (containers keyed by name, ports by containerPort +
// protocol with protocol defaulting to TCP, env keyed through its patch merge key only, labels a
// granular map, finalizers a set, selector an atomic struct), and manifests over it.
import type { KubeObject } from '../../api/meta/types.ts';
import type { SchemaNode } from '../../api/schema/types.ts';

const str: SchemaNode = { type: 'string' };
const int: SchemaNode = { type: 'integer', format: 'int32' };
const stringMap: SchemaNode = { type: 'object', additionalProperties: str };

const objectMeta: SchemaNode = {
  name: 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
  type: 'object',
  properties: {
    name: str,
    namespace: str,
    uid: str,
    resourceVersion: str,
    generation: { type: 'integer', format: 'int64' },
    creationTimestamp: str,
    labels: stringMap,
    annotations: stringMap,
    finalizers: { type: 'array', items: str, 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' },
    ownerReferences: {
      type: 'array',
      items: { type: 'object', properties: { uid: str, name: str, kind: str, apiVersion: str } },
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['uid'],
    },
    managedFields: { type: 'array', items: { type: 'object' }, 'x-kubernetes-list-type': 'atomic' },
  },
};

const labelSelector: SchemaNode = {
  name: 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
  type: 'object',
  properties: {
    matchLabels: stringMap,
    matchExpressions: { type: 'array', items: { type: 'object' }, 'x-kubernetes-list-type': 'atomic' },
  },
  'x-kubernetes-map-type': 'atomic',
};

const containerPort: SchemaNode = {
  name: 'io.k8s.api.core.v1.ContainerPort',
  type: 'object',
  properties: { containerPort: int, name: str, protocol: { type: 'string', default: 'TCP' } },
};

const container: SchemaNode = {
  name: 'io.k8s.api.core.v1.Container',
  type: 'object',
  properties: {
    name: str,
    image: str,
    args: { type: 'array', items: str },
    ports: {
      type: 'array',
      items: containerPort,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-patch-merge-key': 'containerPort',
    },
    // No list-type on purpose: keyed through the strategic-merge-patch tags.
    env: {
      type: 'array',
      items: { type: 'object', properties: { name: str, value: str } },
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-patch-merge-key': 'name',
    },
    resources: {
      name: 'io.k8s.api.core.v1.ResourceRequirements',
      type: 'object',
      properties: { limits: stringMap, requests: stringMap },
    },
  },
};

const podSpec: SchemaNode = {
  name: 'io.k8s.api.core.v1.PodSpec',
  type: 'object',
  properties: {
    containers: {
      type: 'array',
      items: container,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-patch-merge-key': 'name',
    },
    nodeSelector: { ...stringMap, 'x-kubernetes-map-type': 'atomic' },
    tolerations: { type: 'array', items: { type: 'object' }, 'x-kubernetes-list-type': 'atomic' },
  },
};

export const statefulSetSchema: SchemaNode = {
  name: 'io.k8s.api.apps.v1.StatefulSet',
  type: 'object',
  properties: {
    apiVersion: str,
    kind: str,
    metadata: objectMeta,
    spec: {
      name: 'io.k8s.api.apps.v1.StatefulSetSpec',
      type: 'object',
      properties: {
        replicas: int,
        serviceName: str,
        selector: labelSelector,
        template: {
          name: 'io.k8s.api.core.v1.PodTemplateSpec',
          type: 'object',
          properties: { metadata: objectMeta, spec: podSpec },
        },
        updateStrategy: {
          name: 'io.k8s.api.apps.v1.StatefulSetUpdateStrategy',
          type: 'object',
          properties: {
            type: str,
            rollingUpdate: {
              name: 'io.k8s.api.apps.v1.RollingUpdateStatefulSetStrategy',
              type: 'object',
              properties: { partition: int },
            },
          },
        },
      },
    },
    status: {
      name: 'io.k8s.api.apps.v1.StatefulSetStatus',
      type: 'object',
      properties: { replicas: int, readyReplicas: int, observedGeneration: { type: 'integer' } },
    },
  },
  'x-kubernetes-group-version-kind': [{ group: 'apps', version: 'v1', kind: 'StatefulSet' }],
};

export interface WebOptions {
  replicas?: number;
  image?: string;
  labels?: Record<string, string>;
  containers?: unknown[];
}

/** The `web` StatefulSet manifest of the kubectl and helm traces. */
export function webManifest(o: WebOptions = {}): KubeObject {
  const metadata: KubeObject['metadata'] = { name: 'web' };
  if (o.labels) metadata.labels = o.labels;
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata,
    spec: {
      serviceName: 'web',
      replicas: o.replicas ?? 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: o.containers ?? [
            { name: 'nginx', image: o.image ?? 'nginx:1.25', ports: [{ containerPort: 80, name: 'web' }] },
          ],
        },
      },
    },
  };
}

/** What a registry adds when it stores an object; apply and tracking must keep these intact. */
export function stored(obj: KubeObject): KubeObject {
  const out = structuredClone(obj);
  out.metadata = { ...out.metadata, namespace: 'default', uid: 'uid-1', resourceVersion: '1', generation: 1, creationTimestamp: '2026-01-01T00:00:00Z' };
  return out;
}
