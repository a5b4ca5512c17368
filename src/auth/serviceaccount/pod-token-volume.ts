// What the ServiceAccount admission plugin changes in a new pod, pure (kubernetes/kubernetes
// plugin/pkg/admission/serviceaccount/admission.go): the account name defaulted, the account's
// image pull secrets copied, and the `kube-api-access-*` projected volume (a bound token, the
// cluster CA, the namespace) mounted read-only in every container that does not mount something
// at the token path already.
import { WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS } from './claims.ts';

export const DEFAULT_SERVICE_ACCOUNT = 'default';
export const TOKEN_VOLUME_PREFIX = 'kube-api-access-';
export const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}
interface Container {
  volumeMounts?: VolumeMount[];
}
export interface PodSpec {
  serviceAccountName?: string;
  serviceAccount?: string;
  automountServiceAccountToken?: boolean;
  imagePullSecrets?: { name?: string }[];
  volumes?: { name: string }[];
  containers?: Container[];
  initContainers?: Container[];
}
export interface ServiceAccount {
  automountServiceAccountToken?: boolean;
  imagePullSecrets?: { name?: string }[];
}

/** The account a pod runs as: its name field, else the deprecated one, else `default`. */
export function serviceAccountNameOf(spec: PodSpec): string {
  return spec.serviceAccountName || spec.serviceAccount || DEFAULT_SERVICE_ACCOUNT;
}

/** The pod's choice wins, then the account's; mounting is the default. */
export function shouldAutomount(spec: PodSpec, sa: ServiceAccount | undefined): boolean {
  return spec.automountServiceAccountToken ?? sa?.automountServiceAccountToken ?? true;
}

/** The projected source upstream's TokenVolumeSource returns, defaults written out. */
export function tokenVolumeSource() {
  return {
    defaultMode: 0o644,
    sources: [
      { serviceAccountToken: { expirationSeconds: WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS, path: 'token' } },
      { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  };
}

/**
 * Applies the plugin's changes to `spec` in place. `newVolumeName` names the token volume when the
 * pod has no `kube-api-access-*` volume yet.
 */
export function admitPodSpec(spec: PodSpec, sa: ServiceAccount | undefined, newVolumeName: () => string): void {
  const name = serviceAccountNameOf(spec);
  spec.serviceAccountName = name;
  // The v1 API writes the deprecated field from the current one.
  spec.serviceAccount = name;
  if (shouldAutomount(spec, sa)) mountToken(spec, newVolumeName);
  if (!spec.imagePullSecrets?.length && sa?.imagePullSecrets?.length) spec.imagePullSecrets = sa.imagePullSecrets.map((s) => ({ name: s.name }));
}

function mountToken(spec: PodSpec, newVolumeName: () => string): void {
  const existing = (spec.volumes ?? []).find((v) => v.name.startsWith(TOKEN_VOLUME_PREFIX));
  const volumeName = existing?.name ?? newVolumeName();
  let needsVolume = false;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    // Something of the pod's own at the token path keeps the token out of that container.
    if ((c.volumeMounts ?? []).some((m) => m.mountPath === TOKEN_MOUNT_PATH)) continue;
    c.volumeMounts = [...(c.volumeMounts ?? []), { name: volumeName, readOnly: true, mountPath: TOKEN_MOUNT_PATH }];
    needsVolume = true;
  }
  if (!existing && needsVolume) spec.volumes = [...(spec.volumes ?? []), { name: volumeName, projected: tokenVolumeSource() } as { name: string }];
}
