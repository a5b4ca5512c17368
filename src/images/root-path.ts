// Paths inside an image's root filesystem, resolved as if the root were `/`: a layer entry under a
// symlinked directory (`/bin -> usr/bin`, or `/etc -> /host/etc`) lands inside the root, never
// outside it (containerd's continuity fs.RootPath does the same for its unpacker).
import { lstat, mkdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

const MAX_LINKS = 40;

/** Components of an archive path (`./a/b/`, `/a/b`, `a//b` → [a, b]); throws on `..` climbing out. */
export function pathParts(name: string): string[] {
  const out: string[] = [];
  for (const p of name.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (out.length === 0) throw new Error(`entry "${name}" points outside the root filesystem`);
      out.pop();
    } else out.push(p);
  }
  return out;
}

/**
 * The real directory, inside `root`, that the components `dir` name, following symlinks with
 * `root` as `/`; missing directories are created (mode 0755) when `create` is set.
 * Returns the components relative to root.
 */
export async function resolveDir(root: string, dir: string[], create: boolean): Promise<string[]> {
  const resolved: string[] = [];
  const todo = [...dir];
  let links = 0;
  while (todo.length > 0) {
    const c = todo.shift() as string;
    if (c === '' || c === '.') continue;
    if (c === '..') {
      resolved.pop();
      continue;
    }
    const abs = join(root, ...resolved, c);
    const st = await lstat(abs).catch(() => undefined);
    if (st?.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw new Error(`too many levels of symbolic links under /${dir.join('/')}`);
      const target = await readlink(abs);
      if (target.startsWith('/')) resolved.length = 0;
      todo.unshift(...target.split('/'));
      continue;
    }
    if (!st) {
      if (!create) throw new Error(`/${[...resolved, c].join('/')} does not exist`);
      await mkdir(abs, { mode: 0o755 });
    } else if (!st.isDirectory()) {
      throw new Error(`/${[...resolved, c].join('/')} is not a directory`);
    }
    resolved.push(c);
  }
  return resolved;
}
