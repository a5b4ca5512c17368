// The node's image store on disk:
//
//   <dir>/meta/<hex>.json   one record per image (catalog.ts), replaced by rename
//   <dir>/rootfs/<hex>/     its flattened root filesystem, made once, read-only to containers
//   <dir>/tmp/<pid>-…/      staging: archives and layers are unpacked here, then renamed in
//   <dir>/lock/             held by the process rewriting records (lock.ts)
//
// A failed load or pull only ever leaves a staging dir, removed at once (or, after a crash, by
// the next store that sees its pid dead). Several processes share one dir: records are re-read
// when the meta dir changes, and always before a miss is reported.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readArchive } from './archive.ts';
import { lookup, planArrival, type ImageRecord, type Incoming } from './catalog.ts';
import { pidAlive, withDirLock } from './lock.ts';
import type { ImageSource } from './oci.ts';
import { fetchImage } from './pull.ts';
import { normalizeImage } from './reference.ts';
import type { ImageStore, PullOptions, StoredImage } from './types.ts';
import { unpackImage } from './unpack.ts';

const hexOf = (id: string) => id.slice('sha256:'.length);

export class DiskImageStore implements ImageStore {
  readonly dir: string;
  private records = new Map<string, ImageRecord>();
  private views = new Map<string, StoredImage>();
  private seenMtime = -1n;
  private readAt = 0;
  private readonly pulls = new Map<string, Promise<StoredImage>>();

  /** A store over `dir` (created if missing); `DiskImageStore.inDataDir` for a cluster's data dir. */
  constructor(dir: string) {
    this.dir = resolve(dir);
    for (const d of ['meta', 'rootfs', 'tmp']) mkdirSync(join(this.dir, d), { recursive: true });
    this.sweepStaging();
  }

  /** The store of a `k8ts up` data dir: `<dataDir>/images`. */
  static inDataDir(dataDir: string): DiskImageStore {
    return new DiskImageStore(join(dataDir, 'images'));
  }

  find(ref: string): StoredImage | undefined {
    this.refresh(false);
    let r = lookup(this.records.values(), ref);
    if (!r) {
      this.refresh(true);
      r = lookup(this.records.values(), ref);
    }
    return r && this.view(r);
  }

  list(): StoredImage[] {
    this.refresh(false);
    return [...this.records.values()].map((r) => this.view(r));
  }

