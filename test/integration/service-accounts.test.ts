// Service account tokens against a whole control plane: every namespace gets its `default`
// ServiceAccount and `kube-root-ca.crt`, TokenRequest issues tokens that authenticate as the
// account (and stop working with the account or the bound pod), RBAC sees the account's user,
// and new pods get the account and its token volume.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../src/cli/control-plane.ts';
import { callWithToken, eventually } from './helpers.ts';

const ADMIN = 'admin-token';
const CA = '-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n';
const NS = 'apps';
let cp: ControlPlane;

const call = (token: string, method: string, url: string, body?: unknown) => callWithToken(cp, token, method, url, body);
const admin = (method: string, url: string, body?: unknown) => call(ADMIN, method, url, body);
const tokenFor = async (sa: string, spec: Record<string, unknown> = {}) => {
  const res = await admin('POST', `/api/v1/namespaces/${NS}/serviceaccounts/${sa}/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json.status.token as string;
};
const whoami = async (token: string) => {
  const res = await call(token, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
  return res.status === 201 ? res.json.status.userInfo : res.status;
};
const pod = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...extra } });

beforeAll(async () => {
  cp = await startControlPlane({ datastore: 'memory', token: ADMIN, caCertPem: CA });
  expect((await admin('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })).status).toBe(201);
  await eventually(async () => (await admin('GET', `/api/v1/namespaces/${NS}/serviceaccounts/default`)).status === 200, { what: 'default ServiceAccount' });
}, 60_000);

afterAll(async () => {
  await cp?.stop();
});

describe('namespace objects', () => {
  it('every namespace has kube-root-ca.crt with the cluster CA', async () => {
    for (const ns of ['default', 'kube-system', NS]) {
      const cm = await eventually(async () => (await admin('GET', `/api/v1/namespaces/${ns}/configmaps/kube-root-ca.crt`)).json?.data, { what: `kube-root-ca.crt in ${ns}` });
      expect(cm).toEqual({ 'ca.crt': CA });
    }
  });

  it('a deleted default ServiceAccount comes back with a new UID; an edited CA is put back', async () => {
    const before = (await admin('GET', `/api/v1/namespaces/${NS}/serviceaccounts/default`)).json.metadata.uid;
    expect((await admin('DELETE', `/api/v1/namespaces/${NS}/serviceaccounts/default`)).status).toBe(200);
    const after = await eventually(async () => (await admin('GET', `/api/v1/namespaces/${NS}/serviceaccounts/default`)).json?.metadata?.uid);
    expect(after).not.toBe(before);
    await admin('PATCH', `/api/v1/namespaces/${NS}/configmaps/kube-root-ca.crt`, { data: { 'ca.crt': 'tampered' } }).then(() => undefined);
    await eventually(async () => (await admin('GET', `/api/v1/namespaces/${NS}/configmaps/kube-root-ca.crt`)).json?.data?.['ca.crt'] === CA, { what: 'CA restored' });
  });
});

describe('TokenRequest', () => {
  it('issues a token that authenticates as the account', async () => {
    const res = await admin('POST', `/api/v1/namespaces/${NS}/serviceaccounts/default/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', spec: { audiences: ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: 3600 } });
    const sa = (await admin('GET', `/api/v1/namespaces/${NS}/serviceaccounts/default`)).json;
    const user = await whoami(res.json.status.token);
    expect(user).toMatchObject({ username: `system:serviceaccount:${NS}:default`, uid: sa.metadata.uid, groups: ['system:serviceaccounts', `system:serviceaccounts:${NS}`, 'system:authenticated'] });
    expect(user.extra['authentication.kubernetes.io/credential-id'][0]).toMatch(/^JTI=[0-9a-f-]{36}$/);
    const expires = Date.parse(res.json.status.expirationTimestamp) - Date.parse(res.json.metadata.creationTimestamp);
    expect(expires).toBe(3600_000);
  });

  it('refuses a lifetime under ten minutes with upstream message', async () => {
    const res = await admin('POST', `/api/v1/namespaces/${NS}/serviceaccounts/default/token`, { spec: { expirationSeconds: 60 } });
    expect(res.status).toBe(422);
    expect(res.json.message).toBe('TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes');
  });

  it('answers 404 for an account that does not exist', async () => {
    const res = await admin('POST', `/api/v1/namespaces/${NS}/serviceaccounts/nobody/token`, { spec: {} });
    expect(res.status).toBe(404);
    expect(res.json.message).toBe('serviceaccounts "nobody" not found');
  });

  it('a token for another audience does not authenticate here', async () => {
    expect(await whoami(await tokenFor('default', { audiences: ['vault'] }))).toBe(401);
  });

  it('RBAC decides for the account: forbidden until bound', async () => {
    const token = await tokenFor('default');
    const list = await call(token, 'GET', `/api/v1/namespaces/${NS}/pods`);
    expect(list.status).toBe(403);
    expect(list.json.message).toBe(`pods is forbidden: User "system:serviceaccount:${NS}:default" cannot list resource "pods" in API group "" in the namespace "${NS}"`);
    await admin('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'sa-view' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: NS }],
    });
    await eventually(async () => (await call(token, 'GET', `/api/v1/namespaces/${NS}/pods`)).status === 200, { what: 'view allowed' });
  });

  it('a token stops working when its account is deleted and made again', async () => {
    await admin('POST', `/api/v1/namespaces/${NS}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder' } });
    const token = await tokenFor('builder');
    expect(await whoami(token)).toMatchObject({ username: `system:serviceaccount:${NS}:builder` });
    await admin('DELETE', `/api/v1/namespaces/${NS}/serviceaccounts/builder`);
    expect(await whoami(token)).toBe(401);
    await admin('POST', `/api/v1/namespaces/${NS}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder' } });
    expect(await whoami(token)).toBe(401);
  });

  it('binds a token to a pod: the pod is named in the user, and deleting the pod ends it', async () => {
    const created = await admin('POST', `/api/v1/namespaces/${NS}/pods`, pod('bound', { nodeName: 'nowhere', terminationGracePeriodSeconds: 0 }));
    expect(created.status).toBe(201);
    const uid = created.json.metadata.uid;
    const conflict = await admin('POST', `/api/v1/namespaces/${NS}/serviceaccounts/default/token`, { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'bound', uid: 'other' } } });
    expect(conflict.status).toBe(409);
    const token = await tokenFor('default', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'bound', uid } });
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
    expect(payload['kubernetes.io']).toMatchObject({ namespace: NS, pod: { name: 'bound', uid }, node: { name: 'nowhere' } });
    expect((await whoami(token)).extra).toMatchObject({ 'authentication.kubernetes.io/pod-name': ['bound'], 'authentication.kubernetes.io/pod-uid': [uid] });
    await admin('DELETE', `/api/v1/namespaces/${NS}/pods/bound?gracePeriodSeconds=0`);
    await eventually(async () => (await admin('GET', `/api/v1/namespaces/${NS}/pods/bound`)).status === 404, { what: 'pod gone' });
    expect(await whoami(token)).toBe(401);
  });

  it('refuses to bind to a pod of another account or to another kind', async () => {
    await admin('POST', `/api/v1/namespaces/${NS}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'other' } });
    await admin('POST', `/api/v1/namespaces/${NS}/pods`, pod('p-other', { serviceAccountName: 'other', nodeName: 'nowhere' }));
    const wrong = await admin('POST', `/api/v1/namespaces/${NS}/serviceaccounts/default/token`, { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p-other' } } });
    expect(wrong.status).toBe(400);
    expect(wrong.json.message).toBe('cannot bind token for serviceaccount "default" to pod running with different serviceaccount name.');
    const kind = await admin('POST', `/api/v1/namespaces/${NS}/serviceaccounts/default/token`, { spec: { boundObjectRef: { kind: 'ConfigMap', apiVersion: 'v1', name: 'x' } } });
    expect(kind.json.message).toBe('cannot bind token to object of type /v1, Kind=ConfigMap');
  });
});

describe('ServiceAccount admission', () => {
  it('gives a new pod the default account and its token volume', async () => {
    const created = (await admin('POST', `/api/v1/namespaces/${NS}/pods`, pod('web'))).json;
    expect(created.spec.serviceAccountName).toBe('default');
    expect(created.spec.serviceAccount).toBe('default');
    const volume = created.spec.volumes.find((v: { name: string }) => v.name.startsWith('kube-api-access-'));
    expect(volume.name).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(volume.projected.sources[0]).toEqual({ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } });
    expect(created.spec.containers[0].volumeMounts).toEqual([{ name: volume.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);
  });

  it('refuses a pod naming an account that does not exist', async () => {
    const res = await admin('POST', `/api/v1/namespaces/${NS}/pods`, pod('lost', { serviceAccountName: 'ghost' }));
    expect(res.status).toBe(403);
    expect(res.json.message).toBe(`pods "lost" is forbidden: error looking up service account ${NS}/ghost: serviceaccount "ghost" not found`);
  });

  it('mounts nothing when the account opts out', async () => {
    await admin('POST', `/api/v1/namespaces/${NS}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'quiet' }, automountServiceAccountToken: false });
    const created = (await admin('POST', `/api/v1/namespaces/${NS}/pods`, pod('quiet', { serviceAccountName: 'quiet' }))).json;
    expect(created.spec.volumes ?? []).toEqual([]);
    expect(created.spec.containers[0].volumeMounts).toBeUndefined();
  });

  it('waits for the default account of a namespace created a moment ago', async () => {
    expect((await admin('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fresh' } })).status).toBe(201);
    const res = await admin('POST', '/api/v1/namespaces/fresh/pods', pod('first'));
    expect(res.status).toBe(201);
  });
});
