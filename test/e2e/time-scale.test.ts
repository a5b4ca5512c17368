// `k8ts up --time-scale 60` with the pinned kubectl: upstream's own durations (a 40 s node
// monitor grace period, 300 s of tolerated unreachability before eviction, a 120 s termination
// grace period) pass 60 times faster, so what would take minutes happens within the test's
// deadlines, and ages read in cluster time. Refused for the process runtime.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubectlOk, repoRoot, useK8ts, waitFor } from './harness.ts';

const cluster = useK8ts({ args: ['--time-scale', '60'] });
const ok = (args: string[], input?: string) => kubectlOk(cluster(), args, input);
const k8ts = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [join(repoRoot, 'bin/k8ts.mjs'), ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, KUBECONFIG: cluster().kubeconfig, ...env } });

const podsOn = async (node: string) =>
  (await ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.metadata.deletionTimestamp}{"\\n"}{end}']))
    .split('\n')
    .filter((l) => l.split(' ')[1] === node);

describe('k8ts up --time-scale 60', () => {
  it('says so at start', () => {
    expect(cluster().output()).toContain('cluster time runs 60× faster than the wall clock');
  });

  it("evicts the pods of a node that stopped, after upstream's 40 s grace and 300 s toleration, in cluster time", async () => {
    await ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=4']);
    await ok(['rollout', 'status', 'deploy/web', '--timeout=60s']);
    const before = await podsOn('k8ts-worker');
    expect(before.length).toBeGreaterThan(0);
    expect(k8ts(['node', 'stop', 'k8ts-worker']).status).toBe(0);
    // 40 cluster seconds: well under a real second.
    await waitFor(async () => /k8ts-worker\s+NotReady/.test(await ok(['get', 'nodes'])), { timeoutMs: 20_000 });
    // 300 cluster seconds of tolerated unreachability: five real ones. Unscaled this is minutes.
    await waitFor(async () => (await podsOn('k8ts-worker')).every((l) => l.split(' ')[2]), { timeoutMs: 30_000 });
    await ok(['rollout', 'status', 'deploy/web', '--timeout=60s']);
    // Ages are cluster time: the cluster has lived minutes though the test ran seconds.
    const age = (await ok(['get', 'node', 'k8ts-worker', '--no-headers'])).trim().split(/\s+/)[3]!;
    expect(age).toMatch(/^\d+m/);
    expect(k8ts(['node', 'start', 'k8ts-worker']).status).toBe(0);
  });

  it('waits out a termination grace period 60 times faster', async () => {
    // The container ignores SIGTERM, so the kubelet waits the whole 120 s grace period before killing it.
    await ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'stubborn', annotations: { 'sim.k8ts.io/ignore-sigterm': 'true' } },
      spec: { terminationGracePeriodSeconds: 120, containers: [{ name: 'c', image: 'nginx' }] },
    }));
    await ok(['wait', '--for=condition=Ready', 'pod/stubborn', '--timeout=60s']);
    await ok(['delete', 'pod', 'stubborn', '--wait=false']);
    await ok(['wait', '--for=delete', 'pod/stubborn', '--timeout=30s']);
  });

  it('is refused for the process runtime, saying why', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-ts-'));
    try {
      const r = k8ts(['up', '--data-dir', dir, '--port', '0', '--dns-port', '0', '--runtime', 'process', '--time-scale', '10']);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('--time-scale is for simulated clusters: real processes run in real time');
      const bad = k8ts(['up', '--data-dir', dir, '--time-scale', '0']);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain('must be a number above 0 and at most 1000');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
