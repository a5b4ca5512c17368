// The StatefulSet view: a row of ordinal slots, each with its pod (phase, readiness, revision,
// node) and the claims and volumes beneath it. Slots past the replica count stay while a pod is
// still there (scale-down in progress) or a claim is left waiting for its ordinal to return.
import type { KubeObject } from '../../api/meta/types.ts';
import { claimName, parentAndOrdinal, revisionOf } from '../../controllers/statefulset/identity.ts';
import { setSpec, setStatus } from '../../controllers/statefulset/types.ts';
import { controllerOf, podGlance, type Objects, type PodGlance } from './objects.ts';

export interface ClaimGlance {
  name: string;
  /** The volumeClaimTemplate it comes from. */
  template: string;
  /** Missing: not created (yet); else the claim's phase. */
  phase: 'Missing' | 'Pending' | 'Bound' | 'Lost';
  volume?: string;
  volumePhase?: string;
  capacity?: string;
  storageClass?: string;
}

/** Where a pod stands in a rolling update. */
export type RevisionMark = 'update' | 'current' | 'old' | 'none';

export interface Slot {
  ordinal: number;
  podName: string;
  /** Absent while the ordinal has no pod. */
  pod?: PodGlance;
  revision: RevisionMark;
  /** In [start, start + replicas): the set wants this ordinal. */
  wanted: boolean;
  /** Below start + partition: a rolling update leaves it at the current revision. */
  belowPartition: boolean;
  claims: ClaimGlance[];
}

export interface StatefulSetView {
  namespace: string;
  name: string;
  replicas: number;
  readyReplicas: number;
  updatedReplicas: number;
  currentRevision: string;
  updateRevision: string;
  strategy: 'RollingUpdate' | 'OnDelete';
  /** The RollingUpdate partition (0 when none). */
  partition: number;
  podManagementPolicy: 'OrderedReady' | 'Parallel';
  serviceName: string;
  /** Ordered by ordinal. */
  slots: Slot[];
  /** One line: "3/5 ready · updating 2 of 5 (partition 3)". */
  summary: string;
}

const claimPhase = (c: KubeObject | undefined): ClaimGlance['phase'] => (c ? (((c.status as { phase?: string } | undefined)?.phase ?? 'Pending') as ClaimGlance['phase']) : 'Missing');

function claimGlance(template: string, name: string, claim: KubeObject | undefined, volumes: ReadonlyMap<string, KubeObject>): ClaimGlance {
  const spec = (claim?.spec ?? {}) as { volumeName?: string; storageClassName?: string; resources?: { requests?: { storage?: string } } };
  const status = (claim?.status ?? {}) as { capacity?: { storage?: string } };
  const volume = spec.volumeName ? volumes.get(spec.volumeName) : undefined;
  const volumePhase = (volume?.status as { phase?: string } | undefined)?.phase;
  const capacity = status.capacity?.storage ?? spec.resources?.requests?.storage;
  return {
    name,
    template,
    phase: claimPhase(claim),
    ...(spec.volumeName ? { volume: spec.volumeName } : {}),
    ...(volumePhase ? { volumePhase } : {}),
    ...(capacity ? { capacity } : {}),
    ...(spec.storageClassName ? { storageClass: spec.storageClassName } : {}),
  };
}

/** The view of one StatefulSet from the objects of its namespace. */
export function statefulSetView(set: KubeObject, objects: Pick<Objects, 'pods' | 'persistentvolumeclaims' | 'persistentvolumes'>): StatefulSetView {
  const spec = setSpec(set);
  const status = setStatus(set);
  const ns = set.metadata.namespace ?? 'default';
  const name = set.metadata.name!;
  const replicas = spec.replicas ?? 1;
  const start = spec.ordinals?.start ?? 0;
  const strategy = spec.updateStrategy?.type ?? 'RollingUpdate';
  const partition = strategy === 'RollingUpdate' ? (spec.updateStrategy?.rollingUpdate?.partition ?? 0) : 0;
  const currentRevision = status.currentRevision ?? '';
  const updateRevision = status.updateRevision ?? '';
  const templates = (spec.volumeClaimTemplates ?? []).map((t) => t.metadata.name!);

  const pods = new Map<number, KubeObject>();
  for (const pod of objects.pods) {
    if (pod.metadata.namespace !== ns || controllerOf(pod)?.uid !== set.metadata.uid) continue;
    const { parent, ordinal } = parentAndOrdinal(pod.metadata.name);
    if (parent === name && ordinal >= 0) pods.set(ordinal, pod);
  }
  const claims = new Map<string, KubeObject>();
  const claimOrdinals = new Set<number>();
  for (const c of objects.persistentvolumeclaims) {
    if (c.metadata.namespace !== ns) continue;
    for (const t of templates) {
      const prefix = `${t}-${name}-`;
      const rest = c.metadata.name!.startsWith(prefix) ? c.metadata.name!.slice(prefix.length) : '';
      if (/^[0-9]+$/.test(rest)) {
        claims.set(c.metadata.name!, c);
        claimOrdinals.add(Number(rest));
      }
    }
  }
  const volumes = new Map(objects.persistentvolumes.map((v) => [v.metadata.name!, v]));

  const ordinals = new Set<number>();
  for (let i = start; i < start + replicas; i++) ordinals.add(i);
  for (const o of pods.keys()) ordinals.add(o);
  for (const o of claimOrdinals) ordinals.add(o);

  const slots = [...ordinals]
    .sort((a, b) => a - b)
    .map((ordinal): Slot => {
      const pod = pods.get(ordinal);
      const rev = pod ? revisionOf(pod) : '';
      // Outside a rollout (current = update) every pod is at the current revision.
      const revision: RevisionMark = !pod ? 'none' : rev && rev === currentRevision ? 'current' : rev && rev === updateRevision ? 'update' : 'old';
      return {
        ordinal,
        podName: `${name}-${ordinal}`,
        ...(pod ? { pod: podGlance(pod) } : {}),
        revision,
        wanted: ordinal >= start && ordinal < start + replicas,
        // The partition counts from ordinals.start, as the controller reads it (plan.ts usesCurrentRevision).
        belowPartition: ordinal < start + partition,
        claims: templates.map((t) => {
          const cn = claimName(set, { metadata: { name: t } } as KubeObject, ordinal);
          return claimGlance(t, cn, claims.get(cn), volumes);
        }),
      };
    });

  const readyReplicas = status.readyReplicas ?? 0;
  const updatedReplicas = status.updatedReplicas ?? 0;
  const parts = [`${readyReplicas}/${replicas} ready`];
  if (updateRevision && currentRevision && updateRevision !== currentRevision) {
    parts.push(`updating: ${updatedReplicas} of ${replicas} at the new revision${partition ? ` (partition ${partition})` : ''}`);
  } else if (partition) parts.push(`partition ${partition}`);
  if (strategy === 'OnDelete') parts.push('OnDelete: pods change when deleted');
  return {
    namespace: ns,
    name,
    replicas,
    readyReplicas,
    updatedReplicas,
    currentRevision,
    updateRevision,
    strategy,
    partition,
    podManagementPolicy: spec.podManagementPolicy ?? 'OrderedReady',
    serviceName: spec.serviceName ?? '',
    slots,
    summary: parts.join(' · '),
  };
}
