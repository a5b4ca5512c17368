// The storage view: classes, claims (and the pods that use them) and volumes, with their phases:
// what the seeds' storage chapter describes, as it stands.
import type { KubeObject } from '../../api/meta/types.ts';
import type { Objects } from './objects.ts';

const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';

export interface ClassGlance {
  name: string;
  provisioner: string;
  bindingMode: string;
  reclaimPolicy: string;
  isDefault: boolean;
  expandable: boolean;
}

export interface ClaimRow {
  namespace: string;
  name: string;
  phase: string;
  storageClass: string;
  /** Requested size, or the bound capacity once bound. */
  capacity: string;
  accessModes: string[];
  volume?: string;
  /** Pods whose volumes name the claim. */
  usedBy: string[];
}

export interface VolumeRow {
  name: string;
  phase: string;
  capacity: string;
  reclaimPolicy: string;
  storageClass: string;
  /** `namespace/name` of the claim it is bound to. */
  claim?: string;
  /** Where the data lives, for local and hostPath volumes. */
  path?: string;
}

export interface StorageView {
  classes: ClassGlance[];
  claims: ClaimRow[];
  volumes: VolumeRow[];
}

const byName = (a: KubeObject, b: KubeObject) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`, undefined, { numeric: true });

export function storageView(objects: Pick<Objects, 'storageclasses' | 'persistentvolumeclaims' | 'persistentvolumes' | 'pods'>): StorageView {
  const usedBy = new Map<string, string[]>();
  for (const pod of objects.pods) {
    for (const v of (pod.spec as { volumes?: { name: string; persistentVolumeClaim?: { claimName: string }; ephemeral?: unknown }[] } | undefined)?.volumes ?? []) {
      // A generic ephemeral volume's claim is named <pod>-<volume> (the ephemeral volume controller's rule).
      const claim = v.persistentVolumeClaim?.claimName ?? (v.ephemeral ? `${pod.metadata.name}-${v.name}` : undefined);
      if (!claim) continue;
      const key = `${pod.metadata.namespace}/${claim}`;
      usedBy.set(key, [...(usedBy.get(key) ?? []), pod.metadata.name!]);
    }
  }
  const classes = [...objects.storageclasses].sort(byName).map((c): ClassGlance => {
    const sc = c as KubeObject & { provisioner?: string; volumeBindingMode?: string; reclaimPolicy?: string; allowVolumeExpansion?: boolean };
    return {
      name: c.metadata.name!,
      provisioner: sc.provisioner ?? '',
      bindingMode: sc.volumeBindingMode ?? 'Immediate',
      reclaimPolicy: sc.reclaimPolicy ?? 'Delete',
      isDefault: c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true',
      expandable: !!sc.allowVolumeExpansion,
    };
  });
  const claims = [...objects.persistentvolumeclaims].sort(byName).map((c): ClaimRow => {
    const spec = (c.spec ?? {}) as { storageClassName?: string; accessModes?: string[]; volumeName?: string; resources?: { requests?: { storage?: string } } };
    const status = (c.status ?? {}) as { phase?: string; capacity?: { storage?: string } };
    return {
      namespace: c.metadata.namespace ?? '',
      name: c.metadata.name!,
      phase: c.metadata.deletionTimestamp ? 'Terminating' : (status.phase ?? 'Pending'),
      storageClass: spec.storageClassName ?? '',
      capacity: status.capacity?.storage ?? spec.resources?.requests?.storage ?? '',
      accessModes: spec.accessModes ?? [],
      ...(spec.volumeName ? { volume: spec.volumeName } : {}),
      usedBy: (usedBy.get(`${c.metadata.namespace}/${c.metadata.name}`) ?? []).sort(),
    };
  });
  const volumes = [...objects.persistentvolumes].sort(byName).map((v): VolumeRow => {
    const spec = (v.spec ?? {}) as { capacity?: { storage?: string }; persistentVolumeReclaimPolicy?: string; storageClassName?: string; claimRef?: { namespace?: string; name?: string }; local?: { path?: string }; hostPath?: { path?: string } };
    const path = spec.local?.path ?? spec.hostPath?.path;
    return {
      name: v.metadata.name!,
      phase: v.metadata.deletionTimestamp ? 'Terminating' : ((v.status as { phase?: string } | undefined)?.phase ?? 'Pending'),
      capacity: spec.capacity?.storage ?? '',
      reclaimPolicy: spec.persistentVolumeReclaimPolicy ?? 'Retain',
      storageClass: spec.storageClassName ?? '',
      ...(spec.claimRef?.name ? { claim: spec.claimRef.namespace ? `${spec.claimRef.namespace}/${spec.claimRef.name}` : spec.claimRef.name } : {}),
      ...(path ? { path } : {}),
    };
  });
  return { classes, claims, volumes };
}
