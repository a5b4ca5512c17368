// The datastore layer's public surface: the Backend contract and the backends behind it.

import { readFile } from 'node:fs/promises';
import type { Backend } from './backend.ts';
import type { CompactionOptions } from './compactor.ts';
import type { DatastoreSpec } from './datastore-url.ts';
import type { EtcdBackendOptions } from './etcd/etcd-backend.ts';
import { createMemoryBackend, type MemoryBackendOptions } from './memory/memory-backend.ts';
import { openSqliteBackend, type SqliteBackendOptions } from './sqlite/sqlite-backend.ts';

export * from './backend.ts';
export { Broadcaster, DEFAULT_WATCH_BUFFER, Subscription, type SubscribeOptions } from './broadcaster.ts';
export { systemClock, type CompactionOptions, type StoreClock } from './compactor.ts';
export { describeDatastore, parseDatastore, type DatastoreSpec, type EtcdDatastore } from './datastore-url.ts';
// The etcd backend is loaded when an etcd datastore is opened: its gRPC stack costs a cold start
// that SQLite users should not pay (import it from './etcd/etcd-backend.ts' directly if needed).
export type { EtcdBackend, EtcdBackendOptions } from './etcd/etcd-backend.ts';
export { createMemoryBackend, MemoryBackend, type MemoryBackendOptions } from './memory/memory-backend.ts';
export { openSqliteBackend, SqliteBackend, type SqliteBackendOptions } from './sqlite/sqlite-backend.ts';

export type BackendKind = 'sqlite' | 'memory' | 'etcd';

/** Opens a backend by kind; sqlite needs opts.path, etcd opts.endpoints. */
export function openBackend(kind: 'sqlite', opts: SqliteBackendOptions): Promise<Backend>;
export function openBackend(kind: 'memory', opts?: MemoryBackendOptions): Promise<Backend>;
export function openBackend(kind: 'etcd', opts: EtcdBackendOptions): Promise<Backend>;
export function openBackend(kind: BackendKind, opts?: SqliteBackendOptions | MemoryBackendOptions | EtcdBackendOptions): Promise<Backend>;
export async function openBackend(kind: BackendKind, opts: Partial<SqliteBackendOptions & EtcdBackendOptions> = {}): Promise<Backend> {
  if (kind === 'memory') return createMemoryBackend(opts);
  if (kind === 'etcd') {
    if (!opts.endpoints?.length) throw new Error('Open backend failed: etcd needs endpoints');
    const { openEtcdBackend } = await import('./etcd/etcd-backend.ts');
    return openEtcdBackend({ ...opts, endpoints: opts.endpoints });
  }
  if (!opts.path) throw new Error('Open backend failed: sqlite needs a path');
  return openSqliteBackend({ ...opts, path: opts.path });
}

/**
 * Opens the datastore a parsed `--datastore` string names (reading etcd's TLS files). An etcd that
 * does not answer within its dial timeout rejects with a message naming the endpoints.
 */
export async function openDatastore(spec: DatastoreSpec, opts: CompactionOptions & { dialTimeoutMs?: number; quotaBytes?: number } = {}): Promise<Backend> {
  if (spec.kind === 'memory') return openBackend('memory', opts);
  if (spec.kind === 'sqlite') return openBackend('sqlite', { ...opts, path: spec.path });
  const read = async (file?: string) => {
    if (file === undefined) return undefined;
    return readFile(file).catch((e: Error) => {
      throw new Error(`Open etcd datastore failed: cannot read ${file}: ${e.message}`);
    });
  };
  const [ca, cert, key] = await Promise.all([read(spec.tls?.caFile), read(spec.tls?.certFile), read(spec.tls?.keyFile)]);
  const tls = spec.tls ? { ca, cert, key } : undefined;
  return openBackend('etcd', { ...opts, endpoints: spec.endpoints, prefix: spec.prefix, auth: spec.auth, tls });
}
