// The page's list+watch against a scripted API (fetch replaced): lists then watches from the
// list's revision, applies events, re-lists after a 410 and after the server went away.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClusterStore } from './cluster-store.ts';

type Reply = { status: number; body?: unknown; lines?: unknown[]; hang?: boolean } | 'refused';

/** Replies queued per path (without query); every request is recorded. */
function fakeApi(script: Record<string, Reply[]>) {
  const requests: string[] = [];
  const fetch = async (url: string, init?: { signal?: AbortSignal }): Promise<Response> => {
    requests.push(url);
    const path = url.split('?')[0]!;
    const watch = url.includes('watch=1');
    const reply = script[`${watch ? 'WATCH ' : ''}${path}`]?.shift() ?? { status: 200, hang: true };
    if (reply === 'refused') throw new TypeError('Failed to fetch');
    if (reply.lines || reply.hang) {
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          for (const l of reply.lines ?? []) c.enqueue(new TextEncoder().encode(`${JSON.stringify(l)}\n`));
          if (!reply.hang) c.close();
          init?.signal?.addEventListener('abort', () => c.error(new DOMException('aborted', 'AbortError')));
        },
      });
      return new Response(stream, { status: reply.status });
    }
    return new Response(JSON.stringify(reply.body), { status: reply.status });
  };
  return { fetch, requests };
}

const pod = (name: string, rv: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', resourceVersion: rv } });
const list = (rv: string, ...items: unknown[]) => ({ status: 200, body: { kind: 'PodList', metadata: { resourceVersion: rv }, items } });
const names = (s: ClusterStore) => s.objects().pods.map((p) => p.metadata.name).sort();

beforeEach(() => {
  vi.stubGlobal('sessionStorage', { getItem: () => 'tok', setItem: () => undefined, removeItem: () => undefined });
  vi.useFakeTimers({ toFake: ['setTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('ClusterStore', () => {
  it('lists, then watches from the list revision and applies the events', async () => {
    const api = fakeApi({
      '/api/v1/namespaces/default/pods': [list('10', pod('a', '9'))],
      'WATCH /api/v1/namespaces/default/pods': [{ status: 200, hang: true, lines: [{ type: 'ADDED', object: pod('b', '11') }, { type: 'DELETED', object: pod('a', '12') }] }],
    });
    vi.stubGlobal('fetch', api.fetch);
    const store = new ClusterStore((fn) => queueMicrotask(fn));
    store.follow(['pods'], 'default');
    await vi.waitFor(() => expect(names(store)).toEqual(['b']));
    expect(api.requests[1]).toBe('/api/v1/namespaces/default/pods?watch=1&allowWatchBookmarks=true&resourceVersion=10');
    expect(store.connection()).toBe('live');
    store.close();
  });

  it('lists afresh when the watch answers 410 Gone', async () => {
    const api = fakeApi({
      '/api/v1/pods': [list('10', pod('a', '9')), list('30', pod('c', '29'))],
      'WATCH /api/v1/pods': [{ status: 200, lines: [{ type: 'ERROR', object: { kind: 'Status', code: 410, message: 'too old resource version' } }] }],
    });
    vi.stubGlobal('fetch', api.fetch);
    const store = new ClusterStore((fn) => queueMicrotask(fn));
    store.follow(['pods']);
    await vi.waitFor(() => expect(names(store)).toEqual(['c']));
    store.close();
  });

  it('says it is reconnecting while the server is away, then lists again', async () => {
    const api = fakeApi({
      '/api/v1/pods': [list('10', pod('a', '9')), 'refused', list('40', pod('a', '9'), pod('d', '39'))],
      'WATCH /api/v1/pods': ['refused'],
    });
    vi.stubGlobal('fetch', api.fetch);
    const store = new ClusterStore((fn) => queueMicrotask(fn));
    store.follow(['pods']);
    await vi.waitFor(() => expect(store.connection()).toBe('reconnecting'));
    expect(store.errors.get('pods')).toBe('Failed to fetch');
    await vi.advanceTimersByTimeAsync(1000); // the retry's list is refused too
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(names(store)).toEqual(['a', 'd']));
    expect(store.connection()).toBe('live');
    store.close();
  });

  it('stops following what the view no longer draws, and a namespace it left', async () => {
    const api = fakeApi({ '/api/v1/namespaces/a/pods': [list('1')], '/api/v1/namespaces/b/pods': [list('2')], '/api/v1/nodes': [list('3')] });
    vi.stubGlobal('fetch', api.fetch);
    const store = new ClusterStore((fn) => queueMicrotask(fn));
    store.follow(['pods', 'nodes'], 'a');
    await vi.waitFor(() => expect(store.synced(['pods', 'nodes'])).toBe(true));
    store.follow(['pods'], 'b');
    await vi.waitFor(() => expect(store.synced(['pods'])).toBe(true));
    expect(api.requests.filter((r) => !r.includes('watch'))).toEqual(['/api/v1/namespaces/a/pods', '/api/v1/nodes', '/api/v1/namespaces/b/pods']);
    expect(store.synced(['nodes'])).toBe(false);
    store.close();
  });
});
