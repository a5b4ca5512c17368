import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderKubeconfig, writeKubeconfig } from './kubeconfig.ts';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const opts = { server: 'https://127.0.0.1:6443', caCertPem: CA, token: 'tok-123' };
const kubectlBin = join(import.meta.dirname, '../../.tools/bin/kubectl');

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'k8ts-kubeconfig-'));
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('renderKubeconfig', () => {
  it('renders one cluster, user and context named k8ts, made current', () => {
    expect(parse(renderKubeconfig(opts))).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      preferences: {},
      clusters: [{ name: 'k8ts', cluster: { server: opts.server, 'certificate-authority-data': Buffer.from(CA).toString('base64') } }],
      users: [{ name: 'k8ts', user: { token: 'tok-123' } }],
      contexts: [{ name: 'k8ts', context: { cluster: 'k8ts', user: 'k8ts' } }],
      'current-context': 'k8ts',
    });
  });

  it('uses the given context name and namespace', () => {
    const cfg = parse(renderKubeconfig({ ...opts, contextName: 'dev', namespace: 'apps' }));
    expect(cfg['current-context']).toBe('dev');
    expect(cfg.contexts).toEqual([{ name: 'dev', context: { cluster: 'dev', user: 'dev', namespace: 'apps' } }]);
    expect(cfg.clusters[0].name).toBe('dev');
    expect(cfg.users[0].name).toBe('dev');
  });

  it('keeps the CA PEM byte for byte', () => {
    const cfg = parse(renderKubeconfig(opts));
    expect(Buffer.from(cfg.clusters[0].cluster['certificate-authority-data'], 'base64').toString('utf8')).toBe(CA);
  });
});

describe('writeKubeconfig', () => {
  it('writes <dataDir>/kubeconfig with mode 0600 and returns its path', async () => {
    const path = await writeKubeconfig({ ...opts, dataDir });
    expect(path).toBe(join(dataDir, 'kubeconfig'));
    expect(readFileSync(path, 'utf8')).toBe(renderKubeconfig(opts));
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('replaces an earlier file', async () => {
    await writeKubeconfig({ ...opts, dataDir });
    const path = await writeKubeconfig({ ...opts, dataDir, server: 'https://127.0.0.1:7000' });
    expect(parse(readFileSync(path, 'utf8')).clusters[0].cluster.server).toBe('https://127.0.0.1:7000');
  });

  // The pinned kubectl is fetched by `npm test` (scripts/fetch-clients.mjs) before vitest runs.
  it.skipIf(!existsSync(kubectlBin))('is read by the real kubectl', async () => {
    const path = await writeKubeconfig({ ...opts, dataDir });
    const { stdout } = await promisify(execFile)(
      kubectlBin,
      ['config', 'view', '--raw', '--kubeconfig', path, '-o', 'jsonpath={.current-context} {.clusters[0].cluster.server} {.users[0].user.token}'],
      { env: { ...process.env, HOME: dataDir } },
    );
    expect(stdout).toBe('k8ts https://127.0.0.1:6443 tok-123');
  });
});
