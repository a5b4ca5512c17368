// The one behavioural suite every Backend must pass (the shape of Hono's router/common.case.test.ts,
// semantics of k3s-io/kine's server interface). Revisions are asserted exactly, relative to the
// store's revision when the test opened it (`base`): a fresh store is at revision 0 and every
// successful write advances it by one. A store whose revisions are shared with others (etcd: one
// counter per server, other stores under other key prefixes) starts wherever the server is; as
// long as nothing else writes during a test, its revisions still advance by exactly one per write.

import { afterEach, describe, expect, it } from 'vitest';
import { isStorageError, type Backend, type StorageErrorCode, type WatchEvent, type WatchStream } from './backend.ts';

export interface ContractBackendOptions {
  /** Events a watcher may leave unread before it is dropped. */
  watchBufferSize?: number;
}

export interface ContractOptions {
  /**
   * The backend shares its revision counter and compaction with other stores (etcd), so a new
   * one need not start at revision 0 with nothing compacted.
   */
  sharedRevisions?: boolean;
}

export type NewBackend = (opts?: ContractBackendOptions) => Promise<Backend>;

/** Resolves to the StorageError the promise rejected with, failing unless its code matches. */
export async function expectCode(p: Promise<unknown>, code: StorageErrorCode) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isStorageError(err, code)) throw new Error(`Expected StorageError ${code}, got ${String(err)}`);
  return err;
}

/** Reads batches until `count` events arrived (or the deadline passes), then closes the stream. */
export async function collect(stream: WatchStream, count: number, deadlineMs = 5000): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  const timer = setTimeout(() => stream.close(), deadlineMs);
  try {
    for await (const batch of stream) {
      out.push(...batch);
      if (out.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
    stream.close();
  }
  return out;
}

/** Drains a stream to its end; resolves to the events seen and the error it ended with, if any. */
export async function drain(stream: WatchStream): Promise<{ events: WatchEvent[]; error?: unknown }> {
  const events: WatchEvent[] = [];
  try {
    for await (const batch of stream) events.push(...batch);
    return { events };
  } catch (error) {
    return { events, error };
  }
}

/** Polls cond on every event-loop turn until it holds; throws after the deadline. */
export async function waitFor(cond: () => boolean, deadlineMs = 5000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('Condition not met before the deadline');
    await new Promise((r) => setImmediate(r));
  }
}

