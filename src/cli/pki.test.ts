import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensurePki, pkiPaths } from './pki.ts';

const DAY = 24 * 60 * 60 * 1000;
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'k8ts-pki-'));
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

function expectServingCert(pki: { caCertPem: string; certPem: string; keyPem: string }, names: { dns: string[]; ips: string[] }) {
  const ca = new X509Certificate(pki.caCertPem);
  const cert = new X509Certificate(pki.certPem);
  expect(ca.ca).toBe(true);
  expect(cert.ca).toBe(false);
  expect(cert.checkIssued(ca)).toBe(true);
  expect(cert.verify(ca.publicKey)).toBe(true);
  expect(cert.checkPrivateKey(createPrivateKey(pki.keyPem))).toBe(true);
  expect(cert.publicKey.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
  for (const n of names.dns) expect(cert.checkHost(n, { subject: 'never' }), n).toBe(n);
  for (const ip of names.ips) expect(cert.checkIP(ip), ip).toBeDefined();
}

describe('ensurePki', () => {
  it('generates a CA, a serving cert for loopback and this host, and a token on first start', async () => {
    const pki = await ensurePki(dataDir);
    const p = pkiPaths(dataDir);
    expectServingCert(pki, { dns: ['localhost', hostname().toLowerCase(), 'kubernetes.default.svc'], ips: ['127.0.0.1', '::1'] });
    expect(readFileSync(p.caCert, 'utf8')).toBe(pki.caCertPem);
    expect(readFileSync(p.cert, 'utf8')).toBe(pki.certPem);
    expect(readFileSync(p.key, 'utf8')).toBe(pki.keyPem);
    expect(readFileSync(p.token, 'utf8').trim()).toBe(pki.token);
    expect(pki.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const secret of [p.caKey, p.key, p.token]) expect(mode(secret), secret).toBe(0o600);
    expect(mode(p.dir)).toBe(0o700);
  });

  it('reuses everything on a later start, quickly', async () => {
    const first = await ensurePki(dataDir);
    const mtime = statSync(pkiPaths(dataDir).cert).mtimeMs;
    const t0 = performance.now();
    const again = await ensurePki(dataDir);
    const ms = performance.now() - t0;
    expect(again).toEqual(first);
    expect(statSync(pkiPaths(dataDir).cert).mtimeMs).toBe(mtime);
    // Typically a few ms; the bound leaves room for a loaded CI machine.
    expect(ms).toBeLessThan(200);
  });

  it('renews a serving cert that is about to expire, keeping the CA and token', async () => {
    const first = await ensurePki(dataDir);
    const later = await ensurePki(dataDir, { now: new Date(Date.now() + 340 * DAY) });
    expect(later.caCertPem).toBe(first.caCertPem);
    expect(later.token).toBe(first.token);
    expect(later.certPem).not.toBe(first.certPem);
    const cert = new X509Certificate(later.certPem);
    expect(Date.parse(cert.validTo)).toBeGreaterThan(Date.now() + 700 * DAY);
  });

  it('regenerates only the serving pair when its key is missing or does not match', async () => {
    const first = await ensurePki(dataDir);
    unlinkSync(pkiPaths(dataDir).key);
    const second = await ensurePki(dataDir);
    expect(second.caCertPem).toBe(first.caCertPem);
    expect(second.certPem).not.toBe(first.certPem);
    expectServingCert(second, { dns: ['localhost'], ips: ['127.0.0.1'] });

    writeFileSync(pkiPaths(dataDir).key, first.keyPem); // a key of the old cert
    const third = await ensurePki(dataDir);
    expect(third.certPem).not.toBe(second.certPem);
    expectServingCert(third, { dns: ['localhost'], ips: ['127.0.0.1'] });
  });

  it('replaces a broken CA and re-signs the serving cert, keeping the token', async () => {
    const first = await ensurePki(dataDir);
    writeFileSync(pkiPaths(dataDir).caCert, 'not a certificate');
    const second = await ensurePki(dataDir);
    expect(second.caCertPem).not.toBe(first.caCertPem);
    expect(second.token).toBe(first.token);
    expectServingCert(second, { dns: ['localhost'], ips: ['::1'] });
  });

  it('re-issues the serving cert when a new SAN is asked for', async () => {
    const first = await ensurePki(dataDir);
    const second = await ensurePki(dataDir, { extraSans: ['api.example.test', '10.96.0.1'] });
    expect(second.certPem).not.toBe(first.certPem);
    expectServingCert(second, { dns: ['api.example.test', 'localhost'], ips: ['10.96.0.1', '127.0.0.1'] });
    expect(await ensurePki(dataDir, { extraSans: ['api.example.test', '10.96.0.1'] })).toEqual(second);
  });

  it('keeps a token written by hand', async () => {
    writeFileSync(join(dataDir, 'token'), 'my-token\n', { mode: 0o600 });
    expect((await ensurePki(dataDir)).token).toBe('my-token');
  });
});
