import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FileProjection, timestampPrefix, validatePayloadPath, writeAtomic } from './atomic-writer.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atomic-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const payload = (entries: Record<string, string>, mode = 0o644) => new Map<string, FileProjection>(Object.entries(entries).map(([k, v]) => [k, { data: v, mode }]));

describe('validatePayloadPath', () => {
  it.each([
    ['..', "invalid path: must not contain '..': .."],
    ['..a/b', "invalid path: must not start with '..': ..a/b"],
    ['a/b/c', undefined],
    ['..', "invalid path: must not contain '..': .."],
    ['..a/b', "invalid path: must not start with '..': ..a/b"],
    ['', 'invalid path: must not be empty: ""'],
    ['/abs', 'invalid path: must be relative path: /abs'],
    ['a/../b', "invalid path: must not contain '..': a/../b"],
    ['..data', "invalid path: must not start with '..': ..data"],
    ['x'.repeat(256), 'invalid path: filenames must be less than or equal to 255 characters'],
  ])('%s', (p, want) => {
    expect(validatePayloadPath(p)).toBe(want);
  });
});

describe('writeAtomic', () => {
  it('names the timestamped directory as the kubelet does', () => {
    expect(timestampPrefix(new Date(Date.UTC(2024, 4, 1, 2, 3, 4)))).toBe('..2024_05_01_02_03_04.');
  });

  it('writes files behind ..data and visible symlinks', () => {
    expect(writeAtomic(dir, payload({ a: 'A', 'sub/b': 'B' }, 0o600), new Date(Date.UTC(2024, 0, 2, 3, 4, 5)))).toBe(true);
    const ts = readlinkSync(join(dir, '..data'));
    expect(ts.startsWith('..2024_01_02_03_04_05.')).toBe(true);
    expect(readlinkSync(join(dir, 'a'))).toBe('..data/a');
    expect(readlinkSync(join(dir, 'sub'))).toBe('..data/sub');
    expect(readFileSync(join(dir, 'sub/b'), 'utf8')).toBe('B');
    expect(statSync(join(dir, ts, 'a')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, ts)).mode & 0o777).toBe(0o755);
  });

  it('skips an unchanged payload, replaces a changed one and prunes removed paths', () => {
    writeAtomic(dir, payload({ a: 'A', b: 'B' }));
    const first = readlinkSync(join(dir, '..data'));
    expect(writeAtomic(dir, payload({ a: 'A', b: 'B' }))).toBe(false);
    expect(readlinkSync(join(dir, '..data'))).toBe(first);

    expect(writeAtomic(dir, payload({ a: 'A2' }))).toBe(true);
    const second = readlinkSync(join(dir, '..data'));
    expect(second).not.toBe(first);
    expect(existsSync(join(dir, first))).toBe(false);
    expect(readFileSync(join(dir, 'a'), 'utf8')).toBe('A2');
    expect(() => lstatSync(join(dir, 'b'))).toThrow();
    expect(readdirSync(dir).sort()).toEqual(['..data', second, 'a'].sort());
  });

  it('rejects an invalid path before writing anything', () => {
    expect(() => writeAtomic(dir, payload({ '../x': 'no' }))).toThrow("must not contain '..'");
    expect(readdirSync(dir)).toEqual([]);
  });
});
