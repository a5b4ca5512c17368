import { describe, expect, it } from 'vitest';
import { isStorageError, type WatchEvent } from './backend.ts';
import { Broadcaster } from './broadcaster.ts';

const ev = (revision: number, key = `/k/${revision}`): WatchEvent => ({
  type: 'create',
  revision,
  kv: { key, value: 'v', createRevision: revision, modRevision: revision },
});

describe('Broadcaster', () => {
  it('delivers each published batch whole, in order, filtered by prefix', async () => {
    const b = new Broadcaster();
    const sub = b.subscribe({ prefix: '/k/' });
    b.publish([ev(1), ev(2, '/other'), ev(3)]);
    b.publish([ev(4, '/other')]);
    b.publish([ev(5)]);
    expect((await sub.next())!.map((e) => e.revision)).toEqual([1, 3]);
    expect((await sub.next())!.map((e) => e.revision)).toEqual([5]);
  });

  it('drops an overflowing subscriber without affecting the others or the publisher', async () => {
    const b = new Broadcaster({ bufferSize: 3 });
    const slow = b.subscribe({ prefix: '' });
    const roomy = b.subscribe({ prefix: '', bufferSize: 10 });
    b.publish([ev(1), ev(2)]);
    b.publish([ev(3), ev(4)]); // slow would hold 4 > 3
    expect(b.subscriberCount).toBe(1);
    const err = await slow.next().catch((e: unknown) => e);
    expect(isStorageError(err, 'WatcherTooSlow')).toBe(true);
    expect((await roomy.next())!.length).toBe(2);
    expect((await roomy.next())!.length).toBe(2);
  });

  it('counts only unread events against the buffer', async () => {
    const b = new Broadcaster({ bufferSize: 2 });
    const sub = b.subscribe({ prefix: '' });
    for (let r = 1; r <= 10; r++) {
      b.publish([ev(r)]);
      expect((await sub.next())![0]!.revision).toBe(r);
    }
  });

  it('ends normally on abort after a pending read and fails everyone on close', async () => {
    const b = new Broadcaster();
    const ctl = new AbortController();
    const sub = b.subscribe({ prefix: '', signal: ctl.signal });
    const pending = sub.next();
    ctl.abort();
    expect(await pending).toBeUndefined();
    expect(b.subscriberCount).toBe(0);
    const other = b.subscribe({ prefix: '' });
    b.close(new (await import('./backend.ts')).StorageError('Closed', 'Watch failed: the store is closed'));
    expect(isStorageError(await other.next().catch((e: unknown) => e), 'Closed')).toBe(true);
    expect(isStorageError(await b.subscribe({ prefix: '' }).next().catch((e: unknown) => e), 'Closed')).toBe(true);
  });
});
