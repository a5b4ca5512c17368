import { describe, expect, it } from 'vitest';
import { runBackendContract } from '../backend.contract.ts';
import { createMemoryBackend } from './memory-backend.ts';

runBackendContract('memory', async (opts) => createMemoryBackend({ compactIntervalMs: 0, ...opts }));

describe('memory backend compaction policy', () => {
  it('keeps the last retainMs of history and at least minRetainRevisions', async () => {
    let now = 0;
    const b = createMemoryBackend({ compactIntervalMs: 0, retainMs: 1000, minRetainRevisions: 2, clock: { now: () => now } });
    for (let i = 1; i <= 5; i++) await b.create(`/k/${i}`, 'v');
    expect(await b.compactNow()).toBe(0); // sample (t=0, rev 5); nothing is old enough yet
    for (let i = 6; i <= 10; i++) await b.create(`/k/${i}`, 'v');
    now = 1000;
    expect(await b.compactNow()).toBe(5); // the rev current 1 s ago
    expect(await b.compactedRevision()).toBe(5);
    now = 2000;
    expect(await b.compactNow()).toBe(8); // byAge 10, capped at 10 - 2
    await b.close();
  });
});
