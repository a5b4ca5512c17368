// The etcd backend over TLS (etcd's serving certificate checked against a CA we give) and with
// etcd's password authentication on: its own etcd, since enabling auth changes the whole server.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCa, generateServingCert } from '../../cli/pki-generate.ts';
import { openDatastore, parseDatastore } from '../index.ts';
import { startEtcd, type EtcdServer } from './etcd-server.ts';
import { etcdMissing, uniquePrefix } from './etcd-test-server.ts';

describe.skipIf(etcdMissing)('etcd backend with TLS and password auth', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-etcd-tls-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  let etcd: EtcdServer;
  let caFile: string;
  let otherCaFile: string;

  beforeAll(async () => {
    const now = new Date();
    const ca = await generateCa({ now, validDays: 1 });
    const serving = await generateServingCert({ ca, names: { dns: ['localhost'], ips: ['127.0.0.1'] }, now, validDays: 1 });
    caFile = file('ca.crt', ca.certPem);
    otherCaFile = file('other-ca.crt', (await generateCa({ now, validDays: 1 })).certPem);
    etcd = await startEtcd({ tls: { certFile: file('etcd.crt', serving.certPem), keyFile: file('etcd.key', serving.keyPem) } });
    // Password auth as `etcdctl user add root; auth enable` sets it up.
    const admin = new Etcd3({ hosts: etcd.plainEndpoint });
    await admin.auth.userAdd({ name: 'root', password: 'r00t pass' });
    await admin.auth.roleAdd({ name: 'root' });
    await admin.auth.userGrantRole({ user: 'root', role: 'root' });
    await admin.auth.authEnable({});
    admin.close();
  }, 30_000);
  afterAll(async () => {
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const url = (auth: string, ca: string) => `etcds://${auth}${new URL(etcd.endpoint).host}${uniquePrefix()}?ca=${encodeURIComponent(ca)}`;

  it('reads and writes over TLS as the given user', async () => {
    const b = await openDatastore(parseDatastore(url('root:r00t%20pass@', caFile)), { compactIntervalMs: 0 });
    try {
      const made = await b.create('/registry/a', 'v');
      expect(await b.get('/registry/a')).toEqual(made);
      expect((await b.list('/registry/')).items).toEqual([made]);
    } finally {
      await b.close();
    }
  });

  it('refuses to open with a wrong password or a CA that did not sign etcd', async () => {
    await expect(openDatastore(parseDatastore(url('root:wrong@', caFile)), { dialTimeoutMs: 3000 })).rejects.toThrow(/^Open etcd datastore failed: .*authentication failed/);
    await expect(openDatastore(parseDatastore(url('root:r00t%20pass@', otherCaFile)), { dialTimeoutMs: 3000 })).rejects.toThrow(/^Open etcd datastore failed: /);
  });
});
