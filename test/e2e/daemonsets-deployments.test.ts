// Issue 6's scenario with the real kubectl and helm: DaemonSets that follow the nodes as they
// join, change labels or taints and leave, their rolling updates and history; the seeds'
// Deployment contrast (random pod names, a shared claim) with scale, rollout, undo, pause and
// resume; a chart with a DaemonSet and a Deployment installed, upgraded and rolled back --wait.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartsDir, kubectlOk, repoRoot, useK8ts, waitFor } from './harness.ts';

// A removed node's pods go after the pod GC quarantine: 2 s here instead of upstream's 40 s.
const cluster = useK8ts({ env: { K8TS_POD_GC_QUARANTINE_MS: '2000' } });
const ok = (args: string[], input?: string) => kubectlOk(cluster(), args, input);
const manifest = (name: string) => join(import.meta.dirname, '../../../shared/manifests', name);
const k8ts = (args: string[]) =>
  spawnSync(process.execPath, [join(repoRoot, 'bin/k8ts.mjs'), ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, KUBECONFIG: cluster().kubeconfig } });

/** node name of every pod matching selector in namespace, sorted; only pods not being deleted. */
async function podNodes(namespace: string, selector: string): Promise<string[]> {
  const out = await ok(['get', 'pods', '-n', namespace, '-l', selector, '-o', 'json']);
  const items = (JSON.parse(out) as { items: { metadata: { deletionTimestamp?: string }; spec: { nodeName?: string } }[] }).items;
  return items.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.spec.nodeName ?? '<none>').sort();
}

async function nodesAre(namespace: string, selector: string, want: string[]): Promise<void> {
  let seen: string[] = [];
  await waitFor(async () => JSON.stringify((seen = await podNodes(namespace, selector))) === JSON.stringify([...want].sort()), {
    timeoutMs: 30_000,
    message: () => `pods ${selector} on ${JSON.stringify(seen)}, want ${JSON.stringify(want)}`,
  });
}

