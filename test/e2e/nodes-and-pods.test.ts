// Issue 4's scenario with the real kubectl: default nodes, a pod through its lifecycle with a
// kubelet's events, logs, `k8ts node add/remove/stop`, cordon, drain with a disruption budget,
// forced deletion, and a node that stops heartbeating going NotReady.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubectlOk, repoRoot, useK8ts, waitFor } from './harness.ts';

// Short node-monitor grace and fast eviction so NotReady is visible within a test.
const cluster = useK8ts({ env: { K8TS_NODE_MONITOR_GRACE_MS: '4000', K8TS_NODE_EVICTION_RATE: '100' } });
const ok = (args: string[], input?: string) => kubectlOk(cluster(), args, input);
const k8ts = (args: string[]) =>
  spawnSync(process.execPath, [join(repoRoot, 'bin/k8ts.mjs'), ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, KUBECONFIG: cluster().kubeconfig } });

describe('nodes and pods with kubectl', () => {
  it('starts with kind-style nodes, the control plane tainted', async () => {
    await waitFor(async () => (await ok(['get', 'nodes', '-o', 'name'])).split('\n').filter(Boolean).length === 3, { timeoutMs: 20_000 });
    const wide = await ok(['get', 'nodes', '-o', 'wide']);
    expect(wide).toMatch(/k8ts-control-plane\s+Ready\s+control-plane/);
    expect(wide).toMatch(/k8ts-worker\s+Ready\s+<none>/);
    expect(wide).toMatch(/k8ts-worker2\s+Ready/);
    expect(wide).toMatch(/v1\.35\.\d+/);
    const taints = await ok(['get', 'node', 'k8ts-control-plane', '-o', 'jsonpath={.spec.taints[*].key}']);
    expect(taints).toContain('node-role.kubernetes.io/control-plane');
  });

  it('runs a pod to Running and Ready, with the events a kubelet records', async () => {
    await ok(['run', 'hello', '--image=nginx']);
    await ok(['wait', '--for=condition=Ready', 'pod/hello', '--timeout=60s']);
    const pod = await ok(['get', 'pod', 'hello', '-o', 'wide']);
    expect(pod).toMatch(/hello\s+1\/1\s+Running\s+0/);
    expect(pod).toMatch(/k8ts-worker2?\s/);
    const describe = await ok(['describe', 'pod', 'hello']);
    for (const reason of ['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']) expect(describe).toContain(reason);
    expect(await ok(['get', 'events', '--sort-by=.lastTimestamp'])).toContain('Successfully assigned default/hello');
  });

  it('serves logs and refuses exec with a clear message', async () => {
    expect((await ok(['logs', 'hello'])).length).toBeGreaterThan(0);
    const exec = await cluster().kubectl(['exec', 'hello', '--', 'ls'], { allowFail: true });
    expect(exec.code).not.toBe(0);
    expect(exec.stderr).toMatch(/simulated runtime/);
  });

  it('leaves a pod that fits nowhere Pending with a FailedScheduling event', async () => {
    await ok(['run', 'huge', '--image=nginx', '--overrides', '{"spec":{"containers":[{"name":"huge","image":"nginx","resources":{"requests":{"cpu":"500"}}}]}}']);
    await waitFor(async () => (await ok(['get', 'events', '--field-selector', 'involvedObject.name=huge,reason=FailedScheduling', '-o', 'name'])).trim() !== '', { timeoutMs: 20_000 });
    const ev = await ok(['get', 'events', '--field-selector', 'involvedObject.name=huge', '-o', 'jsonpath={.items[*].message}']);
    expect(ev).toMatch(/0\/3 nodes are available: .*Insufficient cpu/);
    expect(await ok(['get', 'pod', 'huge', '-o', 'jsonpath={.status.phase}'])).toBe('Pending');
    await ok(['delete', 'pod', 'huge', '--grace-period=0', '--force']);
  });

  it('adds and removes simulated nodes from another terminal', async () => {
    const add = k8ts(['node', 'add', '--labels', 'disktype=ssd', '--taints', 'dedicated=db:NoSchedule']);
    expect(add.status, add.stderr).toBe(0);
    await waitFor(async () => /k8ts-worker3\s+Ready/.test(await ok(['get', 'nodes'])), { timeoutMs: 20_000 });
    expect(await ok(['get', 'node', 'k8ts-worker3', '-o', 'jsonpath={.metadata.labels.disktype}'])).toBe('ssd');
    const bad = k8ts(['node', 'add', '--taints', 'dedicated=db:NoScheduel']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('NoScheduel');
    const missing = k8ts(['node', 'remove', 'nope']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('node "nope" not found');
    expect(k8ts(['node', 'remove', 'k8ts-worker3']).status).toBe(0);
    await waitFor(async () => !(await ok(['get', 'nodes', '-o', 'name'])).includes('k8ts-worker3'), { timeoutMs: 20_000 });
  });

  it('cordons, drains with a disruption budget, and uncordons', async () => {
    const node = (await ok(['get', 'pod', 'hello', '-o', 'jsonpath={.spec.nodeName}'])).trim();
    await ok(['cordon', node]);
    expect(await ok(['get', 'node', node])).toMatch(/Ready,SchedulingDisabled/);
    // A budget that allows no disruption of `hello` makes the drain wait; deleting the budget lets it finish.
    await ok(['create', 'pdb', 'hold', '--selector=run=hello', '--min-available=1']);
    await waitFor(async () => (await ok(['get', 'pdb', 'hold', '-o', 'jsonpath={.status.expectedPods}'])) === '1', { timeoutMs: 20_000 });
    const blocked = await cluster().kubectl(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=5s'], { allowFail: true });
    expect(blocked.code).not.toBe(0);
    expect(blocked.stderr + blocked.stdout).toMatch(/disruption budget/);
    await ok(['delete', 'pdb', 'hold']);
    const drained = await ok(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=60s']);
    expect(drained).toContain('drained');
    await ok(['uncordon', node]);
    expect(await ok(['get', 'node', node])).not.toMatch(/SchedulingDisabled/);
  });

  it('deletes a pod at once with --force --grace-period=0', async () => {
    await ok(['run', 'quick', '--image=nginx']);
    await ok(['wait', '--for=condition=Ready', 'pod/quick', '--timeout=60s']);
    await ok(['delete', 'pod', 'quick', '--grace-period=0', '--force']);
    const r = await cluster().kubectl(['get', 'pod', 'quick'], { allowFail: true });
    expect(r.code).not.toBe(0);
  });

  it('marks a node that stops heartbeating NotReady and taints it', async () => {
    expect(k8ts(['node', 'stop', 'k8ts-worker2']).status).toBe(0);
    await waitFor(async () => /k8ts-worker2\s+NotReady/.test(await ok(['get', 'nodes'])), { timeoutMs: 30_000 });
    const taints = await ok(['get', 'node', 'k8ts-worker2', '-o', 'jsonpath={.spec.taints[*].key}']);
    expect(taints).toContain('node.kubernetes.io/unreachable');
    expect(k8ts(['node', 'start', 'k8ts-worker2']).status).toBe(0);
    await waitFor(async () => /k8ts-worker2\s+Ready\s/.test(await ok(['get', 'nodes'])), { timeoutMs: 30_000 });
  });
});
