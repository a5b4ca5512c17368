// The datastore layer's public surface: the Backend contract and the backends behind it.

import type { Backend } from './backend.ts';
import { createMemoryBackend, type MemoryBackendOptions } from './memory/memory-backend.ts';
import { openSqliteBackend, type SqliteBackendOptions } from './sqlite/sqlite-backend.ts';

export * from './backend.ts';
export { Broadcaster, DEFAULT_WATCH_BUFFER, Subscription, type SubscribeOptions } from './broadcaster.ts';
export { systemClock, type CompactionOptions, type StoreClock } from './compactor.ts';
export { createMemoryBackend, MemoryBackend, type MemoryBackendOptions } from './memory/memory-backend.ts';
export { openSqliteBackend, SqliteBackend, type SqliteBackendOptions } from './sqlite/sqlite-backend.ts';

export type BackendKind = 'sqlite' | 'memory';

/** Opens a backend by kind; sqlite needs opts.path. */
export function openBackend(kind: 'sqlite', opts: SqliteBackendOptions): Promise<Backend>;
export function openBackend(kind: 'memory', opts?: MemoryBackendOptions): Promise<Backend>;
export function openBackend(kind: BackendKind, opts?: SqliteBackendOptions | MemoryBackendOptions): Promise<Backend>;
export async function openBackend(kind: BackendKind, opts: Partial<SqliteBackendOptions> = {}): Promise<Backend> {
  if (kind === 'memory') return createMemoryBackend(opts);
  if (!opts.path) throw new Error('Open backend failed: sqlite needs a path');
  return openSqliteBackend({ ...opts, path: opts.path });
}
