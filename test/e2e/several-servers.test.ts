// A cluster of two API servers on one etcd and two agents in their own processes, driven with the
// pinned kubectl: one leader per controller group, both servers serving the same objects, agents
// joined with the cluster token and with a created join token, and kill -9 of the leader under a
// write load losing no acknowledged write while the other server takes over.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etcdMissing, ETCD_SKIP_REASON } from '../../src/store/etcd/etcd-test-server.ts';
import { startEtcd, type EtcdServer } from '../../src/store/etcd/etcd-server.ts';
import { repoRoot, run, startK8ts, waitFor, type K8ts } from './harness.ts';

// Short leases so the failover fits a test; the logic is the same at upstream's 15/10/2 s.
const election = ['--leader-elect-lease-duration', '4s', '--leader-elect-renew-deadline', '3s', '--leader-elect-retry-period', '500ms'];
const env = { K8TS_NODE_MONITOR_GRACE_MS: '4000' };

let etcd: EtcdServer;
let a: K8ts;
let b: K8ts;
const agents: ChildProcess[] = [];

function agent(args: string[]): { proc: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, [join(repoRoot, 'bin/k8ts.mjs'), 'agent', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  agents.push(proc);
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

const nodeReady = async (k: K8ts, name: string) => (await k.kubectl(['get', 'node', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'], { allowFail: true })).stdout;
const holder = async (k: K8ts, lease: string) => (await k.kubectl(['get', 'lease', '-n', 'kube-system', lease, '-o', 'jsonpath={.spec.holderIdentity}'])).stdout;

describe.skipIf(etcdMissing)(`two servers and two agents on one etcd${etcdMissing ? ` (skipped: ${ETCD_SKIP_REASON})` : ''}`, () => {
  beforeAll(async () => {
    etcd = await startEtcd();
    const datastore = ['--datastore', `etcd://${etcd.endpoint.replace('http://', '')}`, '--workers', '1', ...election];
    a = await startK8ts({ args: datastore, env });
    b = await startK8ts({ args: [...datastore, '--token', readFileSync(join(a.dataDir, 'token'), 'utf8').trim()], env });
  }, 120_000);
  afterAll(async () => {
    for (const p of agents) p.kill('SIGKILL');
    await b?.stop();
    await a?.stop();
    await etcd?.stop();
  });

  it('serves one cluster from both servers, with one leader per controller group', async () => {
    await waitFor(async () => (await holder(b, 'kube-controller-manager')) !== '' && (await holder(b, 'kube-scheduler')) !== '');
    // Either server's kubeconfig works against the other (same CA, same admin token).
    const cross = await b.kubectl(['--server', a.url, 'get', 'namespaces', '-o', 'name']);
    expect(cross.stdout).toContain('namespace/kube-system');
    await a.kubectl(['create', 'configmap', 'shared', '--from-literal=k=v']);
    expect((await b.kubectl(['get', 'configmap', 'shared', '-o', 'jsonpath={.data.k}'])).stdout).toBe('v');
    const leases = (await b.kubectl(['get', 'leases', '-n', 'kube-system', '-o', 'name'])).stdout.trim().split('\n').sort();
    expect(leases).toEqual(['lease.coordination.k8s.io/kube-controller-manager', 'lease.coordination.k8s.io/kube-scheduler']);
  });

  it('runs agents joined with the cluster token and with a created join token; a wrong token is refused', async () => {
    const clusterToken = readFileSync(join(a.dataDir, 'token'), 'utf8').trim();
    // This agent knows both servers: it goes on through b when a is killed below.
    const one = agent(['--server', `${a.url},${b.url}`, '--token', clusterToken, '--name', 'edge-1']);
    const created = await run(process.execPath, [join(repoRoot, 'bin/k8ts.mjs'), 'token', 'create', '--ttl', '1h', '--kubeconfig', b.kubeconfig]);
    const joinToken = created.stdout.trim();
    expect(joinToken).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    const two = agent(['--server', b.url, '--token', joinToken, '--name', 'far', '--count', '2']);
    await waitFor(async () => (await nodeReady(b, 'edge-1')) === 'True' && (await nodeReady(a, 'far-1')) === 'True' && (await nodeReady(a, 'far-2')) === 'True', { timeoutMs: 30_000, message: () => `agents not Ready:\n${one.output()}\n${two.output()}` });
    const wrong = agent(['--server', a.url, '--token', 'abcdef.0123456789abcdef', '--name', 'edge-9']);
    expect(await wrong.exited).not.toBe(0);
    expect(wrong.output()).toMatch(/does not know this join token/);
    // Pods land on agents' nodes and run there.
    await b.kubectl(['create', 'deployment', 'spread', '--image=busybox', '--replicas=4']);
    await waitFor(async () => (await b.kubectl(['get', 'deployment', 'spread', '-o', 'jsonpath={.status.readyReplicas}'])).stdout === '4', { timeoutMs: 30_000 });
  });

  it('loses no acknowledged write when the leader is killed under load, and the other server takes over', async () => {
    // a started first and has led since: no lease has changed hands yet.
    const transitions = async (k: K8ts) => (await k.kubectl(['get', 'leases', '-n', 'kube-system', '-o', 'jsonpath={.items[*].spec.leaseTransitions}'])).stdout.split(' ').map(Number);
    expect(await transitions(b)).toEqual([0, 0]);
    const [victim, survivor] = [a, b];
    const acked: string[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        try {
          const r = await victim.fetch('/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `load-${i}` } }) });
          if (r.status === 201) acked.push(`load-${i}`);
        } catch {
          return;
        }
      }
    })();
    await waitFor(() => acked.length >= 50);
    await victim.kill9();
    writing = false;
    await writer;
    const stored = new Set((await survivor.kubectl(['get', 'configmaps', '-o', 'name'])).stdout.split('\n').map((l) => l.replace('configmap/', '')));
    expect(acked.filter((n) => !stored.has(n))).toEqual([]);
    // The survivor leads both groups within a lease duration and its controllers act.
    await waitFor(async () => (await transitions(survivor)).every((t) => t === 1), { timeoutMs: 20_000 });
    // The agent that knew both servers carries on through the survivor: its node stays Ready.
    await survivor.kubectl(['create', 'deployment', 'after', '--image=busybox', '--replicas=2', '--', 'sh']);
    await survivor.kubectl(['patch', 'deployment', 'after', '--type=merge', '-p', JSON.stringify({ spec: { template: { spec: { nodeSelector: { 'kubernetes.io/hostname': 'edge-1' } } } } })]);
    await waitFor(async () => (await survivor.kubectl(['get', 'deployment', 'after', '-o', 'jsonpath={.status.readyReplicas}'])).stdout === '2', { timeoutMs: 30_000 });
    expect(await nodeReady(survivor, 'edge-1')).toBe('True');
  });

  it("marks an agent's node NotReady when the agent disappears, as a kubelet that stopped posting", async () => {
    const first = agents[0]!;
    first.kill('SIGKILL');
    // Upstream's node lifecycle: Ready becomes Unknown once the lease is older than the grace period.
    await waitFor(async () => (await nodeReady(b, 'edge-1')) === 'Unknown', { timeoutMs: 30_000 });
  });
});
