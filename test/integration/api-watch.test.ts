// Watch semantics through handle(): initial state, WatchList's end-of-initial-events bookmark,
// selector transitions, 410 after compaction, timeouts; plus other read and write options.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResponse } from '../../src/apiserver/types.ts';
import type { MemoryBackend } from '../../src/store/index.ts';
import { configMap, expectStatus, startTestCluster, type TestCluster } from './helpers.ts';

let c: TestCluster;
beforeAll(async () => {
  c = await startTestCluster({ controllers: false });
});
afterAll(async () => {
  await c.stop();
});

const CM = '/api/v1/namespaces/kube-system/configmaps';

interface Ev {
  type: string;
  object: { metadata: { name?: string; resourceVersion?: string; annotations?: Record<string, string> }; code?: number };
}

/** Opens a watch and collects its events; `until` decides when enough arrived. */
async function collect(url: string, until: (evs: Ev[]) => boolean, act?: () => Promise<void>): Promise<Ev[]> {
  const abort = new AbortController();
  const res: ApiResponse = await c.api.handle({ method: 'GET', url, headers: {}, signal: abort.signal });
  expect(res.status).toBe(200);
  const events: Ev[] = [];
  const reading = (async () => {
    let buf = '';
    for await (const chunk of res.stream!) {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
      if (until(events)) break;
    }
  })();
  await act?.();
  const deadline = setTimeout(() => abort.abort(), 5000);
  await reading;
  clearTimeout(deadline);
  abort.abort();
  return events;
}

