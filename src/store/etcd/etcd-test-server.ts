// One etcd per test file, for the files that need it: started in beforeAll and stopped in
// afterAll. Without an etcd binary the file's suites are skipped, saying why (CI installs
// Debian's etcd-server through scripts/fetch-clients.mjs).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { findEtcd, startEtcd, type EtcdServer } from './etcd-server.ts';

export const etcdMissing = findEtcd() === undefined;
export const ETCD_SKIP_REASON = "etcd is not installed (Debian's etcd-server, or set ETCD_BIN)";

if (etcdMissing) console.warn(`Skipping etcd tests: ${ETCD_SKIP_REASON}`);

/** Registers beforeAll/afterAll for one etcd; the getter is valid inside tests. */
export function useEtcdServer(): () => EtcdServer {
  let server: EtcdServer | undefined;
  beforeAll(async () => {
    if (!etcdMissing) server = await startEtcd();
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('etcd is not running (beforeAll did not start it)');
    return server;
  };
}

/** A key prefix no other store on the same etcd uses. */
export function uniquePrefix(): string {
  return `/test-${randomUUID().slice(0, 8)}`;
}
