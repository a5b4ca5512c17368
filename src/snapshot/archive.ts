// Snapshot archives of a data dir: save while the cluster runs (SQLite's online backup of the
// datastore, then the volume directories, PKI, token and cluster time), restore into a stopped
// cluster's data dir or a new one. A restore unpacks into the data dir's side first and checks
// every file against the manifest; only an archive that checks out replaces anything, and the
// replaced parts are moved back should the swap fail half-way.
import { createReadStream, createWriteStream, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import Database from 'better-sqlite3';
import { pack } from 'tar-stream';
import { Sha256Tap, sniffCompression, tarEntries } from '../images/tar.ts';
import { allowedPath, MANIFEST, manifestProblems, SNAPSHOT_FORMAT, SNAPSHOT_PARTS, type SnapshotFile, type SnapshotManifest } from './manifest.ts';

export const K8TS_VERSION = '0.1.0';

/** Bytes and SHA-256 of what streams through, as the manifest lists them. */
class Hashing extends Sha256Tap {
  hex(): string {
    return this.digest().slice('sha256:'.length);
  }
}

interface Item {
  /** Path inside the archive (and the data dir). */
  path: string;
  /** Where to read it from. */
  source: string;
}

/** Files under `dir` (recursively), as archive paths under `prefix`. */
function walk(dir: string, prefix: string, out: Item[]): void {
  for (const name of readdirSync(dir).sort()) {
    const source = join(dir, name);
    const path = `${prefix}/${name}`;
    const st = lstatSync(source);
    if (st.isDirectory()) walk(source, path, out);
    else if (st.isFile() || st.isSymbolicLink()) out.push({ path, source });
  }
}

function datastoreFacts(dbPath: string): { revision: number; objects: number } {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const revision = (db.prepare('SELECT MAX(id) AS n FROM kv').get() as { n: number | null }).n ?? 0;
    const objects = (db.prepare("SELECT COUNT(*) AS n FROM kv k WHERE k.id = (SELECT MAX(id) FROM kv WHERE name = k.name) AND k.deleted = 0 AND k.name LIKE '/registry/%'").get() as { n: number }).n;
    return { revision, objects };
  } finally {
    db.close();
  }
}

/**
 * Writes a snapshot of the cluster in `dataDir` to `out` (a tar; gzipped when the name ends in
 * .gz) and a copy of its manifest beside it (`out` with .json), for listing without reading the
 * archive.
 */
export async function saveSnapshot(dataDir: string, out: string, cluster: string, compress = out.endsWith('.gz')): Promise<SnapshotManifest> {
  const db = join(dataDir, 'state.db');
  if (!existsSync(db)) throw new Error(`no SQLite datastore in ${dataDir}: snapshots cover the embedded datastore (for etcd, use etcdctl snapshot save)`);
  mkdirSync(dirname(out), { recursive: true });
  const staging = `${out}.partial.d`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    // The online backup API: a consistent copy while the server keeps writing.
    const source = new Database(db, { readonly: true, fileMustExist: true });
    try {
      await source.backup(join(staging, 'state.db'));
    } finally {
      source.close();
    }
    const facts = datastoreFacts(join(staging, 'state.db'));
    const items: Item[] = [{ path: 'state.db', source: join(staging, 'state.db') }];
    for (const part of SNAPSHOT_PARTS) {
      if (part === 'state.db') continue;
      const p = join(dataDir, part);
      if (!existsSync(p)) continue;
      if (statSync(p).isDirectory()) walk(p, part, items);
      else items.push({ path: part, source: p });
    }
    const files: SnapshotFile[] = [];
    const tar = pack();
    const partial = `${out}.partial`;
    // Uncompressed: volume data rarely shrinks, and gzip would make a 1 GiB save several times slower.
    const written = compress ? pipeline(tar, createGzip({ level: 1 }), createWriteStream(partial, { mode: 0o600 })) : pipeline(tar, createWriteStream(partial, { mode: 0o600 }));
    for (const it of items) {
      const st = lstatSync(it.source);
      if (st.isSymbolicLink()) {
        const target = readlinkSync(it.source);
        await new Promise<void>((res, rej) => tar.entry({ name: it.path, type: 'symlink', linkname: target, mode: st.mode & 0o7777 }, (e) => (e ? rej(e) : res())));
        files.push({ path: it.path, size: 0, sha256: `symlink:${target}` });
        continue;
      }
      const hash = new Hashing();
      await new Promise<void>((res, rej) => {
        const entry = tar.entry({ name: it.path, size: st.size, mode: st.mode & 0o7777, mtime: st.mtime }, (e) => (e ? rej(e) : res()));
        pipeline(createReadStream(it.source), hash, entry).catch(rej);
      });
      files.push({ path: it.path, size: hash.bytes, sha256: hash.hex() });
    }
    const manifest: SnapshotManifest = { format: SNAPSHOT_FORMAT, k8tsVersion: K8TS_VERSION, createdAt: new Date().toISOString(), cluster, ...facts, files };
    const text = `${JSON.stringify(manifest, null, 2)}\n`;
    await new Promise<void>((res, rej) => tar.entry({ name: MANIFEST, mode: 0o600 }, text, (e) => (e ? rej(e) : res())));
    tar.finalize();
    await written;
    renameSync(partial, out);
    writeFileSync(manifestPath(out), text, { mode: 0o600 });
    return manifest;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(`${out}.partial`, { force: true });
  }
}

