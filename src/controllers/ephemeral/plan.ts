// The generic ephemeral volume controller's decision (pkg/controller/volume/ephemeral/
// controller.go handleVolume): every `ephemeral` volume of a pod gets the claim
// `<pod>-<volume>` made from its template and owned by the pod, so it goes with the pod. Pure.
import type { KubeObject } from '../../api/meta/types.ts';

interface EphemeralVolume {
  name: string;
  ephemeral?: { volumeClaimTemplate?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> } };
}

export type EphemeralStep = { kind: 'create'; claim: KubeObject } | { kind: 'notOwner'; message: string };

/**
 * The claims to create for the pod's ephemeral volumes, and the conflicts to report (a claim of
 * that name exists but belongs to something else). Pods being deleted get nothing new.
 */
export function planEphemeralClaims(pod: KubeObject, existing: (name: string) => KubeObject | undefined): EphemeralStep[] {
  if (pod.metadata.deletionTimestamp) return [];
  const ns = pod.metadata.namespace!;
  const steps: EphemeralStep[] = [];
  for (const v of ((pod.spec as { volumes?: EphemeralVolume[] } | undefined)?.volumes ?? [])) {
    if (!v.ephemeral) continue;
    const name = `${pod.metadata.name}-${v.name}`;
    const have = existing(name);
    if (have) {
      if (!(have.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === pod.metadata.uid)) {
        steps.push({ kind: 'notOwner', message: `PVC ${ns}/${name} was not created for pod ${ns}/${pod.metadata.name} (pod is not owner)` });
      }
      continue;
    }
    const t = v.ephemeral.volumeClaimTemplate ?? {};
    steps.push({
      kind: 'create',
      claim: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: {
          name,
          namespace: ns,
          ...(t.metadata?.labels ? { labels: { ...t.metadata.labels } } : {}),
          ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
          ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name!, uid: pod.metadata.uid!, controller: true, blockOwnerDeletion: true }],
        },
        spec: structuredClone(t.spec ?? {}),
      },
    });
  }
  return steps;
}
