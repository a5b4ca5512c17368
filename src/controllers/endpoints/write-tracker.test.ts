import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import type { Informer } from '../../client/informer.ts';
import { FakeClock } from '../../util/clock.ts';
import { WriteTracker } from './write-tracker.ts';

/** The parts of an informer the tracker reads: its revision and its cache. */
class Cache {
  resourceVersion = '10';
  readonly objects = new Map<string, KubeObject>();
  get(ns: string, name: string) {
    return this.objects.get(`${ns}/${name}`);
  }
  show(o: KubeObject) {
    this.objects.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
    this.resourceVersion = o.metadata.resourceVersion!;
  }
}

const obj = (name: string, rv: string, uid = `u-${name}`): KubeObject => ({ metadata: { name, namespace: 'demo', resourceVersion: rv, uid } });

describe('WriteTracker', () => {
  it('is stale until the informer reaches a write, and knows the echo of it', () => {
    const cache = new Cache();
    const t = new WriteTracker(cache as unknown as Informer, new FakeClock());
    const written = obj('web-abc', '12');
    t.wrote('demo/web', written);
    expect(t.stale('demo/web', 'demo')).toBe(true);
    expect(t.takeWaiting('demo/web')).toBe(true);
    expect(t.takeWaiting('demo/web')).toBe(false);
    cache.show(written);
    expect(t.isEcho(written, false)).toBe(true);
    expect(t.isEcho(obj('web-abc', '13'), false)).toBe(false);
    expect(t.stale('demo/web', 'demo')).toBe(false);
  });

  it('is stale until a deleted object leaves the cache', () => {
    const cache = new Cache();
    const t = new WriteTracker(cache as unknown as Informer, new FakeClock());
    const s = obj('web-abc', '9');
    cache.show(s);
    t.deleted('demo/web', s);
    expect(t.stale('demo/web', 'demo')).toBe(true);
    cache.objects.clear();
    expect(t.isEcho(s, true)).toBe(true);
    expect(t.stale('demo/web', 'demo')).toBe(false);
  });

  it('gives up waiting after its TTL', () => {
    const cache = new Cache();
    const clock = new FakeClock();
    const t = new WriteTracker(cache as unknown as Informer, clock, 1000);
    t.wrote('demo/web', obj('web-abc', '99'));
    expect(t.stale('demo/web', 'demo')).toBe(true);
    clock.advance(1001);
    expect(t.stale('demo/web', 'demo')).toBe(false);
  });

  it('a write the informer has already seen expects nothing', () => {
    const cache = new Cache();
    cache.resourceVersion = '20';
    const t = new WriteTracker(cache as unknown as Informer, new FakeClock());
    t.wrote('demo/web', obj('web-abc', '15'));
    expect(t.stale('demo/web', 'demo')).toBe(false);
  });
});
