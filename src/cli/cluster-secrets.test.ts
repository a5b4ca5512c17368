import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../store/index.ts';
import { adoptClusterSecrets, CLUSTER_SECRETS_KEY, publishClusterSecrets, seal, unseal } from './cluster-secrets.ts';

const dir = (files: Record<string, string> = {}) => {
  const d = mkdtempSync(join(tmpdir(), 'k8ts-secrets-'));
  mkdirSync(join(d, 'pki'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(d, name), content);
  return d;
};

describe('cluster secrets', () => {
  it('seal and unseal round-trip; a wrong token is refused with what to do', () => {
    const value = seal({ 'pki/ca.key': 'KEY' }, 'right');
    expect(value).not.toContain('KEY');
    expect(unseal(value, 'right')).toEqual({ 'pki/ca.key': 'KEY' });
    expect(() => unseal(value, 'wrong')).toThrow(/token does not match this cluster's: pass --token/);
  });

  it("a second server adopts the first one's CA and token; another datastore's is left alone", async () => {
    const store = await createMemoryBackend();
    const first = dir({ 'pki/ca.crt': 'CERT', 'pki/ca.key': 'KEY', token: 'tok\n' });
    expect(await adoptClusterSecrets(store, first, undefined)).toBe(false);
    expect(await publishClusterSecrets(store, first, 'tok')).toBe(true);
    // Published once: a later publisher learns it lost and adopts instead.
    expect(await publishClusterSecrets(store, dir({ 'pki/ca.crt': 'OTHER' }), 'x')).toBe(false);

    const second = dir({ 'pki/ca.crt': 'STALE' });
    await expect(adoptClusterSecrets(store, second, undefined)).rejects.toThrow(/already holds a cluster: pass --token/);
    await expect(adoptClusterSecrets(store, second, 'bad')).rejects.toThrow(/does not match/);
    expect(readFileSync(join(second, 'pki/ca.crt'), 'utf8')).toBe('STALE');
    expect(await adoptClusterSecrets(store, second, 'tok')).toBe(true);
    expect(readFileSync(join(second, 'pki/ca.crt'), 'utf8')).toBe('CERT');
    expect(readFileSync(join(second, 'pki/ca.key'), 'utf8')).toBe('KEY');
    expect(readFileSync(join(second, 'token'), 'utf8')).toBe('tok\n');
    // Restarting, its own token file opens them.
    expect(await adoptClusterSecrets(store, second, undefined)).toBe(true);
    expect((await store.get(CLUSTER_SECRETS_KEY))?.value).not.toContain('KEY');
    await store.close();
  });

  it('a first server given --token keeps it', async () => {
    const store = await createMemoryBackend();
    const d = dir();
    expect(await adoptClusterSecrets(store, d, 'chosen')).toBe(false);
    expect(readFileSync(join(d, 'token'), 'utf8')).toBe('chosen\n');
    await store.close();
  });
});
