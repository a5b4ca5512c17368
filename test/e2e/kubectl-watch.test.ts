// Watches as kubectl uses them: `get -w` (Table watch), delete waiting for the object to go
// (WatchList in 1.35), wait --for=delete, events sorted by time with full objects in rows.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { kubectlBin, kubectlOk, useK8ts, waitFor } from './harness.ts';

const cluster = useK8ts();

const ok = (args: string[], input?: string) => kubectlOk(cluster(), args, input);

describe('watching with kubectl', () => {
  it('streams changes to `get -w`', async () => {
    await ok(['create', 'configmap', 'w1', '--from-literal=a=1']);
    const child = spawn(kubectlBin, ['get', 'configmaps', '-w', '--output-watch-events'], { env: { ...process.env, KUBECONFIG: cluster().kubeconfig, HOME: cluster().dataDir } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitFor(() => /w1/.test(out), { timeoutMs: 20_000 });
      await ok(['create', 'configmap', 'w2', '--from-literal=a=2']);
      await ok(['delete', 'configmap', 'w1']);
      await waitFor(() => /ADDED\s+w2/.test(out) && /DELETED\s+w1/.test(out), { timeoutMs: 20_000 });
      expect(out).toMatch(/EVENT\s+NAME\s+DATA\s+AGE/);
    } finally {
      child.kill();
    }
  });

  it('waits for deletion through a watch', async () => {
    await ok(['create', 'configmap', 'held', '--from-literal=a=1']);
    await ok(['patch', 'configmap', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":["example.com/hold"]}}']);
    const deleting = cluster().kubectl(['delete', 'configmap', 'held', '--timeout=30s'], { allowFail: true });
    await waitFor(async () => (await cluster().kubectl(['get', 'configmap', 'held', '-o', 'jsonpath={.metadata.deletionTimestamp}'])).stdout !== '', { timeoutMs: 20_000 });
    await ok(['patch', 'configmap', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    const r = await deleting;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('deleted');
  });

  it('waits for --for=delete', async () => {
    await ok(['create', 'configmap', 'short', '--from-literal=a=1']);
    const waiting = cluster().kubectl(['wait', '--for=delete', 'configmap/short', '--timeout=30s'], { allowFail: true });
    await ok(['delete', 'configmap', 'short']);
    const r = await waiting;
    expect(r.code, r.stderr).toBe(0);
  });

  it('sorts events by time with full objects in table rows', async () => {
    const event = (name: string, reason: string, t: string) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name },
        involvedObject: { kind: 'ConfigMap', name: 'x', namespace: 'default' },
        reason,
        message: `${reason} happened`,
        type: 'Normal',
        source: { component: 'test' },
        firstTimestamp: t,
        lastTimestamp: t,
        count: 1,
      });
    await ok(['create', '-f', '-'], event('late', 'Second', '2026-01-01T00:02:00Z'));
    await ok(['create', '-f', '-'], event('early', 'First', '2026-01-01T00:01:00Z'));
    const out = await ok(['get', 'events', '--sort-by=.lastTimestamp']);
    expect(out.indexOf('First')).toBeGreaterThan(0);
    expect(out.indexOf('First')).toBeLessThan(out.indexOf('Second'));
  });
});
