// Applies image layers, in order, to one directory: the flattened root filesystem containers use
// as a read-only overlay lower dir. Whiteouts follow the OCI image spec (layer.md): `.wh.<name>`
// deletes <name> and `.wh..wh..opq` empties its directory, both only of what lower layers made.
// Modes, owners, symlinks and hard links are kept; device nodes and FIFOs are skipped (a
// container gets its /dev from the runtime).
import { chmod, chown, lchown, link, lstat, lutimes, mkdir, readdir, rm, symlink, utimes } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Header } from 'tar-stream';
import { pathParts, resolveDir } from './root-path.ts';
import { tarEntries, type Entry } from './tar.ts';

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';
const asRoot = process.getuid?.() === 0;

interface DirAttrs {
  mode: number;
  uid: number;
  gid: number;
  mtime?: Date;
}

/** What applying layers leaves to do at the end: directory modes and times (set last, so a read-only directory can still be filled). */
export class RootfsBuilder {
  private readonly dirs = new Map<string, DirAttrs>();
  constructor(readonly root: string) {}

  /** Applies one uncompressed layer tar; rejects (leaving a half-made root to discard) on a bad entry. */
  async applyLayer(layer: Readable): Promise<void> {
    const added = new Set<string>();
    for await (const entry of tarEntries(layer)) {
      try {
        await this.applyEntry(entry, added);
      } finally {
        entry.resume();
      }
    }
  }

  /** Sets the directories' recorded modes, owners and times; returns the tree's size in bytes. */
  async finish(): Promise<number> {
    const dirs = [...this.dirs].sort((a, b) => b[0].length - a[0].length);
    for (const [abs, a] of dirs) {
      try {
        if (asRoot) await chown(abs, a.uid, a.gid);
        await chmod(abs, a.mode);
        if (a.mtime) await utimes(abs, a.mtime, a.mtime);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    return treeSize(this.root);
  }

  private async applyEntry(entry: Entry, added: Set<string>): Promise<void> {
    const h = entry.header;
    const parts = pathParts(h.name);
    if (parts.length === 0) {
      if (h.type === 'directory') this.dirs.set(this.root, attrsOf(h));
      return;
    }
    const base = parts[parts.length - 1];
    const isWhiteout = base.startsWith(WHITEOUT);
    const dir = await resolveDir(this.root, parts.slice(0, -1), !isWhiteout).catch((e: unknown) => {
      // A whiteout under a directory that lower layers never made hides nothing.
      if (isWhiteout) return undefined;
      throw e;
    });
    if (!dir) return;
    const dirAbs = join(this.root, ...dir);
    if (isWhiteout) {
      if (base === OPAQUE) {
        for (const child of await readdir(dirAbs)) {
          if (!added.has([...dir, child].join('/'))) await rm(join(dirAbs, child), { recursive: true, force: true });
        }
      } else {
        const rel = [...dir, base.slice(WHITEOUT.length)].join('/');
        if (!added.has(rel)) await rm(join(this.root, rel), { recursive: true, force: true });
      }
      return;
    }
    const rel = [...dir, base].join('/');
    const abs = join(this.root, rel);
    added.add(rel);
    const existing = await lstat(abs).catch(() => undefined);
    const replace = async () => {
      if (existing) await rm(abs, { recursive: true, force: true });
    };
    switch (h.type) {
      case 'directory':
        if (existing && !existing.isDirectory()) await replace();
        if (!existing?.isDirectory()) await mkdir(abs, { mode: 0o755 });
        this.dirs.set(abs, attrsOf(h));
        return;
      case 'file':
      case 'contiguous-file': {
        await replace();
        const a = attrsOf(h);
        await pipeline(entry, createWriteStream(abs, { mode: 0o600, flags: 'wx' }));
        if (asRoot) await chown(abs, a.uid, a.gid);
        await chmod(abs, a.mode);
        if (a.mtime) await utimes(abs, a.mtime, a.mtime);
        return;
      }
      case 'symlink': {
        await replace();
        const a = attrsOf(h);
        await symlink(h.linkname ?? '', abs);
        if (asRoot) await lchown(abs, a.uid, a.gid);
        if (a.mtime) await lutimes(abs, a.mtime, a.mtime);
        return;
      }
      case 'link': {
        const target = pathParts(h.linkname ?? '');
        if (target.length === 0) throw new Error(`hard link "${h.name}" has no target`);
        const targetDir = await resolveDir(this.root, target.slice(0, -1), false);
        const targetAbs = join(this.root, ...targetDir, target[target.length - 1]);
        if (targetAbs === abs) return;
        await replace();
        await link(targetAbs, abs).catch((e: NodeJS.ErrnoException) => {
          throw new Error(`hard link "${h.name}" to "${h.linkname}": ${e.code === 'ENOENT' ? 'target does not exist' : e.message}`);
        });
        return;
      }
      default:
        // Devices, FIFOs and anything unknown: the runtime provides /dev.
        return;
    }
  }
}

function attrsOf(h: Header): DirAttrs {
  return { mode: (h.mode ?? 0o755) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0, mtime: h.mtime };
}

/** Bytes of the regular files under a directory, each hard-linked inode counted once (du's apparent size). */
export async function treeSize(root: string): Promise<number> {
  const seen = new Set<number>();
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const d of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, d.name);
      if (d.isDirectory()) await walk(p);
      else if (d.isFile()) {
        const st = await lstat(p);
        if (st.nlink > 1) {
          if (seen.has(st.ino)) continue;
          seen.add(st.ino);
        }
        total += st.size;
      }
    }
  };
  await walk(root);
  return total;
}
