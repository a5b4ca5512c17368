// Child process for the kill -9 test: 32 concurrent writers create and then update keys through
// the SQLite backend and print `<key> <modRevision>` only after each write is acknowledged.
// Usage: node --import tsx crash-writer.fixture.ts <db path>

import { openSqliteBackend } from './sqlite-backend.ts';

const path = process.argv[2];
if (!path) throw new Error('Crash writer failed: missing database path');
const backend = await openSqliteBackend({ path, compactIntervalMs: 0 });
const value = (i: number, n: number) => JSON.stringify({ i, n, pad: 'x'.repeat(250) });

let next = 0;
async function writer(): Promise<never> {
  for (;;) {
    const key = `/crash/${next++}`;
    let kv = await backend.create(key, value(0, 0));
    process.stdout.write(`${key} ${kv.modRevision}\n`);
    kv = await backend.update(key, value(0, 1), kv.modRevision);
    process.stdout.write(`${key} ${kv.modRevision}\n`);
  }
}

await Promise.all(Array.from({ length: 32 }, writer));