export function runBackendContract(name: string, newBackend: NewBackend, contract: ContractOptions = {}): void {
  describe(`Backend contract: ${name}`, () => {
    const open: Backend[] = [];
    /** The revision of the store the test opened last, before the test wrote anything. */
    let base = 0;
    const r = (n: number) => base + n;
    const kv = (key: string, value: string, createRevision: number, modRevision: number) => ({ key, value, createRevision: r(createRevision), modRevision: r(modRevision) });
    const fresh = async (opts?: ContractBackendOptions) => {
      const b = await newBackend(opts);
      open.push(b);
      base = await b.currentRevision();
      return b;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((b) => b.close()));
    });

    it('starts at revision 0 and advances by one per write', async () => {
      const b = await fresh();
      if (contract.sharedRevisions) {
        expect(await b.compactedRevision()).toBeLessThanOrEqual(base);
      } else {
        expect(base).toBe(0);
        expect(await b.compactedRevision()).toBe(0);
      }
      expect(await b.create('/a', '1')).toEqual(kv('/a', '1', 1, 1));
      expect(await b.create('/b', '2')).toEqual(kv('/b', '2', 2, 2));
      expect(await b.update('/a', '3', r(1))).toEqual(kv('/a', '3', 1, 3));
      expect(await b.delete('/b')).toEqual({ revision: r(4), prevKv: kv('/b', '2', 2, 2) });
      expect(await b.currentRevision()).toBe(r(4));
    });

    it('refuses to create an existing key without using a revision', async () => {
      const b = await fresh();
      await b.create('/a', '1');
      await expectCode(b.create('/a', '2'), 'KeyExists');
      expect(await b.currentRevision()).toBe(r(1));
      expect(await b.get('/a')).toEqual(kv('/a', '1', 1, 1));
    });

    it('gets the committed value, or undefined', async () => {
      const b = await fresh();
      expect(await b.get('/missing')).toBeUndefined();
      await b.create('/a', 'x');
      expect(await b.get('/a')).toEqual(kv('/a', 'x', 1, 1));
      await b.delete('/a');
      expect(await b.get('/a')).toBeUndefined();
    });

    it('updates only at the expected revision and reports the current value on Conflict', async () => {
      const b = await fresh();
      await b.create('/a', 'v1');
      await b.update('/a', 'v2', r(1));
      const err = await expectCode(b.update('/a', 'v3', r(1)), 'Conflict');
      expect(err.current).toEqual(kv('/a', 'v2', 1, 2));
      await expectCode(b.update('/missing', 'x', r(1)), 'NotFound');
      expect(await b.currentRevision()).toBe(r(2));
    });

    it('deletes with and without an expected revision', async () => {
      const b = await fresh();
      await b.create('/a', 'a1');
      await b.create('/b', 'b1');
      const err = await expectCode(b.delete('/a', r(7)), 'Conflict');
      expect(err.current).toEqual(kv('/a', 'a1', 1, 1));
      expect(await b.delete('/a', r(1))).toEqual({ revision: r(3), prevKv: kv('/a', 'a1', 1, 1) });
      expect(await b.delete('/b')).toEqual({ revision: r(4), prevKv: kv('/b', 'b1', 2, 2) });
      await expectCode(b.delete('/a'), 'NotFound');
      await expectCode(b.update('/a', 'x', r(1)), 'NotFound');
      expect(await b.create('/a', 'a2')).toEqual(kv('/a', 'a2', 5, 5));
    });

    it('lists by prefix in key order without crossing prefix boundaries', async () => {
      const b = await fresh();
      for (const k of ['/a/c', '/a/bc/1', '/a/b/2', '/a/b/1', '/a/b', '/b/1']) await b.create(k, k);
      await b.delete('/a/c');
      const keys = async (prefix: string) => (await b.list(prefix)).items.map((i) => i.key);
      expect(await keys('/a/b/')).toEqual(['/a/b/1', '/a/b/2']);
      expect(await keys('/a/')).toEqual(['/a/b', '/a/b/1', '/a/b/2', '/a/bc/1']);
      expect(await keys('')).toEqual(['/a/b', '/a/b/1', '/a/b/2', '/a/bc/1', '/b/1']);
      expect(await keys('/z/')).toEqual([]);
      const all = await b.list('/a/b/');
      expect(all).toEqual({ items: [kv('/a/b/1', '/a/b/1', 4, 4), kv('/a/b/2', '/a/b/2', 3, 3)], revision: r(7), remaining: 0 });
      expect(await b.count('/a/')).toBe(4);
      expect(await b.count('/a/b/')).toBe(2);
    });

    it('paginates with limit, startAfter and remaining', async () => {
      const b = await fresh();
      for (let i = 1; i <= 6; i++) await b.create(`/p/${i}`, `${i}`);
      await b.create('/q/1', 'q');
      await b.delete('/p/4');
      const page = async (startAfter?: string) => {
        const res = await b.list('/p/', { limit: 2, startAfter });
        return { keys: res.items.map((i) => i.key), remaining: res.remaining, revision: res.revision };
      };
      expect(await page()).toEqual({ keys: ['/p/1', '/p/2'], remaining: 3, revision: r(8) });
      expect(await page('/p/2')).toEqual({ keys: ['/p/3', '/p/5'], remaining: 1, revision: r(8) });
      expect(await page('/p/5')).toEqual({ keys: ['/p/6'], remaining: 0, revision: r(8) });
      expect(await page('/p/6')).toEqual({ keys: [], remaining: 0, revision: r(8) });
      expect(await page('/a')).toEqual({ keys: ['/p/1', '/p/2'], remaining: 3, revision: r(8) });
    });

    it('reads lists and keys at a past revision', async () => {
      const b = await fresh();
      await b.create('/k/a', 'a1'); // 1
      await b.update('/k/a', 'a2', r(1)); // 2
      await b.create('/k/b', 'b1'); // 3
      await b.delete('/k/a'); // 4
      const at = async (revision: number) => b.list('/k/', { revision: r(revision) });
      expect(await at(1)).toEqual({ items: [kv('/k/a', 'a1', 1, 1)], revision: r(1), remaining: 0 });
      expect(await at(2)).toEqual({ items: [kv('/k/a', 'a2', 1, 2)], revision: r(2), remaining: 0 });
      expect((await at(3)).items).toEqual([kv('/k/a', 'a2', 1, 2), kv('/k/b', 'b1', 3, 3)]);
      expect((await at(4)).items).toEqual([kv('/k/b', 'b1', 3, 3)]);
      expect((await b.list('/k/', { revision: r(3), limit: 1 })).remaining).toBe(1);
      expect(await b.get('/k/a', { revision: r(1) })).toEqual(kv('/k/a', 'a1', 1, 1));
      expect(await b.get('/k/a', { revision: r(3) })).toEqual(kv('/k/a', 'a2', 1, 2));
      expect(await b.get('/k/a', { revision: r(4) })).toBeUndefined();
      expect(await b.get('/k/b', { revision: r(2) })).toBeUndefined();
    });

    it('watches from a revision with exact events and prevKv', async () => {
      const b = await fresh();
      const w = b.watch('/w/', { afterRevision: base });
      await b.create('/w/a', 'a1'); // 1
      await b.create('/other', 'x'); // 2
      await b.update('/w/a', 'a2', r(1)); // 3
      await b.delete('/w/a', r(3)); // 4
      const events = await collect(w, 3);
      expect(events).toEqual([
        { type: 'create', revision: r(1), kv: kv('/w/a', 'a1', 1, 1) },
        { type: 'update', revision: r(3), kv: kv('/w/a', 'a2', 1, 3), prevKv: kv('/w/a', 'a1', 1, 1) },
        { type: 'delete', revision: r(4), kv: kv('/w/a', 'a2', 1, 4), prevKv: kv('/w/a', 'a2', 1, 3) },
      ]);
    });

    it('replays history and continues live without gaps or duplicates', async () => {
      const b = await fresh();
      for (let i = 1; i <= 5; i++) await b.create(`/r/${i}`, `${i}`);
      const w = b.watch('/r/', { afterRevision: r(2) });
      const live = (async () => {
        for (let i = 6; i <= 8; i++) await b.create(`/r/${i}`, `${i}`);
      })();
      const events = await collect(w, 6);
      await live;
      expect(events.map((e) => e.revision)).toEqual([3, 4, 5, 6, 7, 8].map(r));
      expect(events.every((e) => e.type === 'create')).toBe(true);
    });

    it('starts a watch in the middle of a write burst without gaps or duplicates', async () => {
      const b = await fresh();
      const writes = Array.from({ length: 300 }, (_, i) => b.create(`/burst/${i}`, `${i}`));
      await writes[49];
      const from = await b.currentRevision();
      const w = b.watch('/burst/', { afterRevision: r(10) });
      const more = Array.from({ length: 100 }, (_, i) => b.create(`/burst/late-${i}`, `${i}`));
      await Promise.all([...writes, ...more]);
      expect(from).toBeGreaterThanOrEqual(r(50));
      const events = await collect(w, 390);
      expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 390 }, (_, i) => r(i + 11)));
    });

    it('fails a replaying watch when compaction overtakes it', async () => {
      // etcd pushes a replay on its own schedule (1000 revisions per 100 ms sync), so batches it
      // sent before the compaction may still arrive first; a longer backlog there keeps the
      // compaction ahead of the replay however slow the machine. Others fail on the next read.
      const backlog = contract.sharedRevisions ? 6000 : 2500;
      const b = await fresh();
      for (let from = 0; from < backlog; from += 500) {
        await Promise.all(Array.from({ length: 500 }, (_, i) => b.create(`/big/${String(from + i).padStart(4, '0')}`, 'v')));
      }
      const it = b.watch('/big/', { afterRevision: base })[Symbol.asyncIterator]();
      const first = await it.next();
      expect(first.done).toBe(false);
      expect((first.value as WatchEvent[])[0]!.revision).toBe(r(1));
      await b.compact(r(backlog - 100));
      let last = (first.value as WatchEvent[]).at(-1)!.revision;
      let error: unknown;
      for (;;) {
        const next = await it.next().catch((e: unknown) => ((error = e), undefined));
        if (!next || next.done) break;
        expect(contract.sharedRevisions).toBe(true);
        expect(next.value[0]!.revision).toBe(last + 1);
        last = next.value.at(-1)!.revision;
      }
      expect(isStorageError(error, 'Compacted'), String(error)).toBe(true);
      expect(last).toBeLessThan(r(backlog));
    }, 60_000);

    it('delivers only later events when watching from the current or a future revision', async () => {
      const b = await fresh();
      await b.create('/f/1', '1');
      const now = b.watch('/f/', { afterRevision: r(1) });
      const future = b.watch('/f/', { afterRevision: r(3) });
      for (let i = 2; i <= 4; i++) await b.create(`/f/${i}`, `${i}`);
      expect((await collect(now, 3)).map((e) => e.revision)).toEqual([2, 3, 4].map(r));
      expect((await collect(future, 1)).map((e) => e.revision)).toEqual([r(4)]);
    });

    it('drops a watcher that overflows its buffer while writers and other watchers continue', async () => {
      const b = await fresh({ watchBufferSize: 5 });
      const slow = b.watch('/s/', { afterRevision: base });
      const fast = b.watch('/s/', { afterRevision: base });
      const seen: number[] = [];
      const reader = (async () => {
        for await (const batch of fast) {
          seen.push(...batch.map((e) => e.revision));
          if (seen.length >= 20) break;
        }
      })();
      for (let i = 1; i <= 20; i++) {
        await b.create(`/s/${i}`, `${i}`);
        await waitFor(() => seen.length >= i); // the fast reader keeps up; the slow one never reads
      }
      await reader;
      expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => r(i + 1)));
      const dropped = await drain(slow);
      expect(isStorageError(dropped.error, 'WatcherTooSlow')).toBe(true);
      expect(await b.currentRevision()).toBe(r(20));
    });

    it('refuses reads and watches below the compacted revision', async () => {
      const b = await fresh();
      await b.create('/c/a', 'a1'); // 1
      await b.update('/c/a', 'a2', r(1)); // 2
      await b.create('/c/b', 'b1'); // 3
      await b.delete('/c/b'); // 4
      await b.create('/c/d', 'd1'); // 5
      await b.compact(r(4));
      expect(await b.compactedRevision()).toBe(r(4));
      await expectCode(b.list('/c/', { revision: r(3) }), 'Compacted');
      await expectCode(b.get('/c/a', { revision: r(2) }), 'Compacted');
      expect(isStorageError((await drain(b.watch('/c/', { afterRevision: r(3) }))).error, 'Compacted')).toBe(true);
      expect((await b.list('/c/', { revision: r(4) })).items).toEqual([kv('/c/a', 'a2', 1, 2)]);
      expect((await b.list('/c/')).items).toEqual([kv('/c/a', 'a2', 1, 2), kv('/c/d', 'd1', 5, 5)]);
      const w = b.watch('/c/', { afterRevision: r(4) });
      await b.update('/c/a', 'a3', r(2)); // 6
      expect(await collect(w, 2)).toEqual([
        { type: 'create', revision: r(5), kv: kv('/c/d', 'd1', 5, 5) },
        { type: 'update', revision: r(6), kv: kv('/c/a', 'a3', 1, 6), prevKv: kv('/c/a', 'a2', 1, 2) },
      ]);
      await b.compact(r(2)); // already compacted: no-op
      expect(await b.compactedRevision()).toBe(r(4));
      await expect(b.compact(r(99))).rejects.toThrow(/newer than the current revision/);
      expect(await b.create('/c/b', 'b2')).toEqual(kv('/c/b', 'b2', 7, 7));
    });

    it('ends a watch normally when its signal aborts or it is closed', async () => {
      const b = await fresh();
      const ctl = new AbortController();
      const w = b.watch('/x/', { afterRevision: base, signal: ctl.signal });
      const done = drain(w);
      await b.create('/x/1', '1');
      ctl.abort();
      const r = await done;
      expect(r.error).toBeUndefined();
      expect(r.events.length).toBeLessThanOrEqual(1);
      const w2 = b.watch('/x/', { afterRevision: base });
      const done2 = drain(w2);
      w2.close();
      expect((await done2).error).toBeUndefined();
    });

    it('lets exactly one of several concurrent writes from the same base win', async () => {
      const b = await fresh();
      await b.create('/cc', 'base');
      const updates = await Promise.allSettled([1, 2, 3, 4, 5].map((i) => b.update('/cc', `v${i}`, r(1))));
      const won = updates.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      const winner = (won[0] as PromiseFulfilledResult<unknown>).value;
      expect(winner).toEqual(kv('/cc', (winner as { value: string }).value, 1, 2));
      for (const r of updates.filter((u) => u.status === 'rejected')) {
        const reason = (r as PromiseRejectedResult).reason;
        expect(isStorageError(reason, 'Conflict') && reason.current).toEqual(winner);
      }
      const creates = await Promise.allSettled([1, 2, 3].map((i) => b.create('/new', `${i}`)));
      expect(creates.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(await b.currentRevision()).toBe(r(3));
    });

    it('gives concurrent independent writes distinct consecutive revisions', async () => {
      const b = await fresh();
      const made = await Promise.all(Array.from({ length: 50 }, (_, i) => b.create(`/m/${i}`, `${i}`)));
      expect(made.map((m) => m.modRevision).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => r(i + 1)));
      expect(await b.count('/m/')).toBe(50);
    });

    it('refuses every call after close', async () => {
      const b = await fresh();
      await b.create('/a', '1');
      const w = b.watch('/', { afterRevision: r(1) });
      await b.close();
      await expectCode(b.get('/a'), 'Closed');
      await expectCode(b.create('/b', '1'), 'Closed');
      expect(isStorageError((await drain(w)).error, 'Closed')).toBe(true);
    });
  });
}
