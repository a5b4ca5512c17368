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

const ok = (args: string[]) => kubectlOk(cluster(), args);
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
    // The admin asks about alice through a SubjectAccessReview (kubectl auth can-i --as is impersonation: not served).
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
});
