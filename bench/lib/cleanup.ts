// Everything a benchmark starts (child processes, temp dirs) is registered here, so the run
// leaves nothing behind however it ends: normal return, a thrown error, a deadline, or a signal.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const children = new Set<ChildProcess>();
const dirs = new Set<string>();

/** Sends a signal to the child's process group (children are spawned detached). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

export function trackChild(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** Stops a child: the signal, then SIGKILL after graceMs; resolves once it has exited. */
export async function stopChild(child: ChildProcess, opts: { signal?: NodeJS.Signals; graceMs?: number } = {}): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(child, opts.signal ?? 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), opts.graceMs ?? 5000);
  await exited;
  clearTimeout(timer);
}

/** A fresh temp dir, removed by removeDir() or at exit. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/** Synchronous last resort: SIGKILL every live child and remove every temp dir. */
export function cleanupNow(): void {
  for (const child of children) killGroup(child, 'SIGKILL');
  children.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

process.once('exit', cleanupNow);