describe('watch', () => {
  it('sends the current state then changes when no resourceVersion is given', async () => {
    await c.call('POST', CM, configMap('w-a'));
    const evs = await collect(`${CM}?watch=true`, (e) => e.some((x) => x.object.metadata.name === 'w-b'), async () => {
      await c.call('POST', CM, configMap('w-b'));
    });
    expect(evs.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(expect.arrayContaining(['ADDED w-a', 'ADDED w-b']));
  });

  it('sends only later changes from a resourceVersion', async () => {
    const list = (await c.call('GET', CM)).json;
    const evs = await collect(`${CM}?watch=true&resourceVersion=${list.metadata.resourceVersion}`, (e) => e.length >= 2, async () => {
      await c.call('PATCH', `${CM}/w-a`, { data: { b: '2' } }, { 'content-type': 'application/merge-patch+json' });
      await c.call('DELETE', `${CM}/w-a`);
    });
    expect(evs.map((e) => e.type)).toEqual(['MODIFIED', 'DELETED']);
    expect(Number(evs[1]!.object.metadata.resourceVersion)).toBeGreaterThan(Number(evs[0]!.object.metadata.resourceVersion));
  });

  it('streams a WatchList: initial events, then the initial-events-end bookmark', async () => {
    const evs = await collect(`${CM}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`, (e) => e.some((x) => x.type === 'BOOKMARK'));
    const last = evs[evs.length - 1]!;
    expect(last.type).toBe('BOOKMARK');
    expect(last.object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
    expect(evs.slice(0, -1).every((e) => e.type === 'ADDED')).toBe(true);
  });

  it('refuses sendInitialEvents without the parameters upstream requires', async () => {
    expectStatus(await c.call('GET', `${CM}?watch=true&sendInitialEvents=true`), { code: 422 });
  });

  it('reports objects leaving and entering a label selector as DELETED and ADDED', async () => {
    await c.call('POST', CM, { ...configMap('sel'), metadata: { name: 'sel', labels: { tier: 'a' } } });
    const rv = (await c.call('GET', CM)).json.metadata.resourceVersion;
    const evs = await collect(`${CM}?watch=true&labelSelector=tier%3Da&resourceVersion=${rv}`, (e) => e.length >= 2, async () => {
      await c.call('PATCH', `${CM}/sel`, { metadata: { labels: { tier: 'b' } } }, { 'content-type': 'application/merge-patch+json' });
      await c.call('PATCH', `${CM}/sel`, { metadata: { labels: { tier: 'a' } } }, { 'content-type': 'application/merge-patch+json' });
    });
    expect(evs.map((e) => e.type)).toEqual(['DELETED', 'ADDED']);
  });

  it('answers 410 Expired for a compacted resourceVersion', async () => {
    const old = (await c.call('GET', CM)).json.metadata.resourceVersion;
    for (let i = 0; i < 3; i++) await c.call('POST', CM, configMap(`churn-${i}`));
    const backend = c.backend as MemoryBackend;
    await backend.compact(await backend.currentRevision());
    expectStatus(await c.call('GET', `${CM}?watch=true&resourceVersion=${old}`), { code: 410, reason: 'Expired' });
    expectStatus(await c.call('GET', `${CM}?resourceVersion=${old}&resourceVersionMatch=Exact`), { code: 410 });
  });

  it('ends at timeoutSeconds', async () => {
    const res = await c.api.handle({ method: 'GET', url: `${CM}?watch=true&timeoutSeconds=1&resourceVersion=${(await c.call('GET', CM)).json.metadata.resourceVersion}`, headers: {} });
    const chunks: string[] = [];
    for await (const ch of res.stream!) chunks.push(ch);
    expect(chunks.join('')).toBe('');
  });
});

describe('read and write options', () => {
  it('reads an exact past revision', async () => {
    const created = (await c.call('POST', '/api/v1/namespaces/default/configmaps', configMap('past', { v: '1' }))).json;
    await c.call('PATCH', '/api/v1/namespaces/default/configmaps/past', { data: { v: '2' } }, { 'content-type': 'application/merge-patch+json' });
    const then = await c.call('GET', `/api/v1/namespaces/default/configmaps?resourceVersion=${created.metadata.resourceVersion}&resourceVersionMatch=Exact&fieldSelector=metadata.name%3Dpast`);
    expect(then.json.items[0].data).toEqual({ v: '1' });
    const got = await c.call('GET', `/api/v1/namespaces/default/configmaps/past?resourceVersion=${created.metadata.resourceVersion}`);
    expect(got.json.data).toEqual({ v: '1' });
  });

  it('refuses bodies over 3 MiB with 413', async () => {
    const big = configMap('big', { blob: 'x'.repeat(3 * 1024 * 1024 + 10) });
    expectStatus(await c.call('POST', '/api/v1/namespaces/default/configmaps', big), { code: 413, reason: 'RequestEntityTooLarge' });
  });

  it('dry-runs updates, patches and deletes without storing', async () => {
    const cur = (await c.call('POST', '/api/v1/namespaces/default/configmaps', configMap('dr', { v: '1' }))).json;
    const put = await c.call('PUT', '/api/v1/namespaces/default/configmaps/dr?dryRun=All', { ...cur, data: { v: '2' } });
    expect(put.json.data).toEqual({ v: '2' });
    const patch = await c.call('PATCH', '/api/v1/namespaces/default/configmaps/dr?dryRun=All', { data: { v: '3' } }, { 'content-type': 'application/merge-patch+json' });
    expect(patch.json.data).toEqual({ v: '3' });
    expect((await c.call('DELETE', '/api/v1/namespaces/default/configmaps/dr?dryRun=All')).status).toBe(200);
    const now = (await c.call('GET', '/api/v1/namespaces/default/configmaps/dr')).json;
    expect(now.data).toEqual({ v: '1' });
    expect(now.metadata.resourceVersion).toBe(cur.metadata.resourceVersion);
  });

  it('deletes a collection by label', async () => {
    for (const n of ['dc1', 'dc2', 'dc3']) {
      await c.call('POST', '/api/v1/namespaces/kube-node-lease/configmaps', { ...configMap(n), metadata: { name: n, labels: { batch: n === 'dc3' ? 'keep' : 'drop' } } });
    }
    const r = await c.call('DELETE', '/api/v1/namespaces/kube-node-lease/configmaps?labelSelector=batch%3Ddrop');
    expect(r.status).toBe(200);
    const left = (await c.call('GET', '/api/v1/namespaces/kube-node-lease/configmaps')).json.items.map((i: { metadata: { name: string } }) => i.metadata.name);
    expect(left).toEqual(['dc3']);
  });

  it('answers the seed Service with a misplaced field as a clear error', async () => {
    // 004-bad-headless-service.yaml parses to `metadata: "name mysql-h"` (a string).
    const bad = { apiVersion: 'v1', kind: 'Service', metadata: 'name mysql-h', spec: { ports: [{ port: 3306 }], selector: { app: 'mysql' }, clusterIP: 'None' } };
    const s = expectStatus(await c.call('POST', '/api/v1/namespaces/default/services', bad), { code: 400 });
    expect(s.message).toBe('Service in version "v1" cannot be handled as a Service: json: cannot unmarshal string into Go struct field Service.metadata of type v1.ObjectMeta');
    const names = (await c.call('GET', '/api/v1/namespaces/default/services')).json.items.map((i: { metadata: { name: string } }) => i.metadata.name);
    expect(names).toEqual(['kubernetes']);
  });
});