  /** `onRead` hears how many bytes of the archive file are read so far. */
  async load(archivePath: string, onRead?: (bytes: number) => void): Promise<StoredImage[]> {
    const path = resolve(archivePath);
    const staging = this.staging();
    try {
      if (!(await stat(path).catch(() => undefined))?.isFile()) throw new Error('no such file');
      const archiveDir = join(staging, 'archive');
      mkdirSync(archiveDir);
      const sources = await readArchive(path, archiveDir, onRead);
      return await this.admit(sources, staging);
    } catch (e) {
      throw new Error(`failed to load image archive ${archivePath}: ${(e as Error).message}`);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  pull(ref: string, o: PullOptions = {}): Promise<StoredImage> {
    const name = normalizeImage(ref);
    const running = this.pulls.get(name);
    if (running) return running;
    const p = this.pullOnce(name, o).finally(() => this.pulls.delete(name));
    this.pulls.set(name, p);
    return p;
  }

  remove(ref: string): boolean {
    return withDirLock(this.lockPath(), () => {
      this.refresh(true);
      const r = lookup(this.records.values(), ref);
      if (!r) return false;
      const rootfs = this.rootfsPath(r.id);
      // A running container's root is an overlay over this tree: removing it would pull the
      // ground from under it, so the image stays until its containers are gone.
      if (mountedAsLower(rootfs)) throw new Error(`image "${ref}" is in use by a running container: delete the pods that use it first`);
      rmSync(this.metaPath(r.id), { force: true });
      if (existsSync(rootfs)) {
        // Renamed away first: a half-deleted tree is never visible under rootfs/.
        const grave = this.staging();
        renameSync(rootfs, join(grave, 'rootfs'));
        rmSync(grave, { recursive: true, force: true });
      }
      this.refresh(true);
      return true;
    });
  }

  private async pullOnce(name: string, o: PullOptions): Promise<StoredImage> {
    const staging = this.staging();
    try {
      const src = await fetchImage(name, { ...o, dir: staging, have: (id) => existsSync(this.rootfsPath(id)) });
      const [image] = await this.admit([src], staging);
      return image;
    } catch (e) {
      throw new Error(`failed to pull and unpack image "${name}": ${(e as Error).message}`);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** Unpacks what is not here yet, then renames it in and writes the records, under the lock. */
  private async admit(sources: ImageSource[], staging: string): Promise<StoredImage[]> {
    const staged = new Map<string, { dir: string; size: number }>();
    for (const [i, src] of sources.entries()) {
      if (staged.has(src.configDigest) || existsSync(this.rootfsPath(src.configDigest))) continue;
      const dir = join(staging, `rootfs-${i}`);
      staged.set(src.configDigest, { dir, size: await unpackImage(src, dir) });
    }
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    return withDirLock(this.lockPath(), () => {
      this.refresh(true);
      const incoming: Incoming[] = sources.map((s) => {
        const st = staged.get(s.configDigest);
        const target = this.rootfsPath(s.configDigest);
        if (st && !existsSync(target)) renameSync(st.dir, target);
        // A pull skips the layers of an image the store has; another process may remove it meanwhile.
        if (!existsSync(target)) throw new Error(`image ${s.configDigest} was removed while it was being added; try again`);
        const size = st?.size ?? this.records.get(s.configDigest)?.size ?? 0;
        return { id: s.configDigest, names: s.names, repoDigest: s.digestRef, size, config: s.config.config };
      });
      for (const r of planArrival([...this.records.values()], incoming, now)) this.writeRecord(r);
      this.refresh(true);
      return sources.map((s) => this.view(this.records.get(s.configDigest) as ImageRecord));
    });
  }

  private writeRecord(r: ImageRecord): void {
    const tmp = join(this.dir, 'tmp', `${process.pid}-${randomBytes(4).toString('hex')}.json`);
    writeFileSync(tmp, `${JSON.stringify(r, null, 2)}\n`);
    renameSync(tmp, this.metaPath(r.id));
  }

  /**
   * Re-reads the records when the meta dir changed since the last read (always when `force`).
   * A change within the file system's timestamp granularity of the last read is not visible in
   * the dir's mtime, so a read that close to it is not trusted.
   */
  private refresh(force: boolean): void {
    const metaDir = join(this.dir, 'meta');
    const st = statSync(metaDir, { bigint: true });
    if (!force && st.mtimeNs === this.seenMtime && this.readAt - Number(st.mtimeMs) > 50) return;
    const next = new Map<string, ImageRecord>();
    for (const f of readdirSync(metaDir)) {
      if (!/^[0-9a-f]{64}\.json$/.test(f)) continue;
      try {
        const r = JSON.parse(readFileSync(join(metaDir, f), 'utf8')) as ImageRecord;
        if (r.id === `sha256:${f.slice(0, 64)}`) next.set(r.id, r);
      } catch {
        // Removed between readdir and read: it is gone.
      }
    }
    this.records = next;
    this.views = new Map([...this.views].filter(([id, v]) => next.get(id) === this.recordOf.get(v)));
    this.seenMtime = st.mtimeNs;
    this.readAt = Date.now();
  }

  private readonly recordOf = new WeakMap<StoredImage, ImageRecord>();

  /** The frozen StoredImage of a record (one object per record read, so callers may compare). */
  private view(r: ImageRecord): StoredImage {
    const cached = this.views.get(r.id);
    if (cached && this.recordOf.get(cached) === r) return cached;
    const v: StoredImage = Object.freeze({
      id: r.id,
      names: Object.freeze([...r.names]) as string[],
      ...(r.repoDigests.length ? { digestRef: r.repoDigests[r.repoDigests.length - 1] } : {}),
      size: r.size,
      config: Object.freeze(structuredClone(r.config)),
      rootfs: this.rootfsPath(r.id),
    });
    this.recordOf.set(v, r);
    this.views.set(r.id, v);
    return v;
  }

  private metaPath = (id: string) => join(this.dir, 'meta', `${hexOf(id)}.json`);
  private rootfsPath = (id: string) => join(this.dir, 'rootfs', hexOf(id));
  private lockPath = () => join(this.dir, 'lock');

  /** A new staging dir, named by this process's pid so a dead process's leftovers can be recognized. */
  private staging(): string {
    const d = join(this.dir, 'tmp', `${process.pid}-${randomBytes(6).toString('hex')}`);
    mkdirSync(d);
    return d;
  }

  /** Removes staging dirs of processes that died mid-load. */
  private sweepStaging(): void {
    for (const f of readdirSync(join(this.dir, 'tmp'))) {
      const pid = Number(/^(\d+)-/.exec(f)?.[1]);
      if (pid && pid !== process.pid && !pidAlive(pid)) rmSync(join(this.dir, 'tmp', f), { recursive: true, force: true });
    }
  }
}

/** Whether an overlay mount uses dir as a lower layer (/proc/self/mounts escapes spaces as \040). */
function mountedAsLower(dir: string): boolean {
  let mounts: string;
  try {
    mounts = readFileSync('/proc/self/mounts', 'utf8');
  } catch {
    return false;
  }
  const escaped = dir.replace(/ /g, '\\040');
  return mounts.split('\n').some((l) => {
    const opts = l.split(' ')[3] ?? '';
    return opts.split(',').some((o) => o.startsWith('lowerdir=') && o.slice('lowerdir='.length).split(':').includes(escaped));
  });
}