/** The manifest copy kept beside an archive. */
export const manifestPath = (archive: string) => archive.replace(/\.tar(\.gz)?$/, '') + '.json';

export function readManifestCopy(archive: string): SnapshotManifest | undefined {
  try {
    return JSON.parse(readFileSync(manifestPath(archive), 'utf8')) as SnapshotManifest;
  } catch {
    return undefined;
  }
}

/** Unpacks `archive` into `dir`, refusing paths a snapshot cannot hold; returns the manifest and what was found. */
async function unpack(archive: string, dir: string): Promise<{ manifest: unknown; found: Map<string, { size: number; sha256: string }> }> {
  const found = new Map<string, { size: number; sha256: string }>();
  let manifest: unknown;
  let src: Readable = createReadStream(archive);
  if ((await sniffCompression(archive)) === 'gzip') src = src.pipe(createGunzip());
  try {
    for await (const entry of tarEntries(src)) {
      const h = entry.header;
      if (!allowedPath(h.name)) {
        entry.resume();
        throw new Error(`it holds ${JSON.stringify(h.name)}, which no snapshot holds`);
      }
      if (h.name === MANIFEST) {
        const chunks: Buffer[] = [];
        for await (const c of entry) chunks.push(c as Buffer);
        try {
          manifest = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          manifest = undefined;
        }
        continue;
      }
      const to = join(dir, h.name);
      mkdirSync(dirname(to), { recursive: true });
      if (h.type === 'symlink') {
        entry.resume();
        symlinkSync(h.linkname ?? '', to);
        found.set(h.name, { size: 0, sha256: `symlink:${h.linkname ?? ''}` });
        continue;
      }
      if (h.type !== 'file') {
        entry.resume();
        continue;
      }
      const hash = new Hashing();
      await pipeline(entry, hash, createWriteStream(to, { mode: h.mode ?? 0o600 }));
      found.set(h.name, { size: hash.bytes, sha256: hash.hex() });
    }
  } catch (e) {
    throw new Error(`the archive is damaged or not a snapshot: ${(e as Error).message}`);
  }
  return { manifest, found };
}

/**
 * Replaces the state of `dataDir` with the snapshot's (the cluster must not be running). Nothing
 * is changed unless the whole archive checks out.
 */
export async function restoreSnapshot(archive: string, dataDir: string): Promise<SnapshotManifest> {
  if (!existsSync(archive)) throw new Error(`no snapshot archive at ${archive}`);
  mkdirSync(dataDir, { recursive: true });
  const staging = join(dataDir, `.restore-${process.pid}`);
  const old = join(dataDir, `.replaced-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  try {
    let unpacked;
    try {
      unpacked = await unpack(archive, staging);
    } catch (e) {
      throw new Error(`${archive} cannot be restored: ${(e as Error).message}; nothing was changed`);
    }
    const problems = manifestProblems(unpacked.manifest, unpacked.found);
    if (problems.length) throw new Error(`${archive} cannot be restored: ${problems.join('; ')}; nothing was changed`);
    // The swap: what is there moves aside (the WAL files too: they belong to the old database).
    mkdirSync(old);
    const moved: string[] = [];
    const placed: string[] = [];
    try {
      for (const part of [...SNAPSHOT_PARTS, 'state.db-wal', 'state.db-shm']) {
        if (existsSync(join(dataDir, part))) {
          renameSync(join(dataDir, part), join(old, part));
          moved.push(part);
        }
      }
      for (const part of SNAPSHOT_PARTS) {
        if (existsSync(join(staging, part))) {
          renameSync(join(staging, part), join(dataDir, part));
          placed.push(part);
        }
      }
    } catch (e) {
      for (const part of placed) rmSync(join(dataDir, part), { recursive: true, force: true });
      for (const part of moved) renameSync(join(old, part), join(dataDir, part));
      throw new Error(`restoring ${archive} failed (${(e as Error).message}); the data dir is as it was`);
    }
    return unpacked.manifest as SnapshotManifest;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
}
