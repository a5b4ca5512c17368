// Revision checks shared by every backend, so they fail the same way (etcd's mvcc rules:
// a read below the compacted revision is refused, a read above the current one is refused).

import { StorageError } from './backend.ts';

export function compactedError(revision: number, compacted: number): StorageError {
  return new StorageError('Compacted', `Read failed: revision ${revision} is older than the compacted revision ${compacted}`);
}

export function closedError(action: string): StorageError {
  return new StorageError('Closed', `${action} failed: the store is closed`);
}

/**
 * The revision a read runs at: `requested` when it is readable, the current revision when it is
 * 0 or absent. Throws Compacted below the compacted revision and Internal above the current one.
 */
export function readRevision(requested: number | undefined, current: number, compacted: number): number {
  if (!requested) return current;
  if (requested < compacted) throw compactedError(requested, compacted);
  if (requested > current) {
    throw new StorageError('Internal', `Read failed: revision ${requested} is newer than the current revision ${current}`);
  }
  return requested;
}

/** Validates a compaction target; false means there is nothing to do. */
export function shouldCompact(revision: number, current: number, compacted: number): boolean {
  if (revision > current) {
    throw new StorageError('Internal', `Compact failed: revision ${revision} is newer than the current revision ${current}`);
  }
  return revision > compacted;
}
