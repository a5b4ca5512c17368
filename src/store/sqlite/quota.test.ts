// The datastore's size budget: a warning once past 80%, creates and updates refused past it with
// an error that says what to do, deletes still accepted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isStorageError } from '../backend.ts';
import { openSqliteBackend } from './sqlite-backend.ts';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite size budget', () => {
  it('warns past 80%, then refuses creates and updates but not deletes', async () => {
    dir = mkdtempSync(join(tmpdir(), 'k8ts-quota-'));
    const warnings: string[] = [];
    const store = await openSqliteBackend({ path: join(dir, 'state.db'), compactIntervalMs: 0, quotaBytes: 1024 * 1024, warn: (m) => warnings.push(m) });
    const big = 'x'.repeat(50_000);
    let refused: unknown;
    const made: string[] = [];
    for (let i = 0; i < 100 && !refused; i++) {
      // Past the read-through interval of the size, so each write sees the latest size.
      (store as unknown as { sizeCheckedAt: number }).sizeCheckedAt = -Infinity;
      try {
        await store.create(`/registry/core/configmaps/default/cm-${i}`, big);
        made.push(`/registry/core/configmaps/default/cm-${i}`);
      } catch (e) {
        refused = e;
      }
    }
    expect(made.length).toBeGreaterThan(10);
    expect(isStorageError(refused, 'QuotaExceeded')).toBe(true);
    expect((refused as Error).message).toMatch(/^Create refused: the datastore is over its size budget \([\d.]+ MiB of 1\.0 MiB\): delete objects \(deletes are still accepted, and compaction gives their space back\) or restart k8ts with a larger --datastore-quota$/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^warning: the datastore holds .* over 80% of its .* budget/);
    const first = (await store.get(made[0]!))!;
    await expect(store.update(made[0]!, 'y', first.modRevision)).rejects.toThrow(/^Update refused: the datastore is over its size budget/);
    await store.delete(made[0]!);
    expect(await store.get(made[0]!)).toBeUndefined();
    await store.close();
  });

  it('has no budget with 0', async () => {
    dir = mkdtempSync(join(tmpdir(), 'k8ts-quota-'));
    const store = await openSqliteBackend({ path: join(dir, 'state.db'), compactIntervalMs: 0, quotaBytes: 0 });
    for (let i = 0; i < 30; i++) await store.create(`/k/${i}`, 'x'.repeat(50_000));
    await store.close();
  });
});
