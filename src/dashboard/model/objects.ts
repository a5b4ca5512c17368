// What every view is drawn from: the cluster's objects as a watch keeps them, by resource, and
// small readers over them. The views are pure functions of this, shared by the web page and the
// terminal view, so what one shows the other shows.
import type { KubeObject } from '../../api/meta/types.ts';

/** The resources the views read, by plural name (each list: one namespace's or the cluster's). */
export interface Objects {
  pods: readonly KubeObject[];
  nodes: readonly KubeObject[];
  statefulsets: readonly KubeObject[];
  daemonsets: readonly KubeObject[];
  deployments: readonly KubeObject[];
  replicasets: readonly KubeObject[];
  controllerrevisions: readonly KubeObject[];
  persistentvolumeclaims: readonly KubeObject[];
  persistentvolumes: readonly KubeObject[];
  storageclasses: readonly KubeObject[];
  services: readonly KubeObject[];
  endpointslices: readonly KubeObject[];
  events: readonly KubeObject[];
}

export type ResourceName = keyof Objects;

export const RESOURCES: Record<ResourceName, { apiVersion: string; namespaced: boolean }> = {
  pods: { apiVersion: 'v1', namespaced: true },
  nodes: { apiVersion: 'v1', namespaced: false },
  statefulsets: { apiVersion: 'apps/v1', namespaced: true },
  daemonsets: { apiVersion: 'apps/v1', namespaced: true },
  deployments: { apiVersion: 'apps/v1', namespaced: true },
  replicasets: { apiVersion: 'apps/v1', namespaced: true },
  controllerrevisions: { apiVersion: 'apps/v1', namespaced: true },
  persistentvolumeclaims: { apiVersion: 'v1', namespaced: true },
  persistentvolumes: { apiVersion: 'v1', namespaced: false },
  storageclasses: { apiVersion: 'storage.k8s.io/v1', namespaced: false },
  services: { apiVersion: 'v1', namespaced: true },
  endpointslices: { apiVersion: 'discovery.k8s.io/v1', namespaced: true },
  events: { apiVersion: 'v1', namespaced: true },
};

export function emptyObjects(): Objects {
  return Object.fromEntries(Object.keys(RESOURCES).map((r) => [r, []])) as unknown as Objects;
}

/** The owner that controls `obj` (controller: true), if any. */
export const controllerOf = (obj: KubeObject) => obj.metadata.ownerReferences?.find((r) => r.controller);

export const ownedBy = (obj: KubeObject, owner: KubeObject): boolean => controllerOf(obj)?.uid === owner.metadata.uid;

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export const conditionOf = (obj: KubeObject, type: string): Condition | undefined =>
  ((obj.status as { conditions?: Condition[] } | undefined)?.conditions ?? []).find((c) => c.type === type);

/** How a pod looks at a glance, in the words `kubectl get pods` uses where it can. */
export type PodState = 'Pending' | 'ContainerCreating' | 'Running' | 'Ready' | 'Terminating' | 'Succeeded' | 'Failed';

export interface PodGlance {
  name: string;
  state: PodState;
  ready: boolean;
  node?: string;
  /** A waiting or terminated container's reason (CrashLoopBackOff, ImagePullBackOff, Error…). */
  reason?: string;
  restarts: number;
}

interface ContainerStatus {
  restartCount?: number;
  state?: { waiting?: { reason?: string }; terminated?: { reason?: string } };
}

export function podGlance(pod: KubeObject): PodGlance {
  const status = (pod.status ?? {}) as { phase?: string; containerStatuses?: ContainerStatus[] };
  const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName || undefined;
  const ready = conditionOf(pod, 'Ready')?.status === 'True';
  const containers = status.containerStatuses ?? [];
  const restarts = containers.reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const reason = containers.map((c) => c.state?.waiting?.reason ?? c.state?.terminated?.reason).find((r) => r && r !== 'Completed');
  let state: PodState;
  if (pod.metadata.deletionTimestamp) state = 'Terminating';
  else if (status.phase === 'Succeeded' || status.phase === 'Failed') state = status.phase;
  else if (status.phase === 'Running') state = ready ? 'Ready' : 'Running';
  else state = node ? 'ContainerCreating' : 'Pending';
  return { name: pod.metadata.name!, state, ready, ...(node ? { node } : {}), ...(reason ? { reason } : {}), restarts };
}

/** Objects of one namespace ('' for every namespace). */
export function inNamespace<T extends KubeObject>(items: readonly T[], namespace: string): T[] {
  return namespace ? items.filter((o) => o.metadata.namespace === namespace) : [...items];
}

/** `kubectl`'s namespace flag for an object (none for the default namespace). */
export const nsFlag = (namespace: string | undefined): string => (namespace && namespace !== 'default' ? ` -n ${namespace}` : '');
