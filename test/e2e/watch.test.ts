// `k8ts watch` against `k8ts up`, changes made with the pinned kubectl: on a pipe the first screen
// then each changed row as a line, so the order pods come up in and the claim left behind by a
// scale-down can be read off the output; on a terminal (a pseudo-terminal from util-linux
// `script`) the live screen, which `q` closes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { kubectlOk, repoRoot, useK8ts, waitFor } from './harness.ts';

const cluster = useK8ts();
const ok = (args: string[], input?: string) => kubectlOk(cluster(), args, input);
const k8tsBin = join(repoRoot, 'bin/k8ts.mjs');
const manifest = (name: string) => join(repoRoot, '../shared/manifests', name);

interface Watcher {
  child: ChildProcess;
  out(): string;
  exited: Promise<number | null>;
}

const watchers: Watcher[] = [];
afterEach(() => {
  for (const w of watchers.splice(0)) w.child.kill('SIGKILL');
});

function watch(args: string[]): Watcher {
  const child = spawn(process.execPath, [k8tsBin, 'watch', ...args, '--kubeconfig', cluster().kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (b: Buffer) => (text += b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => (text += b.toString('utf8')));
  const w = { child, out: () => text, exited: new Promise<number | null>((r) => child.once('exit', (code) => r(code))) };
  watchers.push(w);
  return w;
}

const lines = (w: Watcher) => w.out().split('\n');
/** The order in which each pod was first printed Running. */
const firstRunning = (w: Watcher, prefix: string) => [...new Set(lines(w).map((l) => new RegExp(`^\\d+\\s+(${prefix}-\\d+)\\s+Running\\b`).exec(l)?.[1]).filter(Boolean))];

describe('k8ts watch', () => {
  it('prints the StatefulSet as lines on a pipe: pods come up in ordinal order, a claim stays after scale-down', async () => {
    const w = watch(['sts/my-statefulset']);
    await waitFor(() => w.out().includes('does not exist'), { timeoutMs: 20_000, message: () => w.out() });
    await ok(['apply', '-f', manifest('000-statefulset-basic.yaml')]);
    await waitFor(() => w.out().includes('3/3 ready'), { timeoutMs: 60_000, message: () => w.out() });
    expect(firstRunning(w, 'my-statefulset')).toEqual(['my-statefulset-0', 'my-statefulset-1', 'my-statefulset-2']);
    expect(w.out()).toMatch(/statefulset default\/my-statefulset · OrderedReady · RollingUpdate · service my-service/);
    expect(w.out()).toMatch(/my-volume-my-statefulset-2 Bound 1Gi → pvc-/);

    await ok(['scale', 'sts', 'my-statefulset', '--replicas=2']);
    await waitFor(() => /^2\s+my-statefulset-2\s+\(none\).*my-volume-my-statefulset-2 Bound 1Gi \(kept, waiting for its pod\)/m.test(w.out()), { timeoutMs: 60_000, message: () => w.out() });
    // Scale-down took the highest ordinal: the others never went away.
    expect(w.out()).not.toMatch(/^[01]\s+my-statefulset-[01]\s+(Terminating|\(none\))/m);
  });

  it('shows the DaemonSet per node with why a node has no pod', async () => {
    await ok(['apply', '-f', manifest('000-daemonset-basic.yaml')]);
    const name = (await ok(['get', 'ds', '-A', '-o', 'jsonpath={.items[0].metadata.namespace}/{.items[0].metadata.name}'])).trim();
    const [ns, ds] = name.split('/');
    const w = watch([`ds/${ds}`, '-n', ns!]);
    await waitFor(() => /^k8ts-worker2\s+\S+\s+Running\s+yes/m.test(w.out()), { timeoutMs: 60_000, message: () => w.out() });
    expect(w.out()).toMatch(/^k8ts-control-plane\s+-\s+-\s+-\s+taint node-role\.kubernetes\.io\/control-plane:NoSchedule not tolerated/m);
  });

  it('draws a live screen on a terminal and quits on q', async () => {
    const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
    expect(script.status, 'util-linux `script` gives the test a terminal').toBe(0);
    const cmd = `stty rows 20 cols 160; exec ${process.execPath} ${k8tsBin} watch sts/my-statefulset --kubeconfig ${cluster().kubeconfig}`;
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let text = '';
    child.stdout!.on('data', (b: Buffer) => (text += b.toString('utf8')));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    watchers.push({ child, out: () => text, exited });
    await waitFor(() => text.includes('my-statefulset-1') && text.includes('q quit'), { timeoutMs: 20_000, message: () => text });
    // Colours on a terminal: the ready rows in green.
    expect(text).toMatch(/\x1b\[32m0\s+my-statefulset-0\s+Running/);
    child.stdin!.write('q');
    expect(await exited).toBe(0);
  });

  it('refuses what it cannot watch with a message that says what it can', () => {
    const r = spawnSync(process.execPath, [k8tsBin, 'watch', 'pod/web-0', '--kubeconfig', cluster().kubeconfig], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('name a StatefulSet, DaemonSet or Deployment as kubectl does, e.g. sts/web');
  });
});
