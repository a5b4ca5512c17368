// Service account tokens with the real kubectl 1.35 and @kubernetes/client-node: a new namespace
// gets its `default` ServiceAccount and `kube-root-ca.crt`, `kubectl create token` (with
// --duration, --audience and --bound-object-*) issues tokens, and a kubeconfig holding one talks
// to the server as the account, within what RBAC grants it.
import * as k8s from '@kubernetes/client-node';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { kubectlOk, useK8ts, waitFor } from './harness.ts';

const cluster = useK8ts();
const NS = 'sa-demo';
const ok = (args: string[]) => kubectlOk(cluster(), args);
const payload = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));

/** A kubeconfig of its own holding only the cluster and this token, as one would hand to a program. */
function tokenKubeconfig(token: string, name: string): string {
  const k = cluster();
  const path = join(k.dataDir, `${name}.kubeconfig`);
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'k8ts', cluster: { server: k.url, 'certificate-authority-data': Buffer.from(k.caPem).toString('base64') } }],
      users: [{ name, user: { token } }],
      contexts: [{ name, context: { cluster: 'k8ts', user: name, namespace: NS } }],
      'current-context': name,
    }),
  );
  return path;
}
const asToken = (token: string, args: string[]) => cluster().kubectl(args, { allowFail: true, env: { KUBECONFIG: tokenKubeconfig(token, 'sa') } });

describe('service accounts with kubectl', () => {
  it('gives a new namespace its default ServiceAccount and the cluster CA', async () => {
    await ok(['create', 'namespace', NS]);
    await waitFor(async () => (await cluster().kubectl(['get', 'serviceaccount', 'default', '-n', NS], { allowFail: true })).code === 0);
    const ca = await waitFor(async () => (await cluster().kubectl(['get', 'configmap', 'kube-root-ca.crt', '-n', NS, '-o', 'jsonpath={.data.ca\\.crt}'], { allowFail: true })).stdout);
    expect(ca).toBe(cluster().caPem);
  });

  it('kubectl create token: a kubeconfig with the token is the account, refused until bound', async () => {
    const token = (await ok(['create', 'token', 'default', '-n', NS])).trim();
    expect(payload(token)).toMatchObject({ aud: ['https://kubernetes.default.svc.cluster.local'], sub: `system:serviceaccount:${NS}:default` });
    const who = await asToken(token, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    expect(who.stdout).toBe(`system:serviceaccount:${NS}:default`);
    const refused = await asToken(token, ['get', 'pods']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:${NS}:default" cannot list resource "pods" in API group "" in the namespace "${NS}"`);
    await ok(['create', 'rolebinding', 'sa-view', '-n', NS, '--clusterrole', 'view', '--serviceaccount', `${NS}:default`]);
    await waitFor(async () => (await asToken(token, ['get', 'pods'])).code === 0);
  });

  it('--duration and --audience, with upstream refusals', async () => {
    const long = (await ok(['create', 'token', 'default', '-n', NS, '--duration', '2h'])).trim();
    const p = payload(long);
    expect(p.exp - p.iat).toBe(7200);
    const short = await cluster().kubectl(['create', 'token', 'default', '-n', NS, '--duration', '5m'], { allowFail: true });
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('failed to create token: TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes');
    const vault = (await ok(['create', 'token', 'default', '-n', NS, '--audience', 'vault'])).trim();
    expect(payload(vault).aud).toEqual(['vault']);
    const refused = await asToken(vault, ['get', 'pods']);
    expect(refused.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
    const missing = await cluster().kubectl(['create', 'token', 'nobody', '-n', NS], { allowFail: true });
    expect(missing.stderr).toContain('error: failed to create token: serviceaccounts "nobody" not found');
  });

  it('--bound-object-kind Pod: the token ends with the pod', async () => {
    await ok(['run', 'holder', '-n', NS, '--image', 'nginx:1.25']);
    const mounted = await ok(['get', 'pod', 'holder', '-n', NS, '-o', 'jsonpath={.spec.serviceAccountName} {.spec.containers[0].volumeMounts[0].mountPath} {.spec.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds}']);
    expect(mounted).toBe('default /var/run/secrets/kubernetes.io/serviceaccount 3607');
    const uid = await ok(['get', 'pod', 'holder', '-n', NS, '-o', 'jsonpath={.metadata.uid}']);
    const token = (await ok(['create', 'token', 'default', '-n', NS, '--bound-object-kind', 'Pod', '--bound-object-name', 'holder', '--bound-object-uid', uid])).trim();
    expect(payload(token)['kubernetes.io'].pod).toEqual({ name: 'holder', uid });
    expect((await asToken(token, ['get', 'pods', '-o', 'name'])).stdout).toContain('pod/holder');
    await ok(['delete', 'pod', 'holder', '-n', NS, '--grace-period', '0', '--force']);
    await waitFor(async () => (await asToken(token, ['get', 'pods'])).stderr.includes('Unauthorized'));
  });

  it('a pod naming a ServiceAccount that does not exist is refused', async () => {
    const r = await cluster().kubectl(['run', 'lost', '-n', NS, '--image', 'nginx:1.25', '--overrides', '{"spec":{"serviceAccountName":"ghost"}}'], { allowFail: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Error from server (Forbidden): pods "lost" is forbidden: error looking up service account ${NS}/ghost: serviceaccount "ghost" not found`);
  });
});

describe('service accounts with client-node', () => {
  it('lists pods with a token from kubectl create token', async () => {
    const token = (await ok(['create', 'token', 'default', '-n', NS])).trim();
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(tokenKubeconfig(token, 'client-node'));
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const pods = await core.listNamespacedPod({ namespace: NS });
    expect(pods.kind ?? 'PodList').toBe('PodList');
    await expect(core.listNamespacedSecret({ namespace: NS })).rejects.toMatchObject({ code: 403 });
  });
});
