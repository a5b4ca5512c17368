// Cluster lifecycle as a user runs it, with the pinned kubectl: `k8ts up --name`, `stop` and
// `start` (objects, node set, volume bytes back; pods restarted as after a node reboot), two
// named clusters side by side in `k8ts list`, a context merged into the user's kubeconfig and
// taken out by `delete`, and `export logs`. K8TS_HOME and HOME are the test's own.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kubectlBin, repoRoot, waitFor } from './harness.ts';

const root = mkdtempSync(join(tmpdir(), 'k8ts-clusters-'));
const home = join(root, 'home');
const k8tsHome = join(root, 'k8ts-home');
const userKubeconfig = join(home, '.kube', 'config');
mkdirSync(join(home, '.kube'), { recursive: true });
const env = { ...process.env, HOME: home, K8TS_HOME: k8tsHome, KUBECONFIG: '' };
const bin = join(repoRoot, 'bin/k8ts.mjs');
const k8ts = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 150_000, env });
const dirOf = (name: string) => join(k8tsHome, 'clusters', name);
const kubectl = (name: string, args: string[]) => {
  const r = spawnSync(kubectlBin, ['--kubeconfig', join(dirOf(name), 'kubeconfig'), ...args], { encoding: 'utf8', timeout: 60_000, env });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

const foreground: ChildProcess[] = [];
/** `k8ts up --name NAME` in the foreground, as a user starts a cluster; resolves once it listens. */
async function up(name: string, extra: string[] = [], until = 'kubeconfig written to'): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [bin, 'up', '--name', name, ...extra], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  foreground.push(child);
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  await waitFor(() => out.includes(until), { timeoutMs: 60_000, message: () => out });
  return { child, output: () => out };
}

