// Hand-built SchemaNode fixtures for the patch tests: the small recursive type upstream's
// strategicpatch tests use (MergeItem), and trimmed Pod, StatefulSet, Deployment and Node
// schemas carrying the patch annotations of the real API (k8s.io/api core/v1 and apps/v1 tags).
import type { SchemaNode } from '../../api/schema/types.ts';

const str: SchemaNode = { type: 'string' };
const int: SchemaNode = { type: 'integer' };
const bool: SchemaNode = { type: 'boolean' };
const stringMap: SchemaNode = { type: 'object', additionalProperties: str };

function obj(name: string, properties: Record<string, SchemaNode>): SchemaNode {
  return { name, type: 'object', properties };
}

/** A list merged by `mergeKey` (patchStrategy merge). */
function mergeList(items: SchemaNode, mergeKey: string, strategy = 'merge'): SchemaNode {
  return {
    type: 'array',
    items,
    'x-kubernetes-patch-merge-key': mergeKey,
    'x-kubernetes-patch-strategy': strategy,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': [mergeKey],
  };
}

/** A scalar list merged as a set (patchStrategy merge, no key). */
function mergeSet(items: SchemaNode): SchemaNode {
  return { type: 'array', items, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set' };
}

function atomicList(items: SchemaNode): SchemaNode {
  return { type: 'array', items, 'x-kubernetes-list-type': 'atomic' };
}

// Upstream's test type (strategicpatch/patch_test.go MergeItem), linked into a cycle.
const retainKeysMergeItem: SchemaNode = obj('retainKeysMergeItem', {});
export const mergeItemSchema: SchemaNode = obj('mergeItem', {});
Object.assign(retainKeysMergeItem.properties!, {
  name: str,
  value: str,
  other: str,
  simpleMap: stringMap,
  mergingIntList: mergeSet(int),
  mergingList: mergeList(mergeItemSchema, 'name'),
  nonMergingList: atomicList(mergeItemSchema),
});
Object.assign(mergeItemSchema.properties!, {
  name: str,
  value: str,
  other: str,
  mergingList: mergeList(mergeItemSchema, 'name'),
  nonMergingList: atomicList(mergeItemSchema),
  mergingIntList: mergeSet(int),
  nonMergingIntList: atomicList(int),
  mergeItemPtr: mergeList(mergeItemSchema, 'name'),
  simpleMap: stringMap,
  replacingItem: { 'x-kubernetes-preserve-unknown-fields': true, 'x-kubernetes-patch-strategy': 'replace' },
  retainKeysMap: { ...retainKeysMergeItem, 'x-kubernetes-patch-strategy': 'retainKeys' },
  retainKeysMergingList: mergeList(mergeItemSchema, 'name', 'merge,retainKeys'),
});

const objectMeta = obj('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
  name: str,
  namespace: str,
  labels: stringMap,
  annotations: stringMap,
  finalizers: mergeSet(str),
  resourceVersion: str,
  generation: int,
  creationTimestamp: str,
  ownerReferences: mergeList(
    obj('io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference', { uid: str, name: str, kind: str, apiVersion: str, controller: bool }),
    'uid',
  ),
});

const quantityMap: SchemaNode = { type: 'object', additionalProperties: { type: 'string', format: 'quantity' } };

const container = obj('io.k8s.api.core.v1.Container', {
  name: str,
  image: str,
  imagePullPolicy: str,
  command: atomicList(str),
  args: atomicList(str),
  ports: mergeList(obj('io.k8s.api.core.v1.ContainerPort', { containerPort: int, name: str, protocol: str }), 'containerPort'),
  env: mergeList(obj('io.k8s.api.core.v1.EnvVar', { name: str, value: str }), 'name'),
  volumeMounts: mergeList(obj('io.k8s.api.core.v1.VolumeMount', { name: str, mountPath: str, readOnly: bool }), 'mountPath'),
  resources: obj('io.k8s.api.core.v1.ResourceRequirements', { limits: quantityMap, requests: quantityMap }),
});

