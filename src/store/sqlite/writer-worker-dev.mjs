// Starts the SQLite writer thread from TypeScript sources (tests, benchmarks): registers tsx in
// this thread, then loads the worker. Built bundles run dist/sqlite-writer.mjs instead.
import { register } from 'tsx/esm/api';

register();
await import('./writer-worker.ts');