async function allReady(namespace: string, selector: string, n: number): Promise<void> {
  await waitFor(
    async () => {
      const out = await ok(['get', 'pods', '-n', namespace, '-l', selector, '-o', 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']);
      const lines = out.split('\n').filter(Boolean);
      return lines.length === n && lines.every((l) => l === 'True');
    },
    { timeoutMs: 60_000 },
  );
}

describe('DaemonSets with kubectl', () => {
  it('runs one pod per schedulable node, not on the tainted control plane', async () => {
    await ok(['create', 'namespace', 'ds']);
    await ok(['apply', '-n', 'ds', '-f', manifest('000-daemonset-basic.yaml')]);
    await nodesAre('ds', 'app=my-app', ['k8ts-worker', 'k8ts-worker2']);
    await allReady('ds', 'app=my-app', 2);
    const ds = JSON.parse(await ok(['get', 'ds', 'my-daemonset', '-n', 'ds', '-o', 'json']));
    expect(ds.status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 2, updatedNumberScheduled: 2, numberMisscheduled: 0 });
    expect(await ok(['get', 'ds', '-n', 'ds', '-o', 'wide'])).toMatch(/my-daemonset\s+2\s+2\s+2\s+2\s+2\s+<none>/);
    const pod = JSON.parse(await ok(['get', 'pods', '-n', 'ds', '-l', 'app=my-app', '-o', 'json'])).items[0];
    expect(pod.metadata.ownerReferences[0]).toMatchObject({ kind: 'DaemonSet', name: 'my-daemonset', controller: true });
    expect(pod.spec.tolerations.map((t: { key: string }) => t.key)).toContain('node.kubernetes.io/unreachable');
  });

  it('follows nodes as they join', async () => {
    const add = k8ts(['node', 'add', '--labels', 'disktype=ssd']);
    expect(add.status, add.stderr).toBe(0);
    await nodesAre('ds', 'app=my-app', ['k8ts-worker', 'k8ts-worker2', 'k8ts-worker3']);
  });

  it('follows a nodeSelector as node labels change', async () => {
    await ok(['apply', '-n', 'ds', '-f', manifest('001-daemonset-node-selection.yaml')]);
    await nodesAre('ds', 'app=ssd-agent', ['k8ts-worker3']);
    await ok(['label', 'node', 'k8ts-worker', 'disktype=ssd']);
    await nodesAre('ds', 'app=ssd-agent', ['k8ts-worker', 'k8ts-worker3']);
    await ok(['label', 'node', 'k8ts-worker', 'disktype-']);
    await nodesAre('ds', 'app=ssd-agent', ['k8ts-worker3']);
    // It tolerates the control plane's taint, so a label there brings a pod there.
    await ok(['label', 'node', 'k8ts-control-plane', 'disktype=ssd']);
    await nodesAre('ds', 'app=ssd-agent', ['k8ts-control-plane', 'k8ts-worker3']);
  });

  it('leaves a node tainted NoExecute, and comes back when the taint goes', async () => {
    await ok(['taint', 'node', 'k8ts-worker', 'dedicated=x:NoExecute']);
    await nodesAre('ds', 'app=my-app', ['k8ts-worker2', 'k8ts-worker3']);
    await ok(['taint', 'node', 'k8ts-worker', 'dedicated=x:NoExecute-']);
    await nodesAre('ds', 'app=my-app', ['k8ts-worker', 'k8ts-worker2', 'k8ts-worker3']);
  });

  it('loses the pod of a removed node', async () => {
    const rm = k8ts(['node', 'remove', 'k8ts-worker2']);
    expect(rm.status, rm.stderr).toBe(0);
    await nodesAre('ds', 'app=my-app', ['k8ts-worker', 'k8ts-worker3']);
  });

  it('rolls out a new image, keeps history and undoes', async () => {
    await ok(['set', 'image', 'ds/my-daemonset', '-n', 'ds', 'my-container=my-image:v2']);
    await ok(['rollout', 'status', 'ds/my-daemonset', '-n', 'ds', '--timeout=60s']);
    expect(await ok(['get', 'pods', '-n', 'ds', '-l', 'app=my-app', '-o', 'jsonpath={.items[*].spec.containers[0].image}'])).toBe('my-image:v2 my-image:v2');
    expect(await ok(['rollout', 'history', 'ds/my-daemonset', '-n', 'ds'])).toMatch(/1\s+<none>\n2\s+<none>/);
    await ok(['rollout', 'undo', 'ds/my-daemonset', '-n', 'ds']);
    await ok(['rollout', 'status', 'ds/my-daemonset', '-n', 'ds', '--timeout=60s']);
    expect(await ok(['get', 'pods', '-n', 'ds', '-l', 'app=my-app', '-o', 'jsonpath={.items[*].spec.containers[0].image}'])).toBe('my-image my-image');
  });

  it('runs the logging agent with hostPath volumes and the node exporter on the host network', async () => {
    await ok(['apply', '-n', 'ds', '-f', manifest('001-daemonset-logging-agent.yaml'), '-f', manifest('001-daemonset-node-exporter.yaml')]);
    await allReady('ds', 'app=logging-agent', 2);
    await allReady('ds', 'app=node-exporter', 2);
    const pods = JSON.parse(await ok(['get', 'pods', '-n', 'ds', '-l', 'app=node-exporter', '-o', 'json'])).items as { spec: { nodeName: string }; status: { podIP: string; hostIP: string } }[];
    for (const p of pods) expect(p.status.podIP).toBe(p.status.hostIP);
  });
});

describe('Deployments with kubectl', () => {
  it('runs the seeds\' contrast: random names, one shared claim, all pods on its node', async () => {
    await ok(['create', 'namespace', 'deploy']);
    await ok(['apply', '-n', 'deploy', '-f', manifest('003-deployment-contrast.yaml')]);
    await ok(['rollout', 'status', 'deploy/stateless-web', '-n', 'deploy', '--timeout=60s']);
    const names = (await ok(['get', 'pods', '-n', 'deploy', '-l', 'app=stateless-web', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ');
    expect(names).toHaveLength(3);
    for (const n of names) expect(n).toMatch(/^stateless-web-[a-z0-9]{8,10}-[a-z0-9]{5}$/);
    const nodes = new Set(await podNodes('deploy', 'app=stateless-web'));
    expect(nodes.size).toBe(1);
    expect(await ok(['get', 'pvc', 'shared-data', '-n', 'deploy', '-o', 'jsonpath={.status.phase}'])).toBe('Bound');
    const deploy = JSON.parse(await ok(['get', 'deploy', 'stateless-web', '-n', 'deploy', '-o', 'json']));
    expect(deploy.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(deploy.status.conditions.map((c: { type: string; status: string }) => `${c.type}=${c.status}`).sort()).toEqual(['Available=True', 'Progressing=True']);
  });

  it('scales to 10', async () => {
    await ok(['scale', 'deploy/stateless-web', '-n', 'deploy', '--replicas=10']);
    await ok(['rollout', 'status', 'deploy/stateless-web', '-n', 'deploy', '--timeout=60s']);
    await allReady('deploy', 'app=stateless-web', 10);
  });

  it('rolls out, undoes, pauses and resumes', async () => {
    await ok(['set', 'image', 'deploy/stateless-web', '-n', 'deploy', 'web=nginx:1.26']);
    await ok(['rollout', 'status', 'deploy/stateless-web', '-n', 'deploy', '--timeout=90s']);
    expect(new Set((await ok(['get', 'pods', '-n', 'deploy', '-l', 'app=stateless-web', '-o', 'jsonpath={.items[*].spec.containers[0].image}'])).split(' '))).toEqual(new Set(['nginx:1.26']));
    expect(await ok(['get', 'rs', '-n', 'deploy', '-o', 'name'])).toMatch(/replicaset.apps\/stateless-web-\w+\nreplicaset.apps\/stateless-web-\w+/);
    await ok(['rollout', 'undo', 'deploy/stateless-web', '-n', 'deploy']);
    await ok(['rollout', 'status', 'deploy/stateless-web', '-n', 'deploy', '--timeout=90s']);
    expect(await ok(['get', 'deploy', 'stateless-web', '-n', 'deploy', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).toBe('nginx:1.25');
    await ok(['rollout', 'pause', 'deploy/stateless-web', '-n', 'deploy']);
    await ok(['set', 'image', 'deploy/stateless-web', '-n', 'deploy', 'web=nginx:1.27']);
    const paused = JSON.parse(await ok(['get', 'deploy', 'stateless-web', '-n', 'deploy', '-o', 'json']));
    expect(paused.spec.paused).toBe(true);
    expect(new Set((await ok(['get', 'pods', '-n', 'deploy', '-l', 'app=stateless-web', '-o', 'jsonpath={.items[*].spec.containers[0].image}'])).split(' '))).toEqual(new Set(['nginx:1.25']));
    await ok(['rollout', 'resume', 'deploy/stateless-web', '-n', 'deploy']);
    await ok(['rollout', 'status', 'deploy/stateless-web', '-n', 'deploy', '--timeout=90s']);
    expect(await ok(['get', 'deploy', 'stateless-web', '-n', 'deploy', '-o', 'jsonpath={.status.updatedReplicas}'])).toBe('10');
  });
});

describe('helm with a DaemonSet and a Deployment', () => {
  it('installs, upgrades and rolls back with --wait', async () => {
    const k = cluster();
    const helmOk = async (args: string[]) => {
      const r = await k.helm(args, { allowFail: true });
      expect(r.code, `helm ${args.join(' ')}\n${r.stderr}`).toBe(0);
      return r.stdout;
    };
    const chart = join(chartsDir, 'agents');
    await helmOk(['install', 'ag', chart, '-n', 'agents', '--create-namespace', '--wait', '--timeout', '90s']);
    expect(await ok(['get', 'deploy', 'ag-web', '-n', 'agents', '-o', 'jsonpath={.status.availableReplicas}'])).toBe('2');
    const desired = await ok(['get', 'ds', 'ag-agent', '-n', 'agents', '-o', 'jsonpath={.status.desiredNumberScheduled}']);
    expect(await ok(['get', 'ds', 'ag-agent', '-n', 'agents', '-o', 'jsonpath={.status.numberReady}'])).toBe(desired);
    await helmOk(['upgrade', 'ag', chart, '-n', 'agents', '--set', 'web.replicas=3', '--set', 'agentImage=agent:v2', '--wait', '--timeout', '90s']);
    expect(await ok(['get', 'deploy', 'ag-web', '-n', 'agents', '-o', 'jsonpath={.status.availableReplicas}'])).toBe('3');
    expect(await ok(['get', 'ds', 'ag-agent', '-n', 'agents', '-o', 'jsonpath={.status.updatedNumberScheduled}'])).toBe(desired);
    await helmOk(['rollback', 'ag', '1', '-n', 'agents', '--wait', '--timeout', '90s']);
    expect(await ok(['get', 'deploy', 'ag-web', '-n', 'agents', '-o', 'jsonpath={.status.availableReplicas}'])).toBe('2');
  });
});
