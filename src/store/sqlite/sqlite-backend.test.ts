import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { runBackendContract } from '../backend.contract.ts';
import { openSqliteBackend } from './sqlite-backend.ts';

const dir = mkdtempSync(join(tmpdir(), 'k8ts-sqlite-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runBackendContract('sqlite', async (opts) => openSqliteBackend({ path: join(dir, `contract-${n++}.db`), compactIntervalMs: 0, ...opts }));
