// A watcher that stops reading is dropped once it falls a bounded number of events behind; the
// writer and other watchers carry on, and the dropped client can re-watch from its last revision.
import { describe, expect, it } from 'vitest';
import { watchObjects } from '../../src/registry/watch.ts';
import { configMap, startTestCluster } from './helpers.ts';

describe('slow watchers', () => {
  it('are dropped after falling behind, without losing anything for the next watch', async () => {
    const c = await startTestCluster({ controllers: false });
    try {
      const store = c.registry.get('', 'v1', 'configmaps')!;
      const rv = (await c.call('GET', '/api/v1/namespaces/default/configmaps')).json.metadata.resourceVersion;
      const stalled = await watchObjects(store, 'default', { resourceVersion: rv, bufferEvents: 50 });
      const healthy = await watchObjects(store, 'default', { resourceVersion: rv, bufferEvents: 1000 });
      for (let i = 0; i < 120; i++) expect((await c.call('POST', '/api/v1/namespaces/default/configmaps', configMap(`s${i}`))).status).toBe(201);
      // The healthy watcher sees everything.
      let seen = 0;
      for await (const batch of healthy) {
        seen += batch.length;
        if (seen >= 120) break;
      }
      expect(seen).toBe(120);
      // The stalled one was dropped: reading it now ends with the overflow, holding nothing.
      expect(stalled.size).toBe(0);
      await expect((async () => {
        for await (const _ of stalled) void _;
      })()).rejects.toThrow(/behind/);
      // A new watch from the old revision replays all 120.
      const again = await watchObjects(store, 'default', { resourceVersion: rv });
      let replayed = 0;
      for await (const batch of again) {
        replayed += batch.length;
        if (replayed >= 120) break;
      }
      expect(replayed).toBe(120);
    } finally {
      await c.stop();
    }
  });
});
