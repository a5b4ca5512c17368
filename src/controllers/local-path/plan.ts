// Decisions of the built-in local-path provisioner `k8ts.io/local-path`, after
// rancher/local-path-provisioner (provisioner.go Provision, Delete, getPathAndNodeForPV) and the
// external-provisioner library it runs in (sig-storage-lib-external-provisioner controller.go
// shouldProvision, shouldDelete). Pure: which claims to provision, the volume to create, which
// volumes to delete and where their directories are.
import { join } from 'node:path';
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_DYNAMICALLY_PROVISIONED,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  claimClass,
  claimRefFor,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type StorageClass,
} from '../../api/storage/volume.ts';

export const LOCAL_PATH_PROVISIONER = 'k8ts.io/local-path';
/** On a provisioned volume: the node its directory lives on (rancher's key). */
export const ANN_LOCAL_PATH_NODE = 'local.path.provisioner/selected-node';
export const DEFAULT_NODE_AFFINITY_KEY = 'kubernetes.io/hostname';

export interface NodeLite {
  metadata: { name?: string; labels?: Record<string, string> };
}

/** The volume name a provisioner gives a claim's volume. */
export const volumeNameFor = (pvc: PersistentVolumeClaim) => `pvc-${pvc.metadata.uid}`;

/**
 * shouldProvision: the claim is unbound, addressed to this provisioner (annotation and class),
 * not being deleted, and — for WaitForFirstConsumer classes — the scheduler has chosen a node.
 */
export function shouldProvision(pvc: PersistentVolumeClaim, sc: StorageClass | undefined, provisioner = LOCAL_PATH_PROVISIONER): boolean {
  if (pvc.spec?.volumeName || pvc.metadata.deletionTimestamp) return false;
  const a = pvc.metadata.annotations ?? {};
  if ((a[ANN_STORAGE_PROVISIONER] ?? a[ANN_BETA_STORAGE_PROVISIONER]) !== provisioner) return false;
  if (!sc || sc.provisioner !== provisioner) return false;
  if (sc.volumeBindingMode === 'WaitForFirstConsumer' && !a[ANN_SELECTED_NODE]) return false;
  return true;
}

export interface ProvisionRequest {
  pvc: PersistentVolumeClaim;
  sc: StorageClass;
  /** The selected node (WaitForFirstConsumer) or the one k8ts picked (Immediate); undefined: none. */
  node: NodeLite | undefined;
  /** Directory under which volumes are created (`<dataDir>/storage`). */
  baseDir: string;
  provisioner?: string;
}

/** The volume to create and its directory, or why the claim cannot be provisioned. */
export function planProvision(r: ProvisionRequest): { pv: PersistentVolume; dir: string } | { error: string } {
  const { pvc, sc, node } = r;
  if (pvc.spec?.selector) return { error: 'claim.Spec.Selector is not supported' };
  for (const m of pvc.spec?.accessModes ?? []) {
    if (m !== 'ReadWriteOnce' && m !== 'ReadWriteOncePod') return { error: 'NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes' };
  }
  if (!node?.metadata.name) return { error: 'configuration error, no node was specified' };
  const name = volumeNameFor(pvc);
  const dir = join(r.baseDir, `${name}_${pvc.metadata.namespace}_${pvc.metadata.name}`);
  const volumeType = (pvc.metadata.annotations?.volumeType ?? sc.metadata.annotations?.defaultVolumeType ?? 'hostPath').toLowerCase();
  let source: Record<string, unknown>;
  if (volumeType === 'local') source = { local: { path: dir } };
  else if (volumeType === 'hostpath') source = { hostPath: { path: dir, type: 'DirectoryOrCreate' } };
  else return { error: `failed to create persistent volume source: "${volumeType}" is not a recognised volume type` };
  const key = sc.parameters?.nodeAffinityKey || DEFAULT_NODE_AFFINITY_KEY;
  const value = node.metadata.labels?.[key] ?? node.metadata.name;
  const pv: PersistentVolume = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, annotations: { [ANN_LOCAL_PATH_NODE]: node.metadata.name, [ANN_DYNAMICALLY_PROVISIONED]: r.provisioner ?? LOCAL_PATH_PROVISIONER } },
    spec: {
      accessModes: [...(pvc.spec?.accessModes ?? [])],
      capacity: { storage: pvc.spec?.resources?.requests?.storage },
      volumeMode: 'Filesystem',
      ...source,
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key, operator: 'In', values: [value] }] }] } },
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
      storageClassName: claimClass(pvc),
      claimRef: claimRefFor(pvc),
      ...(sc.mountOptions?.length ? { mountOptions: [...sc.mountOptions] } : {}),
    },
  };
  return { pv, dir };
}

/** shouldDelete: a Released Delete-policy volume this provisioner made, not already being deleted. */
export function shouldDelete(pv: PersistentVolume, provisioner = LOCAL_PATH_PROVISIONER): boolean {
  if (pv.metadata.deletionTimestamp) return false;
  if (pv.status?.phase !== 'Released') return false;
  if (pv.spec?.persistentVolumeReclaimPolicy !== 'Delete') return false;
  return pv.metadata.annotations?.[ANN_DYNAMICALLY_PROVISIONED] === provisioner;
}

/** The directory and node of a provisioned volume (getPathAndNodeForPV), or why they are unknown. */
export function pathAndNodeOf(pv: PersistentVolume): { path: string; node: string } | { error: string } {
  const hostPath = pv.spec?.hostPath?.path;
  const local = pv.spec?.local?.path;
  const path = hostPath && !local ? hostPath : local && !hostPath ? local : undefined;
  if (!path) return { error: `failed to delete volume ${pv.metadata.name}: no path set` };
  const required = pv.spec?.nodeAffinity?.required;
  if (!pv.spec?.nodeAffinity) return { error: `failed to delete volume ${pv.metadata.name}: no NodeAffinity set` };
  if (!required) return { error: `failed to delete volume ${pv.metadata.name}: no NodeAffinity.Required set` };
  for (const term of required.nodeSelectorTerms ?? []) {
    for (const e of term.matchExpressions ?? []) {
      if (e.operator !== 'In') continue;
      if ((e.values ?? []).length !== 1) return { error: `failed to delete volume ${pv.metadata.name}: multiple values for the node affinity` };
      return { path, node: pv.metadata.annotations?.[ANN_LOCAL_PATH_NODE] ?? e.values![0]! };
    }
  }
  return { error: `failed to delete volume ${pv.metadata.name}: cannot find affinited node` };
}

/**
 * k8ts' choice for Immediate classes (rancher's provisioner refuses them): any Ready node that
 * takes new pods, chosen at random; nodes with NoSchedule taints only when there is no other.
 */
export function pickNodeForImmediate(nodes: readonly (NodeLite & { spec?: unknown; status?: unknown })[], rng: () => number = Math.random): NodeLite | undefined {
  const ready = nodes.filter((n) => {
    const spec = n.spec as { unschedulable?: boolean } | undefined;
    const conds = (n.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
    return !spec?.unschedulable && conds.some((c) => c.type === 'Ready' && c.status === 'True');
  });
  const untainted = ready.filter((n) => !((n.spec as { taints?: { effect: string }[] } | undefined)?.taints ?? []).some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute'));
  const pool = untainted.length ? untainted : ready;
  return pool.length ? pool[Math.floor(rng() * pool.length)] : undefined;
}
