// Losing etcd under a running store and API server: requests fail within the request deadline with
// a Status (503 when etcd cannot be reached, 504 when it does not answer), watches end with an
// error so their consumers re-list, nothing half-written survives, and service resumes by itself
// once etcd is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResponse } from '../../src/apiserver/types.ts';
import { startControlPlane, type ControlPlane } from '../../src/cli/control-plane.ts';
import { drain, expectCode } from '../../src/store/backend.contract.ts';
import { openEtcdBackend, type EtcdBackend } from '../../src/store/etcd/etcd-backend.ts';
import { etcdMissing, uniquePrefix, useEtcdServer } from '../../src/store/etcd/etcd-test-server.ts';
import { isStorageError } from '../../src/store/index.ts';
import { eventually } from './helpers.ts';

const REQUEST_TIMEOUT_MS = 1000;
const CM = '/api/v1/namespaces/default/configmaps';

describe.skipIf(etcdMissing)('etcd lost while running', () => {
  const etcd = useEtcdServer();
  let store: EtcdBackend;
  let cp: ControlPlane;

  const call = async (method: string, url: string, body?: unknown): Promise<ApiResponse & { json: any }> => {
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    const raw = await cp.api.handle({ method, url, headers, body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)) });
    const text = typeof raw.body === 'string' ? raw.body : raw.body === undefined ? '' : Buffer.from(raw.body as Uint8Array).toString();
    return { ...raw, json: text ? JSON.parse(text) : undefined };
  };
  /** Runs fn and returns how long it took to settle, with its outcome. */
  const timed = async <T,>(fn: () => Promise<T>): Promise<{ value?: T; error?: unknown; ms: number }> => {
    const started = Date.now();
    const outcome = await fn().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    return { ...outcome, ms: Date.now() - started };
  };

  beforeAll(async () => {
    const endpoints = [etcd().endpoint];
    store = await openEtcdBackend({ endpoints, prefix: uniquePrefix(), requestTimeoutMs: REQUEST_TIMEOUT_MS, compactIntervalMs: 0 });
    const served = await openEtcdBackend({ endpoints, prefix: uniquePrefix(), requestTimeoutMs: REQUEST_TIMEOUT_MS, compactIntervalMs: 0 });
    cp = await startControlPlane({ datastore: 'memory', backend: served, controllers: false });
  }, 30_000);
  afterAll(async () => {
    await cp?.stop();
    await store?.close();
  });

  it('answers Timeout (504) within the deadline while etcd is frozen, and serves again when it thaws', async () => {
    await store.create('/registry/before-pause', 'v');
    etcd().pause();
    try {
      const read = await timed(() => store.get('/registry/before-pause'));
      expect(isStorageError(read.error, 'Timeout'), String(read.error)).toBe(true);
      expect(read.ms).toBeLessThan(REQUEST_TIMEOUT_MS + 1500);
      const api = await timed(() => call('GET', CM));
      expect(api.ms).toBeLessThan(REQUEST_TIMEOUT_MS + 1500);
      expect(api.value?.json).toMatchObject({ kind: 'Status', code: 504, reason: 'Timeout' });
    } finally {
      etcd().resume();
    }
    expect((await eventually(() => store.get('/registry/before-pause'), { what: 'etcd to answer after SIGCONT' })).value).toBe('v');
    expect((await call('GET', CM)).status).toBe(200);
  });

  it('answers Unavailable (503) while etcd is down, ends watches with an error, writes nothing half-way, and recovers', async () => {
    const from = await store.currentRevision();
    const watch = drain(store.watch('/registry/', { afterRevision: from }));
    await etcd().kill();
    try {
      const ended = await timed(() => watch);
      expect(isStorageError(ended.value?.error, 'Unavailable'), String(ended.value?.error)).toBe(true);
      expect(ended.ms).toBeLessThan(REQUEST_TIMEOUT_MS + 1500);
      const write = await timed(() => expectCode(store.create('/registry/while-down', 'x'), 'Unavailable'));
      expect(write.ms).toBeLessThan(REQUEST_TIMEOUT_MS + 1500);
      expect(write.value?.message).toMatch(/^Create failed: etcd at http:\/\/127\.0\.0\.1:\d+ is unavailable: .*check that etcd runs there/);
      const api = await call('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'while-down' } });
      expect(api.json).toMatchObject({ kind: 'Status', code: 503, reason: 'ServiceUnavailable' });
      expect(api.json.message).toMatch(/etcd at .* is unavailable/);
    } finally {
      await etcd().restart();
    }
    await eventually(() => store.currentRevision(), { what: 'etcd to answer after restart' });
    expect(await store.get('/registry/while-down')).toBeUndefined();
    expect((await eventually(async () => (await call('GET', `${CM}/while-down`)).status === 404, { what: 'the API to answer' }))).toBe(true);
    // A consumer re-lists and watches again from what it listed.
    const list = await store.list('/registry/');
    const again = store.watch('/registry/', { afterRevision: list.revision });
    const made = await store.create('/registry/after-restart', 'y');
    const it = again[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual([{ type: 'create', revision: made.modRevision, kv: made }]);
    again.close();
    expect((await call('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-restart' } })).status).toBe(201);
  });
});