afterAll(() => {
  for (const name of ['alpha', 'beta']) if (existsSync(dirOf(name))) k8ts(['delete', '--name', name]);
  for (const c of foreground) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

describe('cluster lifecycle', () => {
  let volumeDir = '';

  it('stops a cluster and starts it again with its objects, nodes and volume bytes; pods restart as after a node reboot', async () => {
    const alpha = await up('alpha', ['--workers', '1']);
    expect(alpha.output()).toMatch(/listening on https:\/\/127\.0\.0\.1:\d+/);
    kubectl('alpha', ['apply', '-f', join(repoRoot, '../shared/manifests/000-statefulset-basic.yaml')]);
    kubectl('alpha', ['rollout', 'status', 'sts/my-statefulset', '--timeout=60s']);
    const nodesBefore = kubectl('alpha', ['get', 'nodes', '-o', 'name']);
    const pv = kubectl('alpha', ['get', 'pvc', 'my-volume-my-statefulset-0', '-o', 'jsonpath={.spec.volumeName}']);
    volumeDir = join(dirOf('alpha'), 'storage');
    const dir = readdirSync(volumeDir).find((d) => d.includes(pv));
    expect(dir, `a directory for ${pv} in ${volumeDir}`).toBeDefined();
    writeFileSync(join(volumeDir, dir!, 'kept.txt'), 'bytes that must survive');

    const exited = new Promise<number | null>((r) => alpha.child.once('exit', r));
    const stop = k8ts(['stop', '--name', 'alpha']);
    expect(stop.status, stop.stderr).toBe(0);
    expect(stop.stdout).toContain('stopped cluster "alpha"');
    expect(await exited).toBe(0);
    const again = k8ts(['stop', '--name', 'alpha']);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(`cluster "alpha" (${dirOf('alpha')}) is not running`);

    const start = k8ts(['start', '--name', 'alpha']);
    expect(start.status, start.stderr).toBe(0);
    expect(start.stdout).toContain('started cluster "alpha"');
    expect(kubectl('alpha', ['get', 'nodes', '-o', 'name'])).toBe(nodesBefore);
    expect(readFileSync(join(volumeDir, dir!, 'kept.txt'), 'utf8')).toBe('bytes that must survive');
    expect(kubectl('alpha', ['get', 'pvc', 'my-volume-my-statefulset-0', '-o', 'jsonpath={.spec.volumeName}'])).toBe(pv);
    await waitFor(() => {
      const pods = JSON.parse(kubectl('alpha', ['get', 'pods', '-o', 'json'])).items as { status: { phase: string; containerStatuses?: { ready: boolean; restartCount: number; lastState: { terminated?: { exitCode: number; reason: string } } }[] } }[];
      return pods.length === 3 && pods.every((p) => p.status.phase === 'Running' && p.status.containerStatuses?.[0]?.ready && p.status.containerStatuses[0].restartCount === 1 && p.status.containerStatuses[0].lastState.terminated?.reason === 'Unknown');
    }, { timeoutMs: 60_000, message: () => kubectl('alpha', ['get', 'pods', '-o', 'wide']) });
    expect(kubectl('alpha', ['get', 'events', '--field-selector', 'reason=SandboxChanged', '-o', 'name']).trim().split('\n')).toHaveLength(3);
  });

  it('runs a second named cluster beside it, merged into the user kubeconfig, both in k8ts list', async () => {
    writeFileSync(userKubeconfig, 'apiVersion: v1\nkind: Config\nclusters:\n- name: other\n  cluster: {server: "https://example.invalid"}\nusers:\n- name: other\n  user: {token: x}\ncontexts:\n- name: other\n  context: {cluster: other, user: other}\ncurrent-context: other\n');
    const beta = await up('beta', ['--workers', '0', '--merge-kubeconfig'], 'context k8ts-beta added');
    expect(beta.output()).toContain(`context k8ts-beta added to ${userKubeconfig} and made current`);
    const merged = parse(readFileSync(userKubeconfig, 'utf8')) as { contexts: { name: string }[]; 'current-context': string };
    expect(merged.contexts.map((c) => c.name)).toEqual(['other', 'k8ts-beta']);
    expect(merged['current-context']).toBe('k8ts-beta');
    // kubectl with no flags now reaches beta.
    const viaUser = spawnSync(kubectlBin, ['get', 'nodes', '-o', 'name'], { encoding: 'utf8', env });
    expect(viaUser.stdout.trim()).toBe('node/k8ts-control-plane');

    const list = k8ts(['list']);
    expect(list.status, list.stderr).toBe(0);
    const rows = list.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^NAME\s+STATUS\s+SERVER\s+NODES\s+DATA DIR$/);
    const alphaRow = rows.find((r) => r.startsWith('alpha '))!;
    const betaRow = rows.find((r) => r.startsWith('beta '))!;
    expect(alphaRow).toMatch(/Running\s+https:\/\/127\.0\.0\.1:\d+\s+2\s/);
    expect(betaRow).toMatch(/Running\s+https:\/\/127\.0\.0\.1:\d+\s+1\s/);
    expect(alphaRow.split(/\s+/)[2]).not.toBe(betaRow.split(/\s+/)[2]);

    const del = k8ts(['delete', '--name', 'beta']);
    expect(del.status, del.stderr).toBe(0);
    expect(del.stdout).toContain('context k8ts-beta removed from your kubeconfig');
    expect(existsSync(dirOf('beta'))).toBe(false);
    const after = parse(readFileSync(userKubeconfig, 'utf8')) as { contexts: { name: string }[] };
    expect(after.contexts.map((c) => c.name)).toEqual(['other']);
    expect(k8ts(['list']).stdout).not.toMatch(/^beta /m);
  });

  it('exports the server log, every container log and every object, Secret values redacted', () => {
    kubectl('alpha', ['create', 'secret', 'generic', 'hush', '--from-literal=password=hunter2']);
    const out = join(root, 'export');
    const r = k8ts(['export', 'logs', out, '--name', 'alpha']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^exported to .*: the server log, \d+ container logs of \d+ pods, \d+ objects of \d+ resources\n$/);
    expect(readFileSync(join(out, 'server.log'), 'utf8')).toContain('listening on https://');
    expect(readFileSync(join(out, 'pods', 'default', 'my-statefulset-0', 'my-container.log'), 'utf8')).toContain('container my-container started');
    expect(existsSync(join(out, 'pods', 'default', 'my-statefulset-0', 'my-container.previous.log'))).toBe(true);
    expect(readFileSync(join(out, 'objects', 'statefulsets.apps.yaml'), 'utf8')).toContain('name: my-statefulset');
    const secrets = readFileSync(join(out, 'objects', 'secrets.yaml'), 'utf8');
    expect(secrets).toContain('name: hush');
    expect(secrets).not.toContain(Buffer.from('hunter2').toString('base64'));
    expect(secrets).toContain('<redacted>');
  });

  it('refuses what it cannot do, saying why', () => {
    expect(k8ts(['start', '--name', 'nope']).stderr).toContain(`no cluster in ${dirOf('nope')}`);
    expect(k8ts(['up', '--name', 'Bad_Name']).stderr).toContain('invalid cluster name "Bad_Name"');
    const notADataDir = mkdtempSync(join(root, 'plain-'));
    writeFileSync(join(notADataDir, 'notes.txt'), 'mine');
    expect(k8ts(['delete', '--data-dir', notADataDir]).stderr).toContain('does not look like a k8ts data dir: not removed');
    expect(existsSync(join(notADataDir, 'notes.txt'))).toBe(true);
  });
});
