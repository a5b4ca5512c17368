// The k8ts command line as a user runs it: help, a second `up` on a data dir in use, `kubeconfig`,
// a clean stop on SIGTERM with everything kept for the next start.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startK8ts, waitFor, type K8ts } from './harness.ts';

const k8tsBin = join(repoRoot, 'bin/k8ts.mjs');
const k8ts = (args: string[]) => spawnSync(process.execPath, [k8tsBin, ...args], { encoding: 'utf8', timeout: 30_000 });

let k: K8ts;
beforeAll(async () => {
  k = await startK8ts();
});
afterAll(async () => {
  await k?.stop();
});

describe('k8ts CLI', () => {
  it('explains itself', () => {
    const top = k8ts(['--help']);
    expect(top.status).toBe(0);
    expect(top.stdout).toMatch(/Usage: k8ts/);
    expect(top.stdout).toContain('up');
    const up = k8ts(['up', '--help']);
    expect(up.stdout).toContain('--data-dir');
    expect(up.stdout).toContain('--datastore');
    for (const flag of ['--dns-port', '--cluster-domain', '--service-cidr']) expect(up.stdout).toContain(flag);
  });

  it('refuses a second cluster on a data dir in use', () => {
    const second = k8ts(['up', '--data-dir', k.dataDir, '--port', '0']);
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/data dir .* is in use by k8ts process \d+/);
  });

  it('refuses a bad datastore name with the choices', () => {
    const r = k8ts(['up', '--datastore', 'etcd2']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('sqlite');
  });

  it('refuses an etcd that does not answer, naming it and what to check', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-cli-'));
    try {
      const r = k8ts(['up', '--data-dir', dir, '--port', '0', '--dns-port', '0', '--datastore', 'etcd://127.0.0.1:1']);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('cannot open the datastore etcd http://127.0.0.1:1');
      expect(r.stderr).toContain('check that etcd runs there and the address is right');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a DNS port in use, a bad service CIDR and a bad cluster domain, saying what to pass', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-cli-'));
    try {
      const busy = k8ts(['up', '--data-dir', dir, '--port', '0', '--dns-port', String(k.dnsPort)]);
      expect(busy.status).toBe(1);
      expect(busy.stderr).toContain(`DNS port ${k.dnsPort} on 127.0.0.1 is already in use: pass --dns-port with a free port (0 picks one)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const cidr = k8ts(['up', '--service-cidr', '10.96.0.0']);
    expect(cidr.status).not.toBe(0);
    expect(cidr.stderr).toContain('invalid service CIDR "10.96.0.0": want an IPv4 block from /8 to /30, such as 10.96.0.0/16');
    const zone = k8ts(['up', '--cluster-domain', 'bad_domain']);
    expect(zone.status).not.toBe(0);
    expect(zone.stderr).toContain('must be a DNS domain such as cluster.local');
  });

  it('refuses the process runtime on a machine without what it needs, leaving the data dir unused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-cli-'));
    try {
      // No bubblewrap, nsenter or ip on this PATH: the check names them and the way out.
      const r = spawnSync(process.execPath, [k8tsBin, 'up', '--data-dir', dir, '--port', '0', '--dns-port', '0', '--runtime', 'process'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, PATH: '/nonexistent' } });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('the process runtime cannot start on this machine: it needs');
      expect(r.stderr).toMatch(/bwrap \(Debian package bubblewrap\)/);
      expect(r.stderr).toContain('`--runtime simulated` (the default) works everywhere');
      expect(existsSync(join(dir, 'state.db'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints the kubeconfig', () => {
    const r = k8ts(['kubeconfig', '--data-dir', k.dataDir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`server: ${k.url}`);
    expect(r.stdout).toContain('current-context: k8ts');
    const missing = k8ts(['kubeconfig', '--data-dir', join(k.dataDir, 'nope')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('k8ts up');
  });

  it('stops on SIGTERM and keeps its objects for the next start', async () => {
    await k.kubectl(['create', 'configmap', 'kept', '--from-literal=a=b']);
    await k.restart({ graceful: true });
    expect(k.output()).toContain('SIGTERM received, stopping');
    const r = await k.kubectl(['get', 'configmap', 'kept', '-o', 'jsonpath={.data.a}']);
    expect(r.stdout).toBe('b');
  });
});

describe('k8ts up with many nodes', () => {
  it('says how node creation and readiness are going, and when every node is Ready', async () => {
    const many = await startK8ts({ args: ['--workers', '120'] });
    try {
      await waitFor(() => many.output().includes('all 121 nodes Ready'), { timeoutMs: 60_000, message: () => many.output() });
      expect(many.output()).toContain('121 nodes created');
      const ready = await many.kubectl(['get', 'nodes', '--no-headers']);
      expect(ready.stdout.trim().split('\n').filter((l) => /\sReady\s/.test(l))).toHaveLength(121);
    } finally {
      await many.stop();
    }
  });
});
