// The kubelet's AtomicWriter layout (pkg/volume/util/atomic_writer.go), used for configMap,
// secret, downwardAPI and projected volumes so their files can be replaced while mounted:
//
//   <dir>/..data            -> ..2024_05_01_12_00_00.123456789   (renamed into place: atomic)
//   <dir>/..2024_…/<path>      the real files, with their modes
//   <dir>/<first component> -> ..data/<first component>
//
// Readers see either the old or the new set of files, never a mix.
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, posix } from 'node:path';

export interface FileProjection {
  data: Buffer | string;
  mode: number;
}

const DATA_DIR = '..data';
const NEW_DATA_DIR = '..data_tmp';
const MAX_FILE_NAME = 255;
const MAX_PATH = 4096;

/** validatePath: relative, no `..` element, no leading `..name`, length limits. */
export function validatePayloadPath(p: string): string | undefined {
  if (p === '') return `invalid path: must not be empty: ""`;
  if (p.startsWith('/')) return `invalid path: must be relative path: ${p}`;
  if (p.length > MAX_PATH) return `invalid path: must be less than or equal to ${MAX_PATH} characters`;
  const items = p.split('/');
  for (const item of items) {
    if (item === '..') return `invalid path: must not contain '..': ${p}`;
    if (item.length > MAX_FILE_NAME) return `invalid path: filenames must be less than or equal to ${MAX_FILE_NAME} characters`;
  }
  if (items[0]!.startsWith('..') && items[0]!.length > 2) return `invalid path: must not start with '..': ${p}`;
  return undefined;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `..2006_01_02_15_04_05.` in UTC, the timestamped directory's prefix. */
export function timestampPrefix(now: Date): string {
  return `..${now.getUTCFullYear()}_${pad(now.getUTCMonth() + 1)}_${pad(now.getUTCDate())}_${pad(now.getUTCHours())}_${pad(now.getUTCMinutes())}_${pad(now.getUTCSeconds())}.`;
}

function walk(dir: string, rel = '', out: string[] = []): string[] {
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    out.push(p);
    if (e.isDirectory()) walk(dir, p, out);
  }
  return out;
}

/**
 * Projects the payload into `dir` (created when missing). Returns false when the files on disk
 * already hold the payload's data and nothing is to be removed (no new version is made).
 */
export function writeAtomic(dir: string, payload: ReadonlyMap<string, FileProjection>, now = new Date()): boolean {
  const clean = new Map<string, FileProjection>();
  for (const [p, f] of payload) {
    const err = validatePayloadPath(p);
    if (err) throw new Error(err);
    clean.set(posix.normalize(p), f);
  }
  mkdirSync(dir, { recursive: true });
  const dataLink = join(dir, DATA_DIR);
  const oldTs = existsSync(dataLink) || isLink(dataLink) ? readlinkSync(dataLink) : '';
  const oldTsPath = oldTs ? join(dir, oldTs) : '';

  let toRemove: string[] = [];
  if (oldTs && existsSync(oldTsPath)) {
    const wanted = new Set<string>();
    for (const p of clean.keys()) for (let s = p; s && s !== '.'; s = posix.dirname(s)) wanted.add(s);
    toRemove = walk(oldTsPath).filter((p) => !wanted.has(p));
    const changed = [...clean].some(([p, f]) => {
      const onDisk = join(oldTsPath, p);
      if (!existsSync(onDisk)) return true;
      return !readFileSync(onDisk).equals(Buffer.from(f.data));
    });
    if (!changed && toRemove.length === 0) return false;
  }

  const tsDir = mkdtempSync(join(dir, timestampPrefix(now)));
  // 0755 so group and other can traverse, whatever the umask.
  chmodSync(tsDir, 0o755);
  for (const [p, f] of clean) {
    const full = join(tsDir, p);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, f.data, { mode: f.mode });
    chmodSync(full, f.mode);
  }

  const tmpLink = join(dir, NEW_DATA_DIR);
  rmSync(tmpLink, { force: true });
  symlinkSync(posix.basename(tsDir), tmpLink);
  renameSync(tmpLink, dataLink);

  for (const p of clean.keys()) {
    const first = p.split('/')[0]!;
    const visible = join(dir, first);
    if (!isLink(visible)) symlinkSync(posix.join(DATA_DIR, first), visible);
  }
  for (const p of toRemove) if (!p.includes('/')) rmSync(join(dir, p), { force: true });
  if (oldTsPath) rmSync(normalize(oldTsPath), { recursive: true, force: true });
  return true;
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
