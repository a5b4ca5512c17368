// Authorization with the real kubectl 1.35: a user from `k8ts up --token-auth-file`, bound to the
// default `view` role in one namespace, is allowed there and refused elsewhere with upstream's
// Forbidden message; `kubectl auth can-i` (with --list) and `kubectl auth whoami` answer for it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubectlOk, useK8ts, waitFor } from './harness.ts';

const tokenFile = join(mkdtempSync(join(tmpdir(), 'k8ts-tokens-')), 'tokens.csv');
writeFileSync(tokenFile, 'alice-secret-token,alice,1001,"devs"\n');
const cluster = useK8ts({ args: ['--token-auth-file', tokenFile] });

const ok = (args: string[], input?: string) => kubectlOk(cluster(), args, input);
/** kubectl as alice: the kubeconfig's cluster with her token instead of the admin's. */
const asAlice = (args: string[]) => cluster().kubectl(['--token', 'alice-secret-token', ...args], { allowFail: true });

describe('RBAC with kubectl', () => {
  it('refuses an unbound user with upstream messages', async () => {
    await ok(['create', 'namespace', 'team']);
    await ok(['run', 'web', '-n', 'team', '--image', 'nginx:1.25']);
    const r = await asAlice(['get', 'pods', '-n', 'team']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "team"');
  });

  it('allows what view grants in the bound namespace only', async () => {
    await ok(['create', 'rolebinding', 'alice-view', '-n', 'team', '--clusterrole', 'view', '--user', 'alice']);
    const listed = await waitFor(async () => {
      const r = await asAlice(['get', 'pods', '-n', 'team', '-o', 'name']);
      return r.code === 0 && r.stdout;
    });
    expect(listed.trim()).toBe('pod/web');
    const other = await asAlice(['get', 'pods', '-n', 'default']);
    expect(other.stderr).toContain('Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"');
    const del = await asAlice(['delete', 'pod', 'web', '-n', 'team']);
    expect(del.code).toBe(1);
    expect(del.stderr).toContain('Error from server (Forbidden): pods "web" is forbidden: User "alice" cannot delete resource "pods" in API group "" in the namespace "team"');
    const nodes = await asAlice(['get', 'nodes']);
    expect(nodes.stderr).toContain('nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope');
  });

  it('answers kubectl auth can-i', async () => {
    const canI = async (args: string[]) => (await asAlice(['auth', 'can-i', ...args])).stdout.trim();
    expect(await canI(['list', 'pods', '-n', 'team'])).toBe('yes');
    expect(await canI(['get', 'deployments.apps', '-n', 'team'])).toBe('yes');
    expect(await canI(['delete', 'pods', '-n', 'team'])).toBe('no');
    expect(await canI(['list', 'pods', '-n', 'default'])).toBe('no');
    expect(await canI(['get', 'secrets', '-n', 'team'])).toBe('no');
    expect((await ok(['auth', 'can-i', 'delete', 'nodes'])).trim()).toBe('yes');
  });

  it('lists the rules with kubectl auth can-i --list', async () => {
    const r = await asAlice(['auth', 'can-i', '--list', '-n', 'team']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/);
    expect(lines.some((l) => /^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/.test(l))).toBe(true);
    expect(lines.some((l) => /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/.test(l))).toBe(true);
    expect(lines.some((l) => /^\s+\[\/version\]\s+\[\]\s+\[get\]$/.test(l))).toBe(true);
    expect(lines.some((l) => /^secrets\s/.test(l))).toBe(false);
  });

  it('answers kubectl auth whoami', async () => {
    const r = await asAlice(['auth', 'whoami']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Username\s+alice/);
    expect(r.stdout).toMatch(/UID\s+1001/);
    expect(r.stdout).toMatch(/Groups\s+\[devs system:authenticated\]/);
    expect(await ok(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).toBe('kubernetes-admin');
  });

  it('lets the admin act as another user with --as, --as-group and --as-uid', async () => {
    // As alice, the admin gets alice's answers, in her words.
    const asAliceByAdmin = await cluster().kubectl(['get', 'pods', '-n', 'default', '--as', 'alice'], { allowFail: true });
    expect(asAliceByAdmin.stderr).toContain('pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"');
    expect((await ok(['get', 'pods', '-n', 'team', '--as', 'alice', '-o', 'name'])).trim()).toBe('pod/web');
    expect((await cluster().kubectl(['auth', 'can-i', 'list', 'pods', '-n', 'team', '--as', 'alice'], { allowFail: true })).stdout.trim()).toBe('yes');
    expect((await cluster().kubectl(['auth', 'can-i', 'delete', 'pods', '-n', 'team', '--as', 'alice'], { allowFail: true })).stdout.trim()).toBe('no');
    // A service account's groups come with its name.
    const sa = await ok(['auth', 'whoami', '--as', 'system:serviceaccount:team:default', '-o', 'jsonpath={.status.userInfo.groups}']);
    expect(JSON.parse(sa)).toEqual(['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated']);
    const who = await ok(['auth', 'whoami', '--as', 'bob', '--as-group', 'devs', '--as-uid', '77', '-o', 'json']);
    expect(JSON.parse(who).status.userInfo).toEqual({ username: 'bob', uid: '77', groups: ['devs', 'system:authenticated'] });
  });

  it('refuses impersonation to a user without the impersonate verb, and allows it once granted', async () => {
    const refused = await asAlice(['get', 'pods', '-n', 'team', '--as', 'kubernetes-admin']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('users "kubernetes-admin" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope');
    await ok(['create', 'clusterrole', 'impersonate-bob', '--verb=impersonate', '--resource=users', '--resource-name=bob']);
    await ok(['create', 'clusterrolebinding', 'alice-impersonates-bob', '--clusterrole=impersonate-bob', '--user=alice']);
    const asBob = await waitFor(async () => {
      const r = await asAlice(['auth', 'whoami', '--as', 'bob', '-o', 'jsonpath={.status.userInfo.username}']);
      return r.code === 0 && r.stdout;
    });
    expect(asBob).toBe('bob');
    // Bob, but not bob in the masters group: each group is checked too.
    const escalate = await asAlice(['get', 'nodes', '--as', 'bob', '--as-group', 'system:masters']);
    expect(escalate.stderr).toContain('groups "system:masters" is forbidden: User "alice" cannot impersonate resource "groups" in API group "" at the cluster scope');
    // Groups without a user are a bad request (kubectl itself refuses to send them).
    const raw = await cluster().fetch('/api/v1/namespaces', { headers: { 'Impersonate-Group': 'devs' } });
    expect(raw.status).toBe(400);
    expect(JSON.parse(raw.body).message).toContain('requested [group devs] without impersonating a user');
  });

  it("refuses to change a binding's role, and defaults subjects' API groups", async () => {
    const r = await cluster().kubectl(['patch', 'rolebinding', 'alice-view', '-n', 'team', '--type=merge', '-p', '{"roleRef":{"name":"edit"}}'], { allowFail: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The RoleBinding "alice-view" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef');
    await ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'plain', namespace: 'team' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'User', name: 'carol' }, { kind: 'ServiceAccount', name: 'default' }],
    }));
    expect(await ok(['get', 'rolebinding', 'plain', '-n', 'team', '-o', 'jsonpath={.subjects[*].apiGroup}'])).toBe('rbac.authorization.k8s.io');
  });
});
