// The local-path provisioner's work on disk, done in process instead of through helper pods
// (rancher's `setup` and `teardown` scripts: `mkdir -m 0777 -p "$VOL_DIR"`, `rm -rf "$VOL_DIR"`).
import { chmod, mkdir, rm } from 'node:fs/promises';
import { relative, resolve, isAbsolute } from 'node:path';

/** Creates the volume directory (and its parents), world-writable as rancher's setup script makes it. */
export async function createVolumeDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o777 });
  // mkdir's mode passes through the umask; `mkdir -m` does not, so non-root containers can write.
  await chmod(dir, 0o777);
}

/**
 * Removes a volume directory and everything in it. Refuses paths outside baseDir (or baseDir
 * itself), so a hand-edited volume can never make k8ts delete something else.
 */
export async function deleteVolumeDir(dir: string, baseDir: string): Promise<void> {
  const rel = relative(resolve(baseDir), resolve(dir));
  if (!rel || rel.startsWith('..') || isAbsolute(rel)) throw new Error(`refusing to delete ${dir}: not under ${baseDir}`);
  await rm(dir, { recursive: true, force: true });
}
