import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { collect, expectCode, runBackendContract } from '../backend.contract.ts';
import { openSqliteBackend, type SqliteBackendOptions } from './sqlite-backend.ts';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'k8ts-sqlite-'));
let n = 0;
const freshPath = () => join(dir, `store-${n++}.db`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const open = (path: string, opts: Partial<SqliteBackendOptions> = {}) => openSqliteBackend({ path, compactIntervalMs: 0, ...opts });

/** Rows physically present in the log table (to check what compaction removed). */
function rowCount(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM kv').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

runBackendContract('sqlite', async (opts) => open(freshPath(), opts));

describe('SQLite backend', () => {
  it('keeps data, history and the revision counter across a restart', async () => {
    const path = freshPath();
    let b = await open(path);
    await b.create('/a', 'a1'); // 1
    await b.create('/b', 'b1'); // 2
    await b.update('/a', 'a2', 1); // 3
    await b.delete('/b'); // 4
    await b.close();
    b = await open(path);
    expect(await b.currentRevision()).toBe(4);
    expect(await b.get('/a')).toEqual({ key: '/a', value: 'a2', createRevision: 1, modRevision: 3 });
    expect(await b.get('/a', { revision: 1 })).toMatchObject({ value: 'a1' });
    const replay = await collect(b.watch('/', { afterRevision: 2 }), 2);
    expect(replay.map((e) => [e.type, e.revision, e.prevKv?.modRevision])).toEqual([
      ['update', 3, 1],
      ['delete', 4, 2],
    ]);
    expect((await b.create('/c', 'c')).modRevision).toBe(5);
    await b.close();
  });

  it('never reuses a revision after compaction removed every row', async () => {
    const path = freshPath();
    let b = await open(path);
    await b.create('/a', '1'); // 1
    await b.delete('/a'); // 2
    await b.compact(2);
    await b.close();
    expect(rowCount(path)).toBe(0);
    b = await open(path);
    expect(await b.currentRevision()).toBe(2);
    expect(await b.compactedRevision()).toBe(2);
    await expectCode(b.list('/', { revision: 1 }), 'Compacted');
    expect(await b.create('/a', 'again')).toEqual({ key: '/a', value: 'again', createRevision: 3, modRevision: 3 });
    await b.close();
  });

  it('commits writes of one event-loop turn in one transaction with per-op outcomes', async () => {
    const b = await open(freshPath());
    await b.create('/dup', 'x'); // 1
    const before = { ...b.commitStats };
    const creates = Array.from({ length: 100 }, (_, i) => b.create(`/g/${i}`, `${i}`));
    const mixed = [b.create('/dup', 'y'), b.update('/dup', 'z', 99), b.update('/dup', 'z', 1), b.delete('/missing')];
    const made = await Promise.all(creates);
    const settled = await Promise.allSettled(mixed);
    expect(b.commitStats.transactions - before.transactions).toBeLessThan(100);
    expect(b.commitStats.ops - before.ops).toBe(104);
    expect(made.map((m) => m.modRevision)).toEqual(Array.from({ length: 100 }, (_, i) => i + 2));
    expect(settled.map((s) => (s.status === 'fulfilled' ? 'ok' : (s.reason as { code: string }).code))).toEqual(['KeyExists', 'Conflict', 'ok', 'NotFound']);
    expect(await b.get('/dup')).toMatchObject({ value: 'z', modRevision: 102 });
    await b.close();
  });

  it('delivers the events of one transaction to a watcher as one batch', async () => {
    const b = await open(freshPath());
    const w = b.watch('/t/', { afterRevision: 0 })[Symbol.asyncIterator]();
    await Promise.all(Array.from({ length: 10 }, (_, i) => b.create(`/t/${i}`, 'v')));
    const batch = await w.next();
    expect((batch.value as unknown[]).length).toBe(10);
    await b.close();
  });

  it('commits writes still queued when it closes', async () => {
    const path = freshPath();
    let b = await open(path);
    const pending = b.create('/late', 'v');
    await b.close();
    expect((await pending).modRevision).toBe(1);
    b = await open(path);
    expect(await b.get('/late')).toMatchObject({ value: 'v' });
    await b.close();
  });

  it('compacts in the background by age and revision count, durably, in batches', async () => {
    const path = freshPath();
    let now = 0;
    let b = await open(path, { retainMs: 1000, minRetainRevisions: 5, compactBatchSize: 3, clock: { now: () => now } });
    await b.create('/k', 'v0'); // 1
    for (let i = 1; i < 10; i++) await b.update('/k', `v${i}`, i); // 2..10
    expect(await b.compactNow()).toBe(0);
    for (let i = 10; i < 20; i++) await b.update('/k', `v${i}`, i); // 11..20
    now = 1000;
    expect(await b.compactNow()).toBe(10); // the revision current 1 s ago (20 - 5 keeps more)
    expect(rowCount(path)).toBe(11); // row 10 is /k's state at the floor; 11..20 are newer
    await expectCode(b.get('/k', { revision: 9 }), 'Compacted');
    await b.close();
    b = await open(path);
    expect(await b.compactedRevision()).toBe(10);
    expect(await b.get('/k', { revision: 10 })).toMatchObject({ value: 'v9' });
    await b.close();
  });

  it('keeps every acknowledged write when the process is killed with SIGKILL', async () => {
    const path = freshPath();
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'crash-writer.fixture.ts'), path], {
      cwd: join(here, '../../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked = new Map<string, number>();
    let partial = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    child.stdout.on('data', (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        const [key, rev] = line.split(' ');
        acked.set(key!, Math.max(acked.get(key!) ?? 0, Number(rev)));
      }
      if (acked.size >= 300) child.kill('SIGKILL');
    });
    const deadline = setTimeout(() => child.kill('SIGKILL'), 25_000);
    const signal = await exited;
    clearTimeout(deadline);
    expect(stderr).toBe('');
    expect(signal).toBe('SIGKILL');
    expect(acked.size).toBeGreaterThanOrEqual(300);

    const check = new Database(path);
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
    const b = await open(path);
    for (const [key, rev] of acked) {
      const kv = await b.get(key);
      expect(kv, key).toBeDefined();
      expect(kv!.modRevision).toBeGreaterThanOrEqual(rev);
    }
    expect(await b.currentRevision()).toBeGreaterThanOrEqual(Math.max(...acked.values()));
    await b.close();
  }, 40_000);
});