const volume = obj('io.k8s.api.core.v1.Volume', {
  name: str,
  emptyDir: obj('io.k8s.api.core.v1.EmptyDirVolumeSource', { medium: str, sizeLimit: str }),
  configMap: obj('io.k8s.api.core.v1.ConfigMapVolumeSource', { name: str }),
  persistentVolumeClaim: obj('io.k8s.api.core.v1.PersistentVolumeClaimVolumeSource', { claimName: str }),
});

const toleration = obj('io.k8s.api.core.v1.Toleration', { key: str, operator: str, value: str, effect: str });

export const podSpecSchema = obj('io.k8s.api.core.v1.PodSpec', {
  containers: mergeList(container, 'name'),
  initContainers: mergeList(container, 'name'),
  volumes: mergeList(volume, 'name', 'merge,retainKeys'),
  imagePullSecrets: mergeList(obj('io.k8s.api.core.v1.LocalObjectReference', { name: str }), 'name'),
  tolerations: atomicList(toleration),
  nodeSelector: stringMap,
  nodeName: str,
  restartPolicy: str,
  terminationGracePeriodSeconds: int,
  dnsPolicy: str,
  schedulerName: str,
});

const podTemplate = obj('io.k8s.api.core.v1.PodTemplateSpec', { metadata: objectMeta, spec: podSpecSchema });

export const podSchema = obj('io.k8s.api.core.v1.Pod', {
  apiVersion: str,
  kind: str,
  metadata: objectMeta,
  spec: podSpecSchema,
  status: obj('io.k8s.api.core.v1.PodStatus', {
    phase: str,
    conditions: mergeList(obj('io.k8s.api.core.v1.PodCondition', { type: str, status: str, reason: str }), 'type'),
  }),
});

const labelSelector = obj('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', { matchLabels: stringMap });

export const statefulSetSchema = obj('io.k8s.api.apps.v1.StatefulSet', {
  apiVersion: str,
  kind: str,
  metadata: objectMeta,
  spec: obj('io.k8s.api.apps.v1.StatefulSetSpec', {
    replicas: int,
    serviceName: str,
    selector: labelSelector,
    template: podTemplate,
    podManagementPolicy: str,
    updateStrategy: obj('io.k8s.api.apps.v1.StatefulSetUpdateStrategy', {
      type: str,
      rollingUpdate: obj('io.k8s.api.apps.v1.RollingUpdateStatefulSetStrategy', { partition: int, maxUnavailable: str }),
    }),
    volumeClaimTemplates: atomicList(obj('io.k8s.api.core.v1.PersistentVolumeClaim', { metadata: objectMeta })),
  }),
  status: obj('io.k8s.api.apps.v1.StatefulSetStatus', { replicas: int, readyReplicas: int }),
});

export const deploymentSchema = obj('io.k8s.api.apps.v1.Deployment', {
  metadata: objectMeta,
  spec: obj('io.k8s.api.apps.v1.DeploymentSpec', {
    replicas: int,
    selector: labelSelector,
    template: podTemplate,
    strategy: {
      ...obj('io.k8s.api.apps.v1.DeploymentStrategy', {
        type: str,
        rollingUpdate: obj('io.k8s.api.apps.v1.RollingUpdateDeployment', { maxSurge: str, maxUnavailable: str }),
      }),
      'x-kubernetes-patch-strategy': 'retainKeys',
    },
  }),
});

export const nodeSchema = obj('io.k8s.api.core.v1.Node', {
  metadata: objectMeta,
  spec: obj('io.k8s.api.core.v1.NodeSpec', {
    unschedulable: bool,
    podCIDR: str,
    taints: atomicList(obj('io.k8s.api.core.v1.Taint', { key: str, value: str, effect: str })),
  }),
});
