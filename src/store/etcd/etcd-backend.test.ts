import { describe, expect, it } from 'vitest';
import { collect, expectCode, runBackendContract } from '../backend.contract.ts';
import { openEtcdBackend, type EtcdBackendOptions } from './etcd-backend.ts';
import { etcdMissing, uniquePrefix, useEtcdServer } from './etcd-test-server.ts';

describe.skipIf(etcdMissing)('etcd backend', () => {
  const etcd = useEtcdServer();
  const open = (opts: Partial<EtcdBackendOptions> = {}) => openEtcdBackend({ endpoints: [etcd().endpoint], prefix: uniquePrefix(), compactIntervalMs: 0, ...opts });

  runBackendContract('etcd', (opts) => open(opts), { sharedRevisions: true });

  it('keeps stores with different prefixes apart on one etcd', async () => {
    const [a, b] = [await open(), await open()];
    const wa = a.watch('/registry/', { afterRevision: await a.currentRevision() });
    await a.create('/registry/x', 'a');
    await b.create('/registry/x', 'b');
    await b.create('/registry/y', 'b');
    expect((await a.list('/registry/')).items.map((i) => [i.key, i.value])).toEqual([['/registry/x', 'a']]);
    expect(await b.count('/registry/')).toBe(2);
    expect((await collect(wa, 1, 300)).map((e) => e.kv.value)).toEqual(['a']);
    await Promise.all([a.close(), b.close()]);
  });

  it('learns a compaction made by another client', async () => {
    const [a, b] = [await open(), await open()];
    await a.create('/k', '1');
    const rev = (await a.update('/k', '2', await a.currentRevision())).modRevision;
    await b.compact(rev);
    expect(await a.compactedRevision()).toBe(rev);
    await expectCode(a.get('/k', { revision: rev - 1 }), 'Compacted');
    await Promise.all([a.close(), b.close()]);
  });

  it('stores keys without a prefix as given', async () => {
    const scoped = uniquePrefix();
    const plain = await open({ prefix: '' });
    const b = await open({ prefix: scoped });
    await b.create('/registry/pods/default/p', '{}');
    expect((await plain.get(`${scoped}/registry/pods/default/p`))?.value).toBe('{}');
    await Promise.all([plain.close(), b.close()]);
  });

  it('fails to open, naming the endpoint, when nothing listens there', async () => {
    const started = Date.now();
    await expect(openEtcdBackend({ endpoints: ['http://127.0.0.1:1'], dialTimeoutMs: 2000 })).rejects.toThrow(
      /^Open etcd datastore failed: etcd at http:\/\/127\.0\.0\.1:1 is (unavailable|.*did not answer)/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
