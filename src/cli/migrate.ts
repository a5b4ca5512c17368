// `k8ts migrate --from <datastore> --to <datastore>`: copies a cluster between datastores (SQLite
// to etcd and back). Every key's latest value is copied from one consistent snapshot of the
// source (all pages are read at the revision of the first), so a source still in use yields the
// cluster as it was at that revision. Revisions are the target's own afterwards: clients re-list.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { describeDatastore, isStorageError, openDatastore, parseDatastore, type Backend, type DatastoreSpec } from '../store/index.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { createProgress } from './progress.ts';

export interface MigrateOptions {
  from: string;
  to: string;
  /** Overwrite keys a non-empty target already has (keys only in the target are left alone). */
  force?: boolean;
  /** Where plain `sqlite` lives. */
  dataDir?: string;
  /** Keys read per page and written concurrently. Default 500. */
  pageSize?: number;
  out?: (line: string) => void;
}

export interface MigrateResult {
  copied: number;
  /** The source revision the copy was read at. */
  revision: number;
}

export async function migrate(opts: MigrateOptions): Promise<MigrateResult> {
  const out = opts.out ?? ((line) => process.stdout.write(`${line}\n`));
  const from = parseDatastore(opts.from, { dataDir: opts.dataDir });
  const to = parseDatastore(opts.to, { dataDir: opts.dataDir });
  if (describeDatastore(from) === describeDatastore(to)) throw new Error('Migrate failed: --from and --to name the same datastore');
  // Opening a SQLite file creates it; a mistyped source path must not read as an empty cluster.
  if (from.kind === 'sqlite' && !existsSync(from.path)) throw new Error(`Migrate failed: no SQLite datastore at ${from.path}`);
  // A SQLite target must not be written while `k8ts up` runs on it (the data dir's lock says).
  const unlock = to.kind === 'sqlite' ? lockDataDir(dirname(to.path)) : undefined;
  const opened: Backend[] = [];
  try {
    const source = await open(from, opened);
    const target = await open(to, opened);
    const existing = await target.count('');
    if (existing > 0 && !opts.force) {
      throw new Error(`Migrate failed: ${describeDatastore(to)} already holds ${existing} keys; pass --force to overwrite them`);
    }
    out(`Copying from ${describeDatastore(from)} to ${describeDatastore(to)}`);
    // A caller's own output gets a line per page; the command line a progress line.
    const bar = opts.out ? undefined : createProgress('copying keys', await source.count(''));
    const result = await copyAll(source, target, opts.pageSize ?? 500, (n) => (bar ? bar.update(n) : out(`  ${n} keys copied`)));
    bar?.finish(`${result.copied} keys copied`);
    out(`Copied ${result.copied} keys (source revision ${result.revision})`);
    return result;
  } finally {
    await Promise.all(opened.map((b) => b.close()));
    unlock?.();
  }
}

async function open(spec: DatastoreSpec, opened: Backend[]): Promise<Backend> {
  // No background compaction while copying: the copy reads one revision throughout.
  const backend = await openDatastore(spec, { compactIntervalMs: 0 });
  opened.push(backend);
  return backend;
}

/** Copies every live key, page by page at one revision; reports progress after each page. */
export async function copyAll(source: Backend, target: Backend, pageSize: number, progress: (copied: number) => void): Promise<MigrateResult> {
  let revision = 0;
  let copied = 0;
  let startAfter: string | undefined;
  for (;;) {
    const page = await source.list('', { limit: pageSize, startAfter, revision: revision || undefined });
    revision ||= page.revision;
    await Promise.all(page.items.map((kv) => put(target, kv.key, kv.value)));
    copied += page.items.length;
    if (page.items.length > 0) progress(copied);
    if (page.remaining === 0 || page.items.length === 0) return { copied, revision };
    startAfter = page.items[page.items.length - 1]!.key;
  }
}

/** Creates key, or replaces the value a forced target already has. */
async function put(target: Backend, key: string, value: string): Promise<void> {
  try {
    await target.create(key, value);
  } catch (e) {
    if (!isStorageError(e, 'KeyExists')) throw e;
    const current = await target.get(key);
    if (current && current.value !== value) await target.update(key, value, current.modRevision);
  }
}

export function registerMigrateCommand(program: Command, defaultDataDir = '.k8ts'): void {
  program
    .command('migrate')
    .description('Copy a cluster from one datastore to another (sqlite, sqlite:<path>, memory, etcd://host:port, etcds://host:port?ca=…)')
    .requiredOption('--from <datastore>', 'the datastore to copy from')
    .requiredOption('--to <datastore>', 'the datastore to copy to; must be empty unless --force')
    .option('--force', 'copy into a target that already holds keys, overwriting them', false)
    .option('--data-dir <dir>', 'the data dir plain `sqlite` refers to', defaultDataDir)
    .action(async (o: { from: string; to: string; force: boolean; dataDir: string }) => {
      await migrate({ from: o.from, to: o.to, force: o.force, dataDir: o.dataDir });
    });
}
