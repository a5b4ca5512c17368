import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatastore, parseDatastore, type Backend } from '../store/index.ts';
import { etcdMissing, uniquePrefix, useEtcdServer } from '../store/etcd/etcd-test-server.ts';
import { migrate, registerMigrateCommand } from './migrate.ts';

const dir = mkdtempSync(join(tmpdir(), 'k8ts-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every live key and value of a store. */
async function contents(b: Backend): Promise<[string, string][]> {
  return (await b.list('')).items.map((kv) => [kv.key, kv.value]);
}

async function withStore<T>(url: string, fn: (b: Backend) => Promise<T>): Promise<T> {
  const b = await openDatastore(parseDatastore(url), { compactIntervalMs: 0 });
  try {
    return await fn(b);
  } finally {
    await b.close();
  }
}

describe.skipIf(etcdMissing)('k8ts migrate', () => {
  const etcd = useEtcdServer();

  it('copies sqlite to etcd and back with every latest value identical', async () => {
    const src = `sqlite:${join(dir, 'src.db')}`;
    const mid = `etcd://${etcd().endpoint.replace('http://', '')}${uniquePrefix()}`;
    const back = `sqlite:${join(dir, 'back.db')}`;
    const original = await withStore(src, async (b) => {
      const name = (i: number) => `/registry/configmaps/default/cm-${String(i).padStart(4, '0')}`;
      await Promise.all(Array.from({ length: 1200 }, (_, i) => b.create(name(i), JSON.stringify({ i, data: { a: 'x'.repeat(i % 50) } }))));
      const kv = await b.update('/registry/configmaps/default/cm-0001', '{"updated":true}', (await b.get('/registry/configmaps/default/cm-0001'))!.modRevision);
      await b.delete('/registry/configmaps/default/cm-0002');
      expect(kv.value).toBe('{"updated":true}');
      return contents(b);
    });
    const lines: string[] = [];
    expect(await migrate({ from: src, to: mid, pageSize: 500, out: (l) => lines.push(l) })).toMatchObject({ copied: 1199 });
    expect(lines[0]).toMatch(/^Copying from sqlite:.*src\.db to etcd http:\/\/127\.0\.0\.1:\d+ under \/test-/);
    expect(lines.slice(1, -1)).toEqual(['  500 keys copied', '  1000 keys copied', '  1199 keys copied']);
    expect(lines.at(-1)).toMatch(/^Copied 1199 keys \(source revision 1202\)$/);
    expect(await migrate({ from: mid, to: back, out: () => {} })).toMatchObject({ copied: 1199 });
    expect(await withStore(mid, contents)).toEqual(original);
    expect(await withStore(back, contents)).toEqual(original);
  });

  it('refuses a non-empty target unless forced, then overwrites what it holds', async () => {
    const src = `sqlite:${join(dir, 'force-src.db')}`;
    const dst = `etcd://${etcd().endpoint.replace('http://', '')}${uniquePrefix()}`;
    await withStore(src, async (b) => {
      await b.create('/registry/a', 'new-a');
      await b.create('/registry/b', 'new-b');
    });
    await withStore(dst, async (b) => {
      await b.create('/registry/a', 'old-a');
      await b.create('/registry/z', 'only-here');
    });
    await expect(migrate({ from: src, to: dst, out: () => {} })).rejects.toThrow(/already holds 2 keys; pass --force to overwrite them/);
    await migrate({ from: src, to: dst, force: true, out: () => {} });
    expect(await withStore(dst, contents)).toEqual([
      ['/registry/a', 'new-a'],
      ['/registry/b', 'new-b'],
      ['/registry/z', 'only-here'],
    ]);
  });

  it('runs as a command and fails clearly when etcd does not answer', async () => {
    const program = new Command().exitOverride();
    registerMigrateCommand(program);
    const src = `sqlite:${join(dir, 'cmd-src.db')}`;
    await expect(program.parseAsync(['migrate', '--from', src, '--to', 'memory'], { from: 'user' })).rejects.toThrow(/^Migrate failed: no SQLite datastore at .*cmd-src\.db$/);
    await withStore(src, async (b) => void (await b.create('/registry/a', 'a')));
    await expect(program.parseAsync(['migrate', '--from', src, '--to', 'etcd://127.0.0.1:1'], { from: 'user' })).rejects.toThrow(
      'Open etcd datastore failed: etcd at http://127.0.0.1:1 is unavailable: connect ECONNREFUSED 127.0.0.1:1; check that etcd runs there and the address is right',
    );
  });
});
