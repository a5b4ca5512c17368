// Snapshots with the pinned kubectl: saved while `k8ts up` runs, restored in place after a stop
// (objects and volume bytes as they were), forked into a new data dir with `up --from-snapshot`,
// and a damaged or newer-format archive refused with the data dir untouched. Also `k8ts backup`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { tarBuffer } from '../fixtures/busybox-image.ts';
import { kubectlBin, kubectlOk, repoRoot, useK8ts, waitFor } from './harness.ts';

const cluster = useK8ts();
const ok = (args: string[]) => kubectlOk(cluster(), args);
const root = mkdtempSync(join(tmpdir(), 'k8ts-snap-'));
const env = { ...process.env, K8TS_HOME: join(root, 'home') };
const bin = join(repoRoot, 'bin/k8ts.mjs');
const k8ts = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000, env });
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

let marker = '';
const archive = join(root, 'before.tar.gz');

describe('snapshots', () => {
  it('saves a running cluster: objects and volume data', async () => {
    await ok(['apply', '-f', join(repoRoot, '../shared/manifests/000-statefulset-basic.yaml')]);
    await ok(['rollout', 'status', 'sts/my-statefulset', '--timeout=60s']);
    await ok(['create', 'configmap', 'keep', '--from-literal=a=1']);
    const pv = (await ok(['get', 'pvc', 'my-volume-my-statefulset-1', '-o', 'jsonpath={.spec.volumeName}'])).trim();
    const storage = join(cluster().dataDir, 'storage');
    const dir = readdirSync(storage).find((d) => d.includes(pv))!;
    marker = join(storage, dir, 'data.bin');
    writeFileSync(marker, Buffer.alloc(256 * 1024, 7));
    const r = k8ts(['snapshot', 'save', 'before', '--data-dir', cluster().dataDir, '--out', archive]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^saved snapshot before: \d+ objects \(revision \d+\), \d+ files, .* → .*before\.tar\.gz/);
    // Changes after the snapshot, which a restore undoes.
    await ok(['delete', 'configmap', 'keep']);
    await ok(['scale', 'sts', 'my-statefulset', '--replicas=1']);
    writeFileSync(marker, 'changed');
  });

  it('refuses to restore into a running cluster, and a damaged or newer archive, changing nothing', async () => {
    const running = k8ts(['snapshot', 'restore', archive, '--data-dir', cluster().dataDir]);
    expect(running.status).toBe(1);
    expect(running.stderr).toMatch(/is running \(process \d+\): `k8ts stop` first; nothing was changed/);

    const stop = k8ts(['stop', '--data-dir', cluster().dataDir]);
    expect(stop.status, stop.stderr).toBe(0);
    const db = join(cluster().dataDir, 'state.db');
    const before = sha(db);

    const damaged = join(root, 'damaged.tar.gz');
    writeFileSync(damaged, readFileSync(archive));
    truncateSync(damaged, Math.floor(readFileSync(archive).length / 2));
    const r1 = k8ts(['snapshot', 'restore', damaged, '--data-dir', cluster().dataDir]);
    expect(r1.status).toBe(1);
    expect(r1.stderr).toMatch(/cannot be restored: the archive is damaged or not a snapshot: .*; nothing was changed/);

    const newer = join(root, 'newer.tar.gz');
    writeFileSync(newer, gzipSync(await tarBuffer([{ name: 'state.db', data: 'x' }, { name: 'manifest.json', data: JSON.stringify({ format: 99, k8tsVersion: '9.0.0', files: [] }) }])));
    const r2 = k8ts(['snapshot', 'restore', newer, '--data-dir', cluster().dataDir]);
    expect(r2.status).toBe(1);
    expect(r2.stderr).toContain('the snapshot was made by a newer k8ts (9.0.0, snapshot format 99; this k8ts reads format 1 and older); nothing was changed');

    const tampered = join(root, 'tampered.tar.gz');
    writeFileSync(tampered, gzipSync(await tarBuffer([{ name: 'state.db', data: 'not the listed bytes' }, { name: 'manifest.json', data: JSON.stringify({ format: 1, files: [{ path: 'state.db', size: 20, sha256: '0'.repeat(64) }] }) }])));
    const r3 = k8ts(['snapshot', 'restore', tampered, '--data-dir', cluster().dataDir]);
    expect(r3.stderr).toContain('state.db does not match its checksum; nothing was changed');

    expect(sha(db)).toBe(before);
    expect(readFileSync(marker, 'utf8')).toBe('changed');
  });

  it('restores in place: the objects and volume bytes of the snapshot are back', async () => {
    const r = k8ts(['snapshot', 'restore', archive, '--data-dir', cluster().dataDir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^restored snapshot .* into .*: \d+ objects/);
    expect(readFileSync(marker)).toEqual(Buffer.alloc(256 * 1024, 7));
    await cluster().restart();
    expect((await ok(['get', 'configmap', 'keep', '-o', 'jsonpath={.data.a}']))).toBe('1');
    expect((await ok(['get', 'sts', 'my-statefulset', '-o', 'jsonpath={.spec.replicas}']))).toBe('3');
    await ok(['rollout', 'status', 'sts/my-statefulset', '--timeout=60s']);
  });

  it('forks a new cluster from the snapshot with up --from-snapshot', async () => {
    const forkDir = join(root, 'fork');
    const child = spawn(process.execPath, [bin, 'up', '--from-snapshot', archive, '--data-dir', forkDir, '--port', '0', '--dns-port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    await waitFor(() => out.includes('kubeconfig written to'), { timeoutMs: 60_000, message: () => out });
    expect(out).toMatch(/restored snapshot .* \(\d+ objects, taken .* from cluster "k8ts"\) into /);
    const kc = join(forkDir, 'kubeconfig');
    const get = (args: string[]) => spawnSync(kubectlBin, ['--kubeconfig', kc, ...args], { encoding: 'utf8', env: { ...env, HOME: root } });
    expect(get(['get', 'configmap', 'keep', '-o', 'jsonpath={.data.a}']).stdout).toBe('1');
    await waitFor(() => get(['get', 'sts', 'my-statefulset', '-o', 'jsonpath={.status.readyReplicas}']).stdout === '3', { timeoutMs: 60_000 });
    const forkMarker = marker.replace(cluster().dataDir, forkDir);
    expect(readFileSync(forkMarker)).toEqual(Buffer.alloc(256 * 1024, 7));
    // A data dir that already holds a cluster is not overwritten.
    const again = k8ts(['up', '--from-snapshot', archive, '--data-dir', forkDir, '--port', '0']);
    expect(again.stderr).toMatch(/already holds a cluster|is in use by k8ts process/);
    child.kill('SIGTERM');
  });

  it('keeps named snapshots in K8TS_HOME: save, list, rm; backup copies the datastore online', () => {
    expect(k8ts(['snapshot', 'save', 'nightly', '--data-dir', cluster().dataDir]).status).toBe(0);
    const list = k8ts(['snapshot', 'list']).stdout.trim().split('\n');
    expect(list[0]).toMatch(/^NAME\s+CLUSTER\s+CREATED\s+OBJECTS\s+SIZE$/);
    expect(list[1]).toMatch(/^nightly\s+k8ts\s+\S+\s+\d+\s+\d/);
    expect(k8ts(['snapshot', 'save', 'nightly', '--data-dir', cluster().dataDir]).stderr).toContain('exists: pass --force');
    expect(k8ts(['snapshot', 'restore', 'nope', '--data-dir', join(root, 'x')]).stderr).toContain('no snapshot named "nope": there are nightly');
    expect(k8ts(['snapshot', 'rm', 'nightly']).stdout).toContain('removed snapshot nightly');
    expect(k8ts(['snapshot', 'list']).stdout).toContain('No snapshots');
    const out = join(root, 'copy.db');
    const b = k8ts(['backup', '--data-dir', cluster().dataDir, '--out', out]);
    expect(b.status, b.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
  });
});
