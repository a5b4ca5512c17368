import { describe, expect, it } from 'vitest';
import { admitPodSpec, TOKEN_MOUNT_PATH, tokenVolumeSource, type PodSpec, type ServiceAccount } from './pod-token-volume.ts';

const mount = { name: 'kube-api-access-abcde', readOnly: true, mountPath: TOKEN_MOUNT_PATH };
const volume = { name: 'kube-api-access-abcde', projected: tokenVolumeSource() };

describe('admitPodSpec', () => {
  const cases: { name: string; spec: PodSpec; sa?: ServiceAccount; want: PodSpec }[] = [
    {
      name: 'defaults the account and mounts the token in every container',
      spec: { containers: [{}], initContainers: [{ volumeMounts: [{ name: 'data', mountPath: '/data' }] }] },
      want: {
        serviceAccountName: 'default',
        serviceAccount: 'default',
        containers: [{ volumeMounts: [mount] }],
        initContainers: [{ volumeMounts: [{ name: 'data', mountPath: '/data' }, mount] }],
        volumes: [volume],
      },
    },
    { name: 'the deprecated field names the account', spec: { serviceAccount: 'old', containers: [] }, want: { serviceAccountName: 'old', serviceAccount: 'old', containers: [] } },
    { name: 'the pod turns automount off', spec: { serviceAccountName: 'x', automountServiceAccountToken: false, containers: [{}] }, want: { serviceAccountName: 'x', serviceAccount: 'x', automountServiceAccountToken: false, containers: [{}] } },
    { name: 'the account turns automount off', spec: { containers: [{}] }, sa: { automountServiceAccountToken: false }, want: { serviceAccountName: 'default', serviceAccount: 'default', containers: [{}] } },
    {
      name: "the pod's choice wins over the account's",
      spec: { automountServiceAccountToken: true, containers: [{}] },
      sa: { automountServiceAccountToken: false },
      want: { serviceAccountName: 'default', serviceAccount: 'default', automountServiceAccountToken: true, containers: [{ volumeMounts: [mount] }], volumes: [volume] },
    },
    {
      name: 'a container with its own mount at the token path keeps it',
      spec: { containers: [{ volumeMounts: [{ name: 'mine', mountPath: TOKEN_MOUNT_PATH }] }] },
      want: { serviceAccountName: 'default', serviceAccount: 'default', containers: [{ volumeMounts: [{ name: 'mine', mountPath: TOKEN_MOUNT_PATH }] }] },
    },
    {
      name: 'an existing kube-api-access volume is reused',
      spec: { containers: [{}], volumes: [{ name: 'kube-api-access-zzzzz' }] },
      want: { serviceAccountName: 'default', serviceAccount: 'default', containers: [{ volumeMounts: [{ ...mount, name: 'kube-api-access-zzzzz' }] }], volumes: [{ name: 'kube-api-access-zzzzz' }] },
    },
    {
      name: "the account's image pull secrets when the pod has none",
      spec: { automountServiceAccountToken: false, containers: [] },
      sa: { imagePullSecrets: [{ name: 'reg' }] },
      want: { serviceAccountName: 'default', serviceAccount: 'default', automountServiceAccountToken: false, containers: [], imagePullSecrets: [{ name: 'reg' }] },
    },
  ];
  it.each(cases)('$name', (c) => {
    const spec = structuredClone(c.spec);
    admitPodSpec(spec, c.sa, () => 'kube-api-access-abcde');
    expect(spec).toEqual(c.want);
  });

  it('is the projected volume upstream mounts', () => {
    expect(tokenVolumeSource()).toEqual({
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    });
  });
});
