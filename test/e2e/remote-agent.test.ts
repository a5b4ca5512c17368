// A `k8ts agent` child process joined to `k8ts up`, and the real kubectl reading the logs of a
// pod on the agent's node: the API server reaches the agent only through the tunnels the agent
// opens to it, as it would an agent behind NAT.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlBin, kubectlOk, repoRoot, useK8ts, waitFor } from './harness.ts';

const cluster = useK8ts({ args: ['--workers', '0'] });
const ok = (args: string[], input?: string) => kubectlOk(cluster(), args, input);
let agent: ChildProcess;
let agentOutput = '';

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: NAME
spec:
  nodeSelector:
    kubernetes.io/hostname: edge-1
  tolerations: [{ operator: Exists }]
  containers: [{ name: app, image: busybox }]
`;

beforeAll(async () => {
  const k = cluster();
  agent = spawn(process.execPath, [join(repoRoot, 'bin/k8ts.mjs'), 'agent', '--server', k.url, '--token', k.token, '--name', 'edge-1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  agent.stdout!.on('data', (d: Buffer) => (agentOutput += d.toString()));
  agent.stderr!.on('data', (d: Buffer) => (agentOutput += d.toString()));
  await waitFor(async () => (await k.kubectl(['get', 'node', 'edge-1', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'], { allowFail: true })).stdout === 'True', {
    timeoutMs: 60_000,
    message: () => `edge-1 did not turn Ready\n--- agent ---\n${agentOutput}`,
  });
});
afterAll(async () => {
  if (agent && agent.exitCode === null && agent.signalCode === null) {
    const exited = new Promise((r) => agent.once('exit', r));
    agent.kill('SIGTERM');
    await exited;
  }
});

describe('kubectl with pods on a remote agent', () => {
  it('shows the logs of a pod on the agent node, and refuses exec with the agent runtime message', async () => {
    await ok(['apply', '-f', '-'], POD.replace('NAME', 'on-edge'));
    await ok(['wait', '--for=condition=Ready', 'pod/on-edge', '--timeout=60s']);
    expect(await ok(['get', 'pod', 'on-edge', '-o', 'jsonpath={.spec.nodeName}'])).toBe('edge-1');
    expect(await ok(['logs', 'on-edge'])).toContain('k8ts-sim: container app started (image busybox)');
    // The agent runs the simulated runtime: its refusal travels back through the tunnel.
    const exec = await cluster().kubectl(['exec', 'on-edge', '--', 'ls'], { allowFail: true });
    expect(exec.code).not.toBe(0);
    expect(exec.stderr).toContain('exec is not supported by the simulated runtime of node edge-1');
  });

  it('follows the logs until the container ends', async () => {
    await ok(['apply', '-f', '-'], POD.replace('NAME', 'followed'));
    await ok(['wait', '--for=condition=Ready', 'pod/followed', '--timeout=60s']);
    const k = cluster();
    const follow = spawn(kubectlBin, ['--kubeconfig', k.kubeconfig, 'logs', '-f', 'followed'], { env: { ...process.env, HOME: join(k.dataDir, '..', 'home') } });
    let out = '';
    follow.stdout.on('data', (d: Buffer) => (out += d.toString()));
    follow.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => follow.once('exit', (code) => r(code)));
    await waitFor(() => out.includes('started'), { timeoutMs: 30_000, message: () => `kubectl logs -f showed nothing: ${out}` });
    await ok(['delete', 'pod', 'followed', '--wait=false']);
    expect(await exited).toBe(0);
    expect(out).toMatch(/started[\s\S]*received SIGTERM, shutting down/);
  });
});
