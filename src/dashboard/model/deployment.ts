// The Deployment view, for contrast with StatefulSets: ReplicaSets by revision, each with pods
// whose names end in random suffixes and come and go in no order.
import type { KubeObject } from '../../api/meta/types.ts';
import { controllerOf, podGlance, type Objects, type PodGlance } from './objects.ts';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

export interface ReplicaSetGlance {
  name: string;
  revision: number;
  /** The pod-template-hash its pods carry. */
  hash: string;
  desired: number;
  ready: number;
  /** The newest revision: the one a rollout moves to. */
  newest: boolean;
  pods: PodGlance[];
}

export interface DeploymentView {
  namespace: string;
  name: string;
  replicas: number;
  ready: number;
  updated: number;
  available: number;
  strategy: string;
  /** RollingUpdate's budget as written (25% by default). */
  maxSurge?: string;
  maxUnavailable?: string;
  /** Newest first. */
  replicaSets: ReplicaSetGlance[];
  summary: string;
}

const revisionOf = (rs: KubeObject) => Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? 0) || 0;

export function deploymentView(deployment: KubeObject, objects: Pick<Objects, 'replicasets' | 'pods'>): DeploymentView {
  const spec = (deployment.spec ?? {}) as { replicas?: number; strategy?: { type?: string; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } } };
  const status = (deployment.status ?? {}) as { readyReplicas?: number; updatedReplicas?: number; availableReplicas?: number };
  const ns = deployment.metadata.namespace ?? 'default';
  const owned = objects.replicasets.filter((rs) => rs.metadata.namespace === ns && controllerOf(rs)?.uid === deployment.metadata.uid);
  const newest = Math.max(0, ...owned.map(revisionOf));
  const podsOf = new Map<string, PodGlance[]>();
  for (const pod of objects.pods) {
    const ref = controllerOf(pod);
    if (pod.metadata.namespace !== ns || ref?.kind !== 'ReplicaSet') continue;
    const list = podsOf.get(ref.uid) ?? [];
    list.push(podGlance(pod));
    podsOf.set(ref.uid, list);
  }
  const replicaSets = owned
    .map((rs): ReplicaSetGlance => {
      const rsSpec = (rs.spec ?? {}) as { replicas?: number };
      return {
        name: rs.metadata.name!,
        revision: revisionOf(rs),
        hash: rs.metadata.labels?.['pod-template-hash'] ?? '',
        desired: rsSpec.replicas ?? 0,
        ready: (rs.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0,
        newest: revisionOf(rs) === newest,
        pods: (podsOf.get(rs.metadata.uid!) ?? []).sort((a, b) => a.name.localeCompare(b.name)),
      };
    })
    .sort((a, b) => b.revision - a.revision);
  const replicas = spec.replicas ?? 1;
  const strategy = spec.strategy?.type ?? 'RollingUpdate';
  const rolling = strategy === 'RollingUpdate';
  const ready = status.readyReplicas ?? 0;
  const updated = status.updatedReplicas ?? 0;
  const parts = [`${ready}/${replicas} ready`];
  if (updated < replicas) parts.push(`${updated} of ${replicas} updated`);
  if (replicaSets.filter((r) => r.desired > 0).length > 1) parts.push('rolling out');
  return {
    namespace: ns,
    name: deployment.metadata.name!,
    replicas,
    ready,
    updated,
    available: status.availableReplicas ?? 0,
    strategy,
    ...(rolling ? { maxSurge: String(spec.strategy?.rollingUpdate?.maxSurge ?? '25%'), maxUnavailable: String(spec.strategy?.rollingUpdate?.maxUnavailable ?? '25%') } : {}),
    replicaSets,
    summary: parts.join(' · '),
  };
}
