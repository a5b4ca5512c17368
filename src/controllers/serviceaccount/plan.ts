// The decisions of the ServiceAccount controller (kubernetes/kubernetes
// pkg/controller/serviceaccount/serviceaccounts_controller.go) and of the root CA publisher
// (pkg/controller/certificates/rootcacertpublisher/publisher.go), pure: from a namespace and what
// the cache holds to the one write, if any, that converges it.
import type { KubeObject } from '../../api/meta/types.ts';
import { DEFAULT_SERVICE_ACCOUNT, ROOT_CA_CONFIGMAP } from '../../auth/serviceaccount/pod-token-volume.ts';

export { DEFAULT_SERVICE_ACCOUNT, ROOT_CA_CONFIGMAP };
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
export const ROOT_CA_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. ' +
  'No other usage is guaranteed across distributions of Kubernetes clusters.';

/** Only an active namespace gets objects: a terminating one refuses new content anyway. */
function active(ns: KubeObject | undefined): boolean {
  if (!ns || ns.metadata.deletionTimestamp) return false;
  const phase = (ns.status as { phase?: string } | undefined)?.phase;
  return phase === undefined || phase === 'Active';
}

/** The `default` ServiceAccount to create in `ns`, or undefined when it exists or must not. */
export function planServiceAccount(ns: KubeObject | undefined, existing: KubeObject | undefined): KubeObject | undefined {
  if (!active(ns) || existing) return undefined;
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace: ns!.metadata.name } };
}

export type RootCaStep = { kind: 'create'; configMap: KubeObject } | { kind: 'update'; configMap: KubeObject };

/**
 * The write that makes `kube-root-ca.crt` in `ns` hold exactly `caPem` under `ca.crt` with the
 * description annotation; undefined when it already does. Other data keys are dropped, as upstream.
 */
export function planRootCa(ns: KubeObject | undefined, existing: KubeObject | undefined, caPem: string): RootCaStep | undefined {
  if (!active(ns)) return undefined;
  const data = { 'ca.crt': caPem };
  if (!existing) {
    return {
      kind: 'create',
      configMap: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA_CONFIGMAP, namespace: ns!.metadata.name, annotations: { [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION } }, data },
    };
  }
  const current = (existing.data ?? {}) as Record<string, string>;
  const sameData = Object.keys(current).length === 1 && current['ca.crt'] === caPem;
  // Upstream leaves an annotation someone reworded alone; it only fills in a missing one.
  if (sameData && existing.metadata.annotations?.[DESCRIPTION_ANNOTATION]) return undefined;
  const next = structuredClone(existing) as KubeObject;
  next.data = data;
  next.metadata.annotations = { ...next.metadata.annotations, [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION };
  return { kind: 'update', configMap: next };
}
