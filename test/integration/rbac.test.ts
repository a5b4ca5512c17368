// RBAC with restricted tokens against a whole control plane: the default roles (aggregated by the
// controller), role bindings, upstream's Forbidden messages, escalation prevention and the access
// reviews kubectl auth uses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticToken } from '../../src/auth/authenticate.ts';
import { AUTHENTICATED } from '../../src/auth/user.ts';
import { startControlPlane, type ControlPlane } from '../../src/cli/control-plane.ts';
import { callWithToken, eventually } from './helpers.ts';

const ADMIN = 'admin-token';
let cp: ControlPlane;

const call = (token: string, method: string, url: string, body?: unknown) => callWithToken(cp, token, method, url, body);

const admin = (method: string, url: string, body?: unknown) => call(ADMIN, method, url, body);
const alice = (method: string, url: string, body?: unknown) => call('alice-token', method, url, body);
const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const binding = (name: string, namespace: string, role: { kind: string; name: string }, user: string) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'RoleBinding',
  metadata: { name, namespace },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...role },
  subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
});
const roleWith = (name: string, rules: unknown[]) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name }, rules });

beforeAll(async () => {
  cp = await startControlPlane({
    datastore: 'memory',
    token: ADMIN,
    authenticators: [staticToken('alice-token', { username: 'alice', groups: [AUTHENTICATED] }), staticToken('bob-token', { username: 'bob', groups: ['devs', AUTHENTICATED] })],
  });
  for (const ns of ['dev', 'prod']) expect((await admin('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })).status).toBe(201);
  await admin('POST', '/api/v1/namespaces/dev/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
  // view is filled by the aggregation controller from system:aggregate-to-view.
  await eventually(async () => ((await admin('GET', `${RBAC}/clusterroles/view`)).json?.rules?.length ?? 0) > 5, { what: 'view aggregated' });
  await eventually(async () => ((await admin('GET', `${RBAC}/clusterroles/admin`)).json?.rules ?? []).some((r: { resources?: string[] }) => r.resources?.includes('pods/exec')), { what: 'admin aggregated from edit' });
}, 60_000);

afterAll(async () => {
  await cp?.stop();
});

describe('RBAC with a restricted token', () => {
  it('creates the default policy', async () => {
    const crb = (await admin('GET', `${RBAC}/clusterrolebindings/cluster-admin`)).json;
    expect(crb.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }]);
    expect(crb.metadata.labels).toEqual({ 'kubernetes.io/bootstrapping': 'rbac-defaults' });
    const edit = (await admin('GET', `${RBAC}/clusterroles/edit`)).json;
    expect(edit.metadata.annotations).toEqual({ 'rbac.authorization.kubernetes.io/autoupdate': 'true' });
    expect(edit.aggregationRule).toEqual({ clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' } }] });
  });

  it('lets any authenticated user discover the API', async () => {
    for (const url of ['/version', '/api', '/apis', '/api/v1', '/apis/apps/v1']) expect((await alice('GET', url)).status, url).toBe(200);
  });

  it('refuses with upstream messages until bound, then allows what view grants', async () => {
    expect((await alice('GET', '/api/v1/namespaces/dev/configmaps')).json.message).toBe(
      'configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" in the namespace "dev"',
    );
    expect((await admin('POST', `${RBAC}/namespaces/dev/rolebindings`, binding('alice-view', 'dev', { kind: 'ClusterRole', name: 'view' }, 'alice'))).status).toBe(201);
    await eventually(async () => (await alice('GET', '/api/v1/namespaces/dev/configmaps')).status === 200, { what: 'binding seen' });
    expect((await alice('GET', '/api/v1/namespaces/dev/configmaps/c')).status).toBe(200);
    expect((await alice('GET', '/apis/apps/v1/namespaces/dev/deployments')).status).toBe(200);
    const elsewhere = await alice('GET', '/api/v1/namespaces/prod/configmaps');
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.json).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403, details: { kind: 'configmaps' } });
    expect((await alice('GET', '/api/v1/configmaps')).json.message).toBe('configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" at the cluster scope');
    expect((await alice('DELETE', '/api/v1/namespaces/dev/configmaps/c')).json.message).toBe(
      'configmaps "c" is forbidden: User "alice" cannot delete resource "configmaps" in API group "" in the namespace "dev"',
    );
    expect((await alice('GET', '/api/v1/namespaces/dev/secrets')).status).toBe(403);
    expect((await alice('GET', '/metrics')).json.message).toBe('forbidden: User "alice" cannot get path "/metrics"');
  });

  it('answers access reviews for oneself and others', async () => {
    const ssar = (spec: unknown) => alice('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec });
    const yes = await ssar({ resourceAttributes: { namespace: 'dev', verb: 'list', resource: 'configmaps' } });
    expect(yes.status).toBe(201);
    expect(yes.json.status).toEqual({ allowed: true, reason: 'RBAC: allowed by RoleBinding "alice-view/dev" of ClusterRole "view" to User "alice"' });
    expect((await ssar({ resourceAttributes: { namespace: 'dev', verb: 'delete', resource: 'configmaps' } })).json.status).toEqual({ allowed: false });
    expect((await ssar({ nonResourceAttributes: { path: '/apis/apps', verb: 'get' } })).json.status.allowed).toBe(true);
    expect((await ssar({})).status).toBe(422);
    const rules = (await alice('POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: 'dev' } })).json.status;
    expect(rules.incomplete).toBe(false);
    expect(rules.resourceRules).toContainEqual({ verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] });
    expect(rules.resourceRules.some((r: { resources: string[] }) => r.resources.includes('configmaps'))).toBe(true);
    expect(rules.nonResourceRules).toContainEqual(expect.objectContaining({ nonResourceURLs: expect.arrayContaining(['/version']) }));
    const who = (await alice('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' })).json;
    expect(who.status.userInfo).toEqual({ username: 'alice', groups: ['system:authenticated'] });
    // Reviews about others need their own permission, which the admin has.
    const sar = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'alice', resourceAttributes: { namespace: 'prod', verb: 'get', resource: 'configmaps' } } };
    expect((await alice('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', sar)).status).toBe(403);
    expect((await admin('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', sar)).json.status).toEqual({ allowed: false });
    const local = { ...sar, kind: 'LocalSubjectAccessReview', metadata: { namespace: 'dev' }, spec: { ...sar.spec, resourceAttributes: { ...sar.spec.resourceAttributes, namespace: 'dev' } } };
    expect((await admin('POST', '/apis/authorization.k8s.io/v1/namespaces/dev/localsubjectaccessreviews', local)).json.status.allowed).toBe(true);
    expect((await admin('GET', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews')).status).toBe(405);
  });

  it('refuses to grant rules the writer does not hold', async () => {
    const rbacAdmin = roleWith('rbac-writer', [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['create', 'update', 'get'] }]);
    expect((await admin('POST', `${RBAC}/namespaces/dev/roles`, rbacAdmin)).status).toBe(201);
    expect((await admin('POST', `${RBAC}/namespaces/dev/rolebindings`, binding('alice-rbac', 'dev', { kind: 'Role', name: 'rbac-writer' }, 'alice'))).status).toBe(201);
    await eventually(async () => (await alice('GET', `${RBAC}/namespaces/dev/roles/rbac-writer`)).status === 200, { what: 'rbac binding seen' });
    // What alice holds she may hand on; more she may not.
    expect((await alice('POST', `${RBAC}/namespaces/dev/roles`, roleWith('cm-reader', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }]))).status).toBe(201);
    const more = await alice('POST', `${RBAC}/namespaces/dev/roles`, roleWith('cm-writer', [{ apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'delete'] }]));
    expect(more.status).toBe(403);
    expect(more.json.message).toBe(
      'roles.rbac.authorization.k8s.io "cm-writer" is forbidden: user "alice" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:[""], Resources:["configmaps"], Verbs:["delete"]}\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete"]}',
    );
    expect((await alice('POST', `${RBAC}/namespaces/dev/rolebindings`, binding('bob-view', 'dev', { kind: 'ClusterRole', name: 'view' }, 'bob'))).status).toBe(201);
    const escalate = await alice('POST', `${RBAC}/namespaces/dev/rolebindings`, binding('bob-admin', 'dev', { kind: 'ClusterRole', name: 'cluster-admin' }, 'bob'));
    expect(escalate.status).toBe(403);
    expect(escalate.json.message).toMatch(/^rolebindings.rbac.authorization.k8s.io "bob-admin" is forbidden: user "alice" .* not currently held:\n/);
    // With bind on that role, the binding is allowed without holding its rules.
    const binder = roleWith('binder', [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['edit'] }]);
    expect((await admin('POST', `${RBAC}/namespaces/dev/roles`, binder)).status).toBe(201);
    expect((await admin('POST', `${RBAC}/namespaces/dev/rolebindings`, binding('alice-binder', 'dev', { kind: 'Role', name: 'binder' }, 'alice'))).status).toBe(201);
    await eventually(async () => (await alice('POST', `${RBAC}/namespaces/dev/rolebindings`, binding('bob-edit', 'dev', { kind: 'ClusterRole', name: 'edit' }, 'bob'))).status === 201, { what: 'bind allowed' });
  });
});
