// What a snapshot archive holds and the checks that decide whether it may be restored. Pure: the
// archive's I/O is in archive.ts. An archive is a tar (gzipped if asked) of the data dir's state — the
// SQLite datastore (an online backup), the volume directories, the PKI and cluster token, the
// recorded cluster time — with `manifest.json` last, listing each file's size and SHA-256.

/** Bumped when the layout changes; an archive from a newer k8ts is refused, never half-read. */
export const SNAPSHOT_FORMAT = 1;
export const MANIFEST = 'manifest.json';

/** What a snapshot takes from a data dir (files, or directories taken whole). */
export const SNAPSHOT_PARTS = ['state.db', 'storage', 'pki', 'token', 'clock.json'] as const;

export interface SnapshotFile {
  path: string;
  size: number;
  sha256: string;
}

export interface SnapshotManifest {
  format: number;
  k8tsVersion: string;
  createdAt: string;
  cluster: string;
  /** Revision of the datastore when it was copied. */
  revision: number;
  /** Objects (live keys) in the datastore copy. */
  objects: number;
  files: SnapshotFile[];
}

/** Snapshot names are file names: letters, digits, '-', '_' and '.', not starting with '.'. */
export function checkSnapshotName(name: string): string {
  if (!/^[A-Za-z0-9][-A-Za-z0-9_.]{0,127}$/.test(name)) throw new Error(`invalid snapshot name "${name}": use letters, digits, '-', '_' and '.' (at most 128), starting with a letter or digit`);
  return name;
}

/** Whether an archive path is one a snapshot may hold (no escape from the data dir, only known parts). */
export function allowedPath(path: string): boolean {
  if (path === MANIFEST) return true;
  if (path.startsWith('/') || path.split('/').some((p) => p === '..' || p === '' || p === '.')) return false;
  const top = path.split('/')[0]!;
  return (SNAPSHOT_PARTS as readonly string[]).includes(top);
}

/**
 * Why a manifest cannot be restored (empty when it can): a newer or unknown format, or files that
 * differ from what the manifest lists (`found`: what the archive held, path → size and sha256).
 */
export function manifestProblems(m: unknown, found: ReadonlyMap<string, { size: number; sha256: string }>): string[] {
  if (!m || typeof m !== 'object') return ['the archive has no readable manifest.json'];
  const man = m as Partial<SnapshotManifest>;
  if (typeof man.format !== 'number') return ['manifest.json has no format version'];
  if (man.format > SNAPSHOT_FORMAT) return [`the snapshot was made by a newer k8ts (${man.k8tsVersion ?? 'unknown version'}, snapshot format ${man.format}; this k8ts reads format ${SNAPSHOT_FORMAT} and older)`];
  const problems: string[] = [];
  const listed = new Set<string>();
  for (const f of man.files ?? []) {
    listed.add(f.path);
    const got = found.get(f.path);
    if (!got) problems.push(`${f.path} is listed but missing`);
    else if (got.size !== f.size) problems.push(`${f.path} has ${got.size} bytes, ${f.size} listed`);
    else if (got.sha256 !== f.sha256) problems.push(`${f.path} does not match its checksum`);
  }
  for (const path of found.keys()) if (!listed.has(path)) problems.push(`${path} is in the archive but not in its manifest`);
  if (!listed.has('state.db')) problems.push('the snapshot holds no datastore (state.db)');
  return problems;
}
