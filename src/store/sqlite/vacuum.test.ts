// The SQLite file tracks the live data: compaction's freed pages go back to the file system
// (incremental auto-vacuum), and a database made before that mode is converted when opened.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteBackend } from './sqlite-backend.ts';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const pages = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma('page_count', { simple: true }) as number;
  } finally {
    db.close();
  }
};

describe('SQLite file size', () => {
  it('shrinks once deleted objects are compacted away', async () => {
    dir = mkdtempSync(join(tmpdir(), 'k8ts-vacuum-'));
    const path = join(dir, 'state.db');
    let now = 0;
    const store = await openSqliteBackend({ path, compactIntervalMs: 0, retainMs: 1000, minRetainRevisions: 10, clock: { now: () => now } });
    const keys = Array.from({ length: 2000 }, (_, i) => `/registry/core/configmaps/default/cm-${i}`);
    await Promise.all(keys.map((k) => store.create(k, 'x'.repeat(2000))));
    const full = pages(path);
    await Promise.all(keys.map((k) => store.delete(k)));
    await store.compactNow(); // a first sample
    now += 2000;
    expect(await store.compactNow()).toBeGreaterThan(0);
    const after = pages(path);
    await store.close();
    expect(full).toBeGreaterThan(1000);
    expect(after).toBeLessThan(full / 10);
  });

  it('converts a database made without incremental auto-vacuum, keeping its data', async () => {
    dir = mkdtempSync(join(tmpdir(), 'k8ts-vacuum-'));
    const path = join(dir, 'state.db');
    const first = await openSqliteBackend({ path, compactIntervalMs: 0 });
    await first.create('/registry/core/configmaps/default/a', 'kept');
    await first.close();
    const raw = new Database(path);
    raw.pragma('auto_vacuum = NONE');
    raw.exec('VACUUM');
    expect(raw.pragma('auto_vacuum', { simple: true })).toBe(0);
    raw.close();
    const again = await openSqliteBackend({ path, compactIntervalMs: 0 });
    expect((await again.get('/registry/core/configmaps/default/a'))?.value).toBe('kept');
    await again.close();
    const check = new Database(path, { readonly: true });
    expect(check.pragma('auto_vacuum', { simple: true })).toBe(2);
    check.close();
  });
});
