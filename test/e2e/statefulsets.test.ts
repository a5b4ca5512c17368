// Issue 5's scenario with the real kubectl and helm: the seeds' StatefulSets applied verbatim,
// ordered creation seen through a kubectl watch, a claim per pod provisioned by the local-path
// provisioner, identity kept across pod deletion, reverse-order scale-down, partitioned rolling
// updates, rollout history/undo/restart, OnDelete + Parallel, and claims that outlive their set.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartsDir, kubectlBin, kubectlOk, useK8ts, waitFor } from './harness.ts';

const cluster = useK8ts();
const ok = (args: string[], input?: string) => kubectlOk(cluster(), args, input);
const manifests = join(import.meta.dirname, '../../../shared/manifests');
const manifest = (name: string) => join(manifests, name);

interface WatchEvent {
  type: string;
  object: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } };
}

/**
 * `kubectl get pods -w --output-watch-events -o json` in the background: the events in the order
 * the server sent them (resourceVersion order), which is what ordering assertions need.
 */
function watchPods(namespace: string, selector: string) {
  const k = cluster();
  const child = spawn(kubectlBin, ['get', 'pods', '-n', namespace, '-l', selector, '-w', '--output-watch-events', '-o', 'json'], {
    env: { ...process.env, KUBECONFIG: k.kubeconfig },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.on('data', (c: Buffer) => (text += c.toString('utf8')));
  const events = (): WatchEvent[] => {
    // Pretty-printed JSON documents one after another: split at each top-level `}\n{`.
    const out: WatchEvent[] = [];
    for (const doc of text.split(/\n(?=\{)/)) {
      try {
        out.push(JSON.parse(doc) as WatchEvent);
      } catch {
        /* the last document may be incomplete */
      }
    }
    return out;
  };
  return { events, stop: () => child.kill('SIGTERM') };
}

const ready = (e: WatchEvent) => (e.object.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
const firstIndex = (evs: WatchEvent[], pred: (e: WatchEvent) => boolean) => evs.findIndex(pred);

async function podsReady(namespace: string, selector: string, n: number): Promise<void> {
  await waitFor(
    async () => {
      const out = await ok(['get', 'pods', '-n', namespace, '-l', selector, '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']);
      const lines = out.split('\n').filter(Boolean);
      return lines.length === n && lines.every((l) => l.endsWith('=True'));
    },
    { timeoutMs: 60_000 },
  );
}

async function claimsBound(namespace: string, n: number): Promise<string[]> {
  return waitFor(
    async () => {
      const out = await ok(['get', 'pvc', '-n', namespace, '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.phase}{"\\n"}{end}']);
      const lines = out.split('\n').filter(Boolean);
      return lines.length === n && lines.every((l) => l.endsWith('=Bound')) ? lines.map((l) => l.split('=')[0]!) : undefined;
    },
    { timeoutMs: 60_000 },
  );
}

describe('StatefulSets with kubectl', () => {
  it('creates web-0, web-1, web-2 in order, each after its predecessor is Ready', async () => {
    await ok(['create', 'namespace', 'web']);
    const w = watchPods('web', 'app=nginx');
    try {
      await ok(['apply', '-n', 'web', '-f', manifest('002-nginx-web.yaml')]);
      await podsReady('web', 'app=nginx', 3);
      await waitFor(() => w.events().filter(ready).length >= 3, { timeoutMs: 10_000 });
      const evs = w.events();
      for (const [prev, next] of [['web-0', 'web-1'], ['web-1', 'web-2']] as const) {
        const prevReady = firstIndex(evs, (e) => e.object.metadata.name === prev && ready(e));
        const nextAdded = firstIndex(evs, (e) => e.object.metadata.name === next);
        expect(prevReady, `${prev} Ready`).toBeGreaterThanOrEqual(0);
        expect(nextAdded, `${next} created after ${prev} Ready`).toBeGreaterThan(prevReady);
      }
    } finally {
      w.stop();
    }
    const pod = JSON.parse(await ok(['get', 'pod', 'web-1', '-n', 'web', '-o', 'json']));
    expect(pod.spec.hostname).toBe('web-1');
    expect(pod.spec.subdomain).toBe('nginx');
    expect(pod.metadata.labels['statefulset.kubernetes.io/pod-name']).toBe('web-1');
    expect(pod.metadata.labels['apps.kubernetes.io/pod-index']).toBe('1');
    expect(pod.metadata.labels['controller-revision-hash']).toMatch(/^web-/);
    expect(pod.metadata.ownerReferences[0]).toMatchObject({ kind: 'StatefulSet', name: 'web', controller: true });
    expect(pod.spec.volumes.find((v: { name: string }) => v.name === 'www').persistentVolumeClaim.claimName).toBe('www-web-1');
  });

  it('gives each pod its own claim, bound to a volume the local-path provisioner made', async () => {
    expect(await claimsBound('web', 3)).toEqual(['www-web-0', 'www-web-1', 'www-web-2']);
    const pvc = JSON.parse(await ok(['get', 'pvc', 'www-web-0', '-n', 'web', '-o', 'json']));
    expect(pvc.spec.storageClassName).toBe('standard');
    const pv = JSON.parse(await ok(['get', 'pv', pvc.spec.volumeName, '-o', 'json']));
    expect(pv.metadata.annotations['pv.kubernetes.io/provisioned-by']).toBe('k8ts.io/local-path');
    expect(pv.spec.claimRef).toMatchObject({ namespace: 'web', name: 'www-web-0' });
    const node = await ok(['get', 'pod', 'web-0', '-n', 'web', '-o', 'jsonpath={.spec.nodeName}']);
    expect(JSON.stringify(pv.spec.nodeAffinity)).toContain(node);
    const dirs = readdirSync(join(cluster().dataDir, 'storage'));
    expect(dirs).toContain(`${pv.metadata.name}_web_www-web-0`);
    expect(await ok(['get', 'storageclass'])).toMatch(/standard \(default\)\s+k8ts\.io\/local-path\s+Delete\s+WaitForFirstConsumer/);
  });

  it('brings a deleted pod back with the same name and the same claim', async () => {
    const before = await ok(['get', 'pod', 'web-1', '-n', 'web', '-o', 'jsonpath={.metadata.uid}']);
    await ok(['delete', 'pod', 'web-1', '-n', 'web']);
    await waitFor(async () => {
      const uid = await ok(['get', 'pod', 'web-1', '-n', 'web', '-o', 'jsonpath={.metadata.uid}', '--ignore-not-found']);
      return uid !== '' && uid !== before;
    }, { timeoutMs: 30_000 });
    await podsReady('web', 'app=nginx', 3);
    expect(await ok(['get', 'pod', 'web-1', '-n', 'web', '-o', 'jsonpath={.spec.volumes[?(@.name=="www")].persistentVolumeClaim.claimName}'])).toBe('www-web-1');
    expect(await claimsBound('web', 3)).toHaveLength(3);
  });

  it('updates only ordinals at or above the partition, highest first', async () => {
    await ok(['patch', 'sts', 'web', '-n', 'web', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}']);
    await ok(['set', 'image', 'sts/web', '-n', 'web', 'nginx=nginx:1.26']);
    await ok(['rollout', 'status', 'sts/web', '-n', 'web', '--timeout=60s']);
    const images = await ok(['get', 'pods', '-n', 'web', '-l', 'app=nginx', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.containers[0].image}{"\\n"}{end}']);
    expect(images.split('\n').filter(Boolean).sort()).toEqual(['web-0=k8s.gcr.io/nginx-slim:0.8', 'web-1=k8s.gcr.io/nginx-slim:0.8', 'web-2=nginx:1.26']);
    const status = JSON.parse(await ok(['get', 'sts', 'web', '-n', 'web', '-o', 'json'])).status;
    expect(status.updatedReplicas).toBe(1);
    expect(status.currentRevision).not.toBe(status.updateRevision);
  });

  it('rolls the rest out when the partition drops, and keeps revision history', async () => {
    await ok(['patch', 'sts', 'web', '-n', 'web', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}']);
    await ok(['rollout', 'status', 'sts/web', '-n', 'web', '--timeout=60s']);
    const images = await ok(['get', 'pods', '-n', 'web', '-l', 'app=nginx', '-o', 'jsonpath={.items[*].spec.containers[0].image}']);
    expect(images.split(' ')).toEqual(['nginx:1.26', 'nginx:1.26', 'nginx:1.26']);
    const history = await ok(['rollout', 'history', 'sts/web', '-n', 'web']);
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    expect(await ok(['rollout', 'history', 'sts/web', '-n', 'web', '--revision=1'])).toContain('k8s.gcr.io/nginx-slim:0.8');
    await ok(['rollout', 'undo', 'sts/web', '-n', 'web']);
    await ok(['rollout', 'status', 'sts/web', '-n', 'web', '--timeout=60s']);
    expect(await ok(['get', 'sts', 'web', '-n', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).toBe('k8s.gcr.io/nginx-slim:0.8');
    await ok(['rollout', 'restart', 'sts/web', '-n', 'web']);
    await ok(['rollout', 'status', 'sts/web', '-n', 'web', '--timeout=60s']);
    const restarted = await ok(['get', 'pods', '-n', 'web', '-l', 'app=nginx', '-o', 'jsonpath={.items[*].metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}']);
    expect(restarted.split(' ').filter(Boolean)).toHaveLength(3);
  });

  it('scales up in order and down from the highest ordinal, one at a time', async () => {
    await ok(['scale', 'sts', 'web', '-n', 'web', '--replicas=5']);
    await podsReady('web', 'app=nginx', 5);
    expect(await claimsBound('web', 5)).toHaveLength(5);
    const w = watchPods('web', 'app=nginx');
    try {
      await ok(['scale', 'sts', 'web', '-n', 'web', '--replicas=2']);
      await waitFor(async () => (await ok(['get', 'pods', '-n', 'web', '-l', 'app=nginx', '-o', 'name'])).split('\n').filter(Boolean).length === 2, { timeoutMs: 30_000 });
      await waitFor(() => w.events().filter((e) => e.type === 'DELETED').length >= 3, { timeoutMs: 10_000 });
      const deleted = w.events().filter((e) => e.type === 'DELETED').map((e) => e.object.metadata.name);
      expect(deleted).toEqual(['web-4', 'web-3', 'web-2']);
    } finally {
      w.stop();
    }
    // whenScaled defaults to Retain: the claims of the removed ordinals stay.
    expect(await claimsBound('web', 5)).toHaveLength(5);
  });

  it('keeps the claims when the set is deleted (Retain)', async () => {
    await ok(['delete', 'sts', 'web', '-n', 'web']);
    await waitFor(async () => (await ok(['get', 'pods', '-n', 'web', '-o', 'name'])) === '', { timeoutMs: 30_000 });
    expect(await claimsBound('web', 5)).toHaveLength(5);
  });

  it('deletes claims with the set when the retention policy says Delete', async () => {
    await ok(['create', 'namespace', 'retain']);
    const sts = readFileSync(manifest('002-nginx-web.yaml'), 'utf8').replace(
      'serviceName: "nginx"',
      'serviceName: "nginx"\n  persistentVolumeClaimRetentionPolicy:\n    whenDeleted: Delete\n    whenScaled: Delete',
    );
    await ok(['apply', '-n', 'retain', '-f', '-'], sts);
    await podsReady('retain', 'app=nginx', 3);
    await claimsBound('retain', 3);
    await ok(['scale', 'sts', 'web', '-n', 'retain', '--replicas=1']);
    await waitFor(async () => (await ok(['get', 'pvc', '-n', 'retain', '-o', 'name'])).trim() === 'persistentvolumeclaim/www-web-0', { timeoutMs: 30_000 });
    await ok(['delete', 'sts', 'web', '-n', 'retain']);
    await waitFor(async () => (await ok(['get', 'pvc', '-n', 'retain', '-o', 'name'])) === '', { timeoutMs: 30_000 });
  });
});

describe('the seeds\' StatefulSet manifests, verbatim', () => {
  const cases: { file: string; ns: string; selector: string; claims: number }[] = [
    { file: '000-statefulset-basic.yaml', ns: 'basic', selector: 'app=my-app', claims: 3 },
    { file: '001-statefulset-standard-storage.yaml', ns: 'standard', selector: 'app=myapp', claims: 3 },
    { file: '002-mysql.yaml', ns: 'mysql', selector: 'app=mysql', claims: 3 },
  ];
  it.each(cases)('$file runs three Ready pods with a Bound claim each', async ({ file, ns, selector, claims }) => {
    await ok(['create', 'namespace', ns]);
    await ok(['apply', '-n', ns, '-f', manifest(file)]);
    await podsReady(ns, selector, 3);
    expect(await claimsBound(ns, claims)).toHaveLength(claims);
  });

  it('001-statefulset-partition.yaml over the standard one updates only ordinal 2', async () => {
    await ok(['apply', '-n', 'standard', '-f', manifest('001-statefulset-partition.yaml')]);
    await ok(['rollout', 'status', 'sts/my-statefulset', '-n', 'standard', '--timeout=60s']);
    const images = await ok(['get', 'pods', '-n', 'standard', '-l', 'app=myapp', '-o', 'jsonpath={.items[*].spec.containers[0].image}']);
    expect(images.split(' ')).toEqual(['myapp:latest', 'myapp:latest', 'myapp:v2']);
  });

  it('001-statefulset-ondelete-parallel.yaml waits for its class, then starts all pods at once; OnDelete updates only deleted pods', async () => {
    await ok(['create', 'namespace', 'fast']);
    await ok(['apply', '-n', 'fast', '-f', manifest('001-statefulset-ondelete-parallel.yaml')]);
    // Parallel: all three pods exist at once though none can run yet (the class is missing).
    await waitFor(async () => (await ok(['get', 'pods', '-n', 'fast', '-o', 'name'])).split('\n').filter(Boolean).length === 3, { timeoutMs: 30_000 });
    expect(await ok(['get', 'pvc', '-n', 'fast', '-o', 'jsonpath={.items[*].status.phase}'])).toBe('Pending Pending Pending');
    await ok(['apply', '-f', manifest('001-storageclass-fast.yaml')]);
    await podsReady('fast', 'app=fast', 3);
    expect(await claimsBound('fast', 3)).toHaveLength(3);
    await ok(['set', 'image', 'sts/fast-statefulset', '-n', 'fast', 'app=myapp:v2']);
    await waitFor(async () => {
      const s = JSON.parse(await ok(['get', 'sts', 'fast-statefulset', '-n', 'fast', '-o', 'json'])).status;
      return s.updateRevision && s.updateRevision !== s.currentRevision;
    }, { timeoutMs: 20_000 });
    expect(await ok(['get', 'pods', '-n', 'fast', '-o', 'jsonpath={.items[*].spec.containers[0].image}'])).toBe('myapp:latest myapp:latest myapp:latest');
    // What matters is the replacement's template; its arrival is what the wait below checks.
    await ok(['delete', 'pod', 'fast-statefulset-1', '-n', 'fast', '--wait=false']);
    await waitFor(async () => (await ok(['get', 'pod', 'fast-statefulset-1', '-n', 'fast', '-o', 'jsonpath={.spec.containers[0].image}', '--ignore-not-found'])) === 'myapp:v2', { timeoutMs: 60_000 });
    expect(await ok(['get', 'pods', 'fast-statefulset-0', 'fast-statefulset-2', '-n', 'fast', '-o', 'jsonpath={.items[*].spec.containers[0].image}'])).toBe('myapp:latest myapp:latest');
  });

  it('001-postgres.yaml runs on the fast class with its Secret', async () => {
    await ok(['create', 'namespace', 'pg']);
    await ok(['apply', '-n', 'pg', '-f', manifest('001-postgres.yaml')]);
    await podsReady('pg', 'app=postgres', 3);
    expect(await claimsBound('pg', 3)).toEqual(['postgres-data-postgres-statefulset-0', 'postgres-data-postgres-statefulset-1', 'postgres-data-postgres-statefulset-2']);
    expect(await ok(['get', 'pvc', '-n', 'pg', '-o', 'jsonpath={.items[0].status.capacity.storage}'])).toBe('20Gi');
  });
});

describe('helm with --wait', () => {
  it('installs, upgrades and rolls back a chart with a headless Service and a StatefulSet', async () => {
    const k = cluster();
    const helmOk = async (args: string[]) => {
      const r = await k.helm(args, { allowFail: true });
      expect(r.code, `helm ${args.join(' ')}\n${r.stderr}`).toBe(0);
      return r.stdout;
    };
    const chart = join(chartsDir, 'web');
    await helmOk(['install', 'web', chart, '-n', 'helm', '--create-namespace', '--wait', '--timeout', '90s']);
    expect(await ok(['get', 'sts', 'web', '-n', 'helm', '-o', 'jsonpath={.status.readyReplicas}'])).toBe('2');
    await helmOk(['upgrade', 'web', chart, '-n', 'helm', '--set', 'replicas=3', '--wait', '--timeout', '90s']);
    expect(await ok(['get', 'sts', 'web', '-n', 'helm', '-o', 'jsonpath={.status.readyReplicas}'])).toBe('3');
    await helmOk(['rollback', 'web', '1', '-n', 'helm', '--wait', '--timeout', '90s']);
    expect(await ok(['get', 'sts', 'web', '-n', 'helm', '-o', 'jsonpath={.status.readyReplicas}'])).toBe('2');
    expect(existsSync(join(k.dataDir, 'storage'))).toBe(true);
  });
});
