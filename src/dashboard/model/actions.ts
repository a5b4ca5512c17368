// What the dashboard's buttons do: each is the API request kubectl makes for the same action,
// shown beside the kubectl command so a learner sees what they would type.
import type { KubeObject } from '../../api/meta/types.ts';
import { SIMULATED_ANNOTATION } from '../../node/contract.ts';
import { controllerOf, nsFlag } from './objects.ts';

export interface ApiAction {
  method: 'POST' | 'PATCH' | 'DELETE';
  path: string;
  contentType?: string;
  body?: unknown;
  /** The command that does the same. */
  kubectl: string;
}

const MERGE = 'application/merge-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';

const appsPath = (resource: string, ns: string, name: string) => `/apis/apps/v1/namespaces/${ns}/${resource}/${encodeURIComponent(name)}`;
const SHORT: Record<string, string> = { statefulsets: 'sts', deployments: 'deploy', daemonsets: 'ds' };

/** kubectl scale: a merge patch of the scale subresource. */
export function scale(resource: 'statefulsets' | 'deployments', ns: string, name: string, replicas: number): ApiAction {
  return { method: 'PATCH', path: `${appsPath(resource, ns, name)}/scale`, contentType: MERGE, body: { spec: { replicas } }, kubectl: `kubectl scale ${SHORT[resource]} ${name} --replicas=${replicas}${nsFlag(ns)}` };
}

/** kubectl delete sends DeleteOptions with its default --cascade=background. */
const DELETE_OPTIONS = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' };

export function deletePod(ns: string, name: string): ApiAction {
  return { method: 'DELETE', path: `/api/v1/namespaces/${ns}/pods/${encodeURIComponent(name)}`, contentType: 'application/json', body: DELETE_OPTIONS, kubectl: `kubectl delete pod ${name}${nsFlag(ns)}` };
}

/** kubectl cordon / uncordon: a strategic merge patch of spec.unschedulable. */
export function cordon(node: string, on: boolean): ApiAction {
  return { method: 'PATCH', path: `/api/v1/nodes/${encodeURIComponent(node)}`, contentType: STRATEGIC, body: { spec: { unschedulable: on ? true : null } }, kubectl: `kubectl ${on ? 'cordon' : 'uncordon'} ${node}` };
}

export function setPartition(ns: string, name: string, partition: number): ApiAction {
  const patch = { spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition } } } };
  return { method: 'PATCH', path: appsPath('statefulsets', ns, name), contentType: STRATEGIC, body: patch, kubectl: `kubectl patch sts ${name}${nsFlag(ns)} -p '${JSON.stringify(patch)}'` };
}

/** A simulated node, as `k8ts node add` makes it; the control plane's node pool runs its kubelet. */
export function addNode(name: string): ApiAction {
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' }, annotations: { [SIMULATED_ANNOTATION]: 'true' } },
  };
  return { method: 'POST', path: '/api/v1/nodes', contentType: 'application/json', body: node, kubectl: `k8ts node add --name ${name}` };
}

export function removeNode(name: string): ApiAction {
  return { method: 'DELETE', path: `/api/v1/nodes/${encodeURIComponent(name)}`, contentType: 'application/json', body: DELETE_OPTIONS, kubectl: `kubectl delete node ${name}` };
}

const revisionNumber = (o: KubeObject) => (o as { revision?: number }).revision ?? Number(o.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);

/**
 * kubectl rollout undo of a StatefulSet or DaemonSet: the previous ControllerRevision's data as a
 * strategic merge patch. Undefined when there is no earlier revision.
 */
export function rollBack(resource: 'statefulsets' | 'daemonsets', set: KubeObject, revisions: readonly KubeObject[]): ApiAction | undefined {
  const own = revisions.filter((r) => controllerOf(r)?.uid === set.metadata.uid).sort((a, b) => revisionNumber(b) - revisionNumber(a));
  const previous = own[1];
  if (!previous) return undefined;
  const ns = set.metadata.namespace ?? 'default';
  return { method: 'PATCH', path: appsPath(resource, ns, set.metadata.name!), contentType: STRATEGIC, body: (previous as { data?: unknown }).data, kubectl: `kubectl rollout undo ${SHORT[resource]}/${set.metadata.name}${nsFlag(ns)}` };
}

/** Annotations kubectl rollout undo keeps from the Deployment rather than take from the ReplicaSet. */
const KEEP_ON_UNDO = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

/**
 * kubectl rollout undo of a Deployment: the previous ReplicaSet's template (without its
 * pod-template-hash label) put in place of the Deployment's, and its annotations with the
 * Deployment's own bookkeeping ones kept (kubectl's DeploymentRollbacker).
 */
export function rollBackDeployment(deployment: KubeObject, replicaSets: readonly KubeObject[]): ApiAction | undefined {
  const own = replicaSets.filter((r) => controllerOf(r)?.uid === deployment.metadata.uid).sort((a, b) => revisionNumber(b) - revisionNumber(a));
  const previous = own[1];
  if (!previous) return undefined;
  const template = structuredClone((previous.spec as { template?: KubeObject }).template) as { metadata?: { labels?: Record<string, string> } };
  delete template.metadata?.labels?.['pod-template-hash'];
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(deployment.metadata.annotations ?? {})) if (KEEP_ON_UNDO.has(k)) annotations[k] = v;
  for (const [k, v] of Object.entries(previous.metadata.annotations ?? {})) if (!KEEP_ON_UNDO.has(k)) annotations[k] = v;
  const ns = deployment.metadata.namespace ?? 'default';
  return {
    method: 'PATCH',
    path: appsPath('deployments', ns, deployment.metadata.name!),
    contentType: JSON_PATCH,
    body: [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: annotations },
    ],
    kubectl: `kubectl rollout undo deploy/${deployment.metadata.name}${nsFlag(ns)}`,
  };
}
