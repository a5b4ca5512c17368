// `k8ts up --config` and `k8ts config apply` as a user runs them, checked with the pinned kubectl:
// the nodes of the file with their roles, labels, taints and capacity; a changed file converged on
// the running cluster; a bad file refused with each problem's line and nothing started.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubectlOk, repoRoot, useK8ts, waitFor } from './harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'k8ts-config-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const head = 'apiVersion: k8ts.io/v1alpha1\nkind: Cluster\n';
const first = file('cluster.yaml', `${head}nodes:
- role: control-plane
- role: worker
  labels: {disktype: ssd}
- role: worker
  name: db-1
  taints: ["dedicated=db:NoSchedule"]
  capacity: {cpu: "4", memory: 8Gi, pods: "50"}
`);

const cluster = useK8ts({ args: ['--config', first] });
const ok = (args: string[]) => kubectlOk(cluster(), args);
const k8ts = (args: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin/k8ts.mjs'), ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, KUBECONFIG: cluster().kubeconfig } });

describe('cluster config file', () => {
  it('starts the nodes the file lists, with their labels, taints and capacity', async () => {
    await waitFor(async () => (await ok(['get', 'nodes', '--no-headers'])).split('\n').filter((l) => / Ready /.test(l)).length === 3, { timeoutMs: 30_000 });
    expect((await ok(['get', 'nodes', '-o', 'name'])).trim().split('\n')).toEqual(['node/db-1', 'node/k8ts-control-plane', 'node/k8ts-worker']);
    expect(await ok(['get', 'node', 'k8ts-worker', '-o', 'jsonpath={.metadata.labels.disktype}'])).toBe('ssd');
    expect(await ok(['get', 'node', 'db-1', '-o', 'jsonpath={.spec.taints[0].key}={.spec.taints[0].value}:{.spec.taints[0].effect}'])).toBe('dedicated=db:NoSchedule');
    expect(await ok(['get', 'node', 'db-1', '-o', 'jsonpath={.status.capacity.cpu} {.status.capacity.memory} {.status.capacity.pods}'])).toBe('4 8Gi 50');
    expect(await ok(['get', 'node', 'k8ts-control-plane', '-o', 'jsonpath={.spec.taints[*].key}'])).toBe('node-role.kubernetes.io/control-plane');
  });

  it('converges the running cluster to a changed file and prints each change', async () => {
    const changed = file('changed.yaml', `${head}features: {scheduleOnControlPlane: true}
nodes:
- role: control-plane
- role: worker
  labels: {zone: a}
  capacity: {cpu: "16"}
- role: worker
  taints: [{key: gpu, effect: NoExecute}]
`);
    const dry = k8ts(['config', 'apply', changed, '--dry-run']);
    expect(dry.stdout).toContain('node/db-1 deleted (dry run)');
    expect((await ok(['get', 'nodes', '-o', 'name'])).trim().split('\n')).toHaveLength(3);
    const r = k8ts(['config', 'apply', changed]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['node/db-1 deleted', 'node/k8ts-worker2 created', 'node/k8ts-control-plane untainted', 'node/k8ts-worker labeled, capacity changed']);
    await waitFor(async () => (await ok(['get', 'nodes', '-o', 'name'])).trim() === 'node/k8ts-control-plane\nnode/k8ts-worker\nnode/k8ts-worker2', { timeoutMs: 30_000 });
    expect(await ok(['get', 'node', 'k8ts-worker', '-o', 'jsonpath={.metadata.labels.zone}|{.metadata.labels.disktype}'])).toBe('a|');
    expect(await ok(['get', 'node', 'k8ts-worker2', '-o', 'jsonpath={.spec.taints[0].key}:{.spec.taints[0].effect}'])).toBe('gpu:NoExecute');
    await waitFor(async () => (await ok(['get', 'node', 'k8ts-worker', '-o', 'jsonpath={.status.capacity.cpu}'])) === '16', { timeoutMs: 30_000 });
    expect(await ok(['get', 'node', 'k8ts-control-plane', '-o', 'jsonpath={.spec.taints}'])).toBe('');
    const again = k8ts(['config', 'apply', changed]);
    expect(again.stdout.trim().split('\n')).toEqual(['node/k8ts-control-plane unchanged', 'node/k8ts-worker unchanged', 'node/k8ts-worker2 unchanged']);
  });

  it('refuses a bad file with each problem and its line, changing nothing', async () => {
    const bad = file('bad.yaml', `${head}nodes:
- role: control-plane
  taints: ["nope"]
- name: k8ts-worker
- name: k8ts-worker
  cpu: 4
`);
    const r = k8ts(['config', 'apply', bad]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${bad} is not a valid cluster config, nothing was changed:`);
    expect(r.stderr).toContain('line 5, column 12: nodes[0].taints[0]: invalid taint "nope": expected key[=value]:Effect');
    expect(r.stderr).toContain('line 7, column 9: nodes[2].name: duplicate node name k8ts-worker (also nodes[1])');
    expect(r.stderr).toContain('line 8, column 3: nodes[2].cpu: unknown field (known here: name, role, labels, taints, capacity)');
    expect((await ok(['get', 'nodes', '-o', 'name'])).trim().split('\n')).toHaveLength(3);
    const up = spawnSync(process.execPath, [join(repoRoot, 'bin/k8ts.mjs'), 'up', '--config', bad, '--data-dir', join(dir, 'never')], { encoding: 'utf8', timeout: 30_000 });
    expect(up.status).toBe(1);
    expect(up.stderr).toContain('is not a valid cluster config');
  });
});
