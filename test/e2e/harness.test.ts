// Tests of the e2e harness itself, against fixtures/fake-k8ts.ts (the CLI's start-up contract
// without the real server), plus a smoke test of the real `k8ts up` once the CLI exists.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type K8ts, StopWaiting, chartsDir, helm, repoRoot, startK8ts, waitFor } from './harness.ts';

const fake = [process.execPath, '--import', 'tsx', join(import.meta.dirname, 'fixtures/fake-k8ts.ts')];
const started: K8ts[] = [];
async function start(opts: Parameters<typeof startK8ts>[0] = {}): Promise<K8ts> {
  const k = await startK8ts({ command: fake, ...opts });
  started.push(k);
  return k;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((k) => k.stop()));
});

describe('waitFor', () => {
  it('resolves with the first truthy value', async () => {
    let n = 0;
    await expect(waitFor(() => (++n >= 3 ? n : false), { intervalMs: 1 })).resolves.toBe(3);
  });

  it('times out naming the last error', async () => {
    const fails = () => {
      throw new Error('boom');
    };
    await expect(waitFor(fails, { timeoutMs: 50, intervalMs: 10, message: 'Pod ready' })).rejects.toThrow(/Pod ready within 50 ms \(last error: boom\)/);
  });

  it('gives up at once on StopWaiting', async () => {
    const t0 = Date.now();
    const stop = () => {
      throw new StopWaiting('no point');
    };
    await expect(waitFor(stop, { timeoutMs: 10_000 })).rejects.toThrow('no point');
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

describe('startK8ts (fake server)', () => {
  it('waits for readiness and points kubectl at the cluster with an isolated HOME', async () => {
    const k = await start({ env: { FAKE_K8TS_READY_AFTER_MS: '300' } });
    expect(k.url).toBe(`https://127.0.0.1:${k.port}`);
    expect(k.kubeconfig).toBe(join(k.dataDir, 'kubeconfig'));
    expect(k.caPem).toContain('BEGIN CERTIFICATE');
    expect((await k.kubectl(['get', '--raw', '/readyz'])).stdout).toBe('ok');
    const server = (await k.kubectl(['config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}'])).stdout;
    expect(server).toBe(k.url);
    const { stdout } = await k.helm(['env']);
    expect(stdout).toContain(`HELM_CACHE_HOME="${join(k.dataDir, '../home/.cache/helm')}"`);
  });

  it('reports a failed command with its output unless allowFail', async () => {
    const k = await start();
    await expect(k.kubectl(['get', '--raw', '/nope'])).rejects.toThrow(/kubectl get --raw \/nope failed with code 1/);
    const res = await k.kubectl(['get', '--raw', '/nope'], { allowFail: true });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/NotFound|not found/i);
  });

  it('restarts on the same data dir and port, after a crash too', async () => {
    const k = await start();
    const { port, token, caPem } = k;
    const pid1 = (await k.fetch('/fake/pid')).body;
    await k.restart();
    const pid2 = (await k.fetch('/fake/pid')).body;
    expect(pid2).not.toBe(pid1);
    expect([k.port, k.token, k.caPem]).toEqual([port, token, caPem]);
    await k.kill9();
    await expect(k.fetch('/readyz')).rejects.toThrow();
    await k.restart();
    expect((await k.kubectl(['get', '--raw', '/readyz'])).stdout).toBe('ok');
  });

  it('fails fast, with the server output, when the server exits before ready', async () => {
    const t0 = Date.now();
    await expect(start({ env: { FAKE_K8TS_EXIT: '1' } })).rejects.toThrow(/exited with code 3 before it was ready[\s\S]*failing on purpose/);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it('removes its temp dirs on stop', async () => {
    const k = await start();
    await k.stop();
    expect(existsSync(join(k.dataDir, '..'))).toBe(false);
  });
});

describe('fixture chart web', () => {
  const chart = join(chartsDir, 'web');

  it('lints', async () => {
    await helm(['lint', '--strict', chart]);
  });

  it('renders a headless Service and a StatefulSet with a claim template', async () => {
    const { stdout } = await helm(['template', 'rel', chart, '--set', 'replicas=3', '--set', 'image=nginx:1.25']);
    const docs = parseAllDocuments(stdout).map((d) => d.toJS());
    const svc = docs.find((d) => d.kind === 'Service');
    const sts = docs.find((d) => d.kind === 'StatefulSet');
    expect(svc.spec.clusterIP).toBe('None');
    expect(sts.spec).toMatchObject({ serviceName: 'web', replicas: 3, template: { spec: { containers: [{ image: 'nginx:1.25' }] } } });
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe('www');
    expect(sts.spec.selector.matchLabels).toEqual(sts.spec.template.metadata.labels);
  });
});

// The real CLI (src/cli/main.ts, bundled into dist/ by `npm test`'s build step).
describe.skipIf(!existsSync(join(repoRoot, 'src/cli/main.ts')))('startK8ts (real k8ts up)', () => {
  it('starts, answers kubectl, restarts and stops', async () => {
    const k = await startK8ts();
    started.push(k);
    expect((await k.kubectl(['get', '--raw', '/readyz'])).stdout).toBe('ok');
    await k.restart();
    expect((await k.kubectl(['get', '--raw', '/readyz'])).stdout).toBe('ok');
    expect(readdirSync(k.dataDir)).toContain('kubeconfig');
  });
});
