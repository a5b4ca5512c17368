// `k8ts snapshot save|list|restore|rm` and `k8ts backup`. Snapshots live in $K8TS_HOME/snapshots
// by name, so `up --from-snapshot NAME --data-dir NEW` forks a cluster from any directory.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Command } from 'commander';
import { clusterDataDir, contextName, k8tsHome, readClusterRecord, UNNAMED } from '../cli/clusters/registry.ts';
import { runningPid } from '../cli/data-dir-lock.ts';
import { formatBytes } from '../cli/progress.ts';
import { manifestPath, readManifestCopy, restoreSnapshot, saveSnapshot } from './archive.ts';
import { checkSnapshotName } from './manifest.ts';

const say = (l: string) => process.stdout.write(`${l}\n`);
const snapshotsDir = () => join(k8tsHome(), 'snapshots');
const archivesIn = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.tar')).sort() : []);

/** A snapshot by name (in $K8TS_HOME/snapshots) or by path to its archive. */
export function snapshotArchive(ref: string): string {
  if (ref.includes('/') || /\.tar(\.gz)?$/.test(ref)) return resolve(ref);
  const path = join(snapshotsDir(), `${checkSnapshotName(ref)}.tar`);
  if (!existsSync(path)) {
    const known = archivesIn(snapshotsDir()).map((f) => f.slice(0, -4));
    throw new Error(`no snapshot named "${ref}"${known.length ? `: there are ${known.join(', ')}` : ': `k8ts snapshot save NAME` makes one'}`);
  }
  return path;
}

/** `up --from-snapshot`: a new data dir gets the snapshot's state before the cluster starts. */
export async function restoreForUp(ref: string, dataDir: string): Promise<void> {
  const archive = snapshotArchive(ref);
  if (existsSync(join(dataDir, 'state.db'))) {
    throw new Error(`${dataDir} already holds a cluster: \`k8ts snapshot restore ${ref}\` replaces it (stopped), or pass a new --data-dir or --name to fork`);
  }
  const m = await restoreSnapshot(archive, dataDir);
  say(`k8ts: restored snapshot ${ref} (${m.objects} objects, taken ${m.createdAt} from cluster "${m.cluster}") into ${dataDir}`);
}

const which = (c: Command) => c.option('--name <name>', 'the cluster, by name').option('--data-dir <dir>', 'the cluster, by data dir (default ./.k8ts)');

export function registerSnapshotCommands(program: Command): void {
  const snap = program.command('snapshot').description('Save and restore whole clusters: API objects and volume data');

  which(snap.command('save <snapshot>').description('Snapshot a cluster (running or not): its datastore, volumes, certificates and token, into one archive'))
    .option('--out <path>', 'write the archive here instead of $K8TS_HOME/snapshots/<snapshot>.tar (a name ending in .gz is gzipped)')
    .option('--force', 'replace a snapshot of the same name', false)
    .action(async (name: string, o: { name?: string; dataDir?: string; out?: string; force: boolean }) => {
      const dataDir = clusterDataDir(o);
      const out = o.out ? resolve(o.out) : join(snapshotsDir(), `${checkSnapshotName(name)}.tar`);
      if (existsSync(out) && !o.force) throw new Error(`snapshot ${out} exists: pass --force to replace it, or choose another name`);
      const t0 = performance.now();
      const m = await saveSnapshot(dataDir, out, readClusterRecord(dataDir)?.name ?? UNNAMED);
      const bytes = m.files.reduce((n, f) => n + f.size, 0);
      say(`saved snapshot ${name}: ${m.objects} objects (revision ${m.revision}), ${m.files.length} files, ${formatBytes(bytes)} → ${out} (${formatBytes(statSync(out).size)}) in ${Math.round(performance.now() - t0)} ms`);
    });

  snap
    .command('list')
    .alias('ls')
    .description('List the snapshots in $K8TS_HOME/snapshots')
    .action(() => {
      const dir = snapshotsDir();
      const names = archivesIn(dir);
      if (!names.length) {
        say('No snapshots: `k8ts snapshot save NAME` makes one');
        return;
      }
      const rows = [['NAME', 'CLUSTER', 'CREATED', 'OBJECTS', 'SIZE']];
      for (const f of names) {
        const m = readManifestCopy(join(dir, f));
        rows.push([f.slice(0, -4), m?.cluster ?? '?', m?.createdAt ?? '?', m ? String(m.objects) : '?', formatBytes(statSync(join(dir, f)).size)]);
      }
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) say(r.map((c, i) => c.padEnd(widths[i]! + 3)).join('').trimEnd());
    });

  snap
    .command('rm <snapshot>')
    .description('Remove a snapshot')
    .action((name: string) => {
      const archive = snapshotArchive(name);
      rmSync(archive);
      rmSync(manifestPath(archive), { force: true });
      say(`removed snapshot ${name}`);
    });

  which(snap.command('restore <snapshot>').description('Put a stopped cluster back as the snapshot has it (name, or path to an archive); the archive is checked whole first'))
    .action(async (ref: string, o: { name?: string; dataDir?: string }) => {
      const dataDir = clusterDataDir(o);
      const archive = snapshotArchive(ref);
      const pid = runningPid(dataDir);
      if (pid !== undefined) {
        const name = readClusterRecord(dataDir)?.name ?? UNNAMED;
        throw new Error(`the cluster in ${dataDir} is running (process ${pid}): \`k8ts stop${name === UNNAMED ? '' : ` --name ${name}`}\` first; nothing was changed`);
      }
      const m = await restoreSnapshot(archive, dataDir);
      say(`restored snapshot ${ref} into ${dataDir}: ${m.objects} objects, taken ${m.createdAt}; \`k8ts start\` runs it (context ${contextName(readClusterRecord(dataDir)?.name ?? UNNAMED)})`);
    });

  which(program.command('backup').description("Copy a cluster's SQLite datastore while it runs (SQLite's online backup), to restore by hand or inspect"))
    .option('--out <file>', 'where to write the copy (default <data-dir>/backups/state-<time>.db)')
    .action(async (o: { name?: string; dataDir?: string; out?: string }) => {
      const dataDir = clusterDataDir(o);
      const db = join(dataDir, 'state.db');
      if (!existsSync(db)) throw new Error(`no SQLite datastore in ${dataDir}: backups cover the embedded datastore (for etcd, use etcdctl snapshot save)`);
      const out = o.out ? resolve(o.out) : join(dataDir, 'backups', `state-${new Date().toISOString().replace(/[:.]/g, '-')}.db`);
      if (existsSync(out)) throw new Error(`${out} exists: choose another --out`);
      mkdirSync(resolve(out, '..'), { recursive: true });
      const source = new Database(db, { readonly: true, fileMustExist: true });
      try {
        await source.backup(out);
      } finally {
        source.close();
      }
      say(`backed up ${db} → ${out} (${formatBytes(statSync(out).size)})`);
    });
}
