// A lock between processes sharing an image store (a server pulling while `k8ts image load`
// runs): a directory made with mkdir, which is atomic, holding the owner's pid. A lock whose owner
// has died is taken over. Held only while metadata files are rewritten, so waiting is short and
// done synchronously.
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number) => Atomics.wait(sleeper, 0, 0, ms);

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `fn` holding the lock at `path`; throws when another live process holds it past `timeoutMs`. */
export function withDirLock<T>(path: string, fn: () => T, timeoutMs = 30_000): T {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(path);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (stale(path)) {
      // Rename first so two processes breaking the same stale lock cannot both proceed.
      const grave = `${path}.stale-${process.pid}`;
      try {
        renameSync(path, grave);
        rmSync(grave, { recursive: true, force: true });
      } catch {
        // Someone else broke it first.
      }
      continue;
    }
    if (Date.now() > deadline) throw new Error(`the image store is locked by another process (${path})`);
    sleep(20);
  }
  try {
    writeFileSync(join(path, 'owner'), String(process.pid));
    return fn();
  } finally {
    rmSync(path, { recursive: true, force: true });
  }
}

function stale(path: string): boolean {
  try {
    return !pidAlive(Number(readFileSync(join(path, 'owner'), 'utf8')));
  } catch {
    // No owner file yet: its maker is between mkdir and write, unless that was long ago.
    try {
      return Date.now() - statSync(path).mtimeMs > 5_000;
    } catch {
      return false;
    }
  }
}
