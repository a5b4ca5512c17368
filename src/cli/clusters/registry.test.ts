import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkClusterName, clusterDataDir, contextName, readClusterRecord, readRegistry, recordedArgs, register, unregister, withArg, writeClusterRecord } from './registry.ts';

describe('recordedArgs', () => {
  const cases: { argv: string[]; kept: string[] }[] = [
    { argv: [], kept: [] },
    { argv: ['--workers', '3', '-v'], kept: ['--workers', '3', '-v'] },
    { argv: ['--name', 'a', '--data-dir', 'x', '--workers', '3'], kept: ['--workers', '3'] },
    { argv: ['--token=secret', '--port', '7000', '--merge-kubeconfig'], kept: ['--port', '7000'] },
    { argv: ['--data-dir=x', '--time-scale', '60', '--token', 's'], kept: ['--time-scale', '60'] },
  ];
  it.each(cases)('$argv → $kept', ({ argv, kept }) => expect(recordedArgs(argv)).toEqual(kept));
});

describe('withArg', () => {
  it.each([
    [[], ['--port', '7']],
    [['--port', '1', '-v'], ['-v', '--port', '7']],
    [['--port=1', '--workers', '2'], ['--workers', '2', '--port', '7']],
  ])('%j → %j', (args, want) => expect(withArg(args, '--port', '7')).toEqual(want));
});

describe('names', () => {
  it.each(['a', 'dev-1', 'x'.repeat(63)])('accepts %s', (n) => expect(checkClusterName(n)).toBe(n));
  it.each(['', 'Dev', '-a', 'a-', 'a_b', 'x'.repeat(64), '../etc'])('refuses %j', (n) => expect(() => checkClusterName(n)).toThrow(/invalid cluster name/));
  it('names contexts as kind does, the unnamed cluster keeping k8ts', () => {
    expect(contextName('k8ts')).toBe('k8ts');
    expect(contextName('dev')).toBe('k8ts-dev');
  });
});

describe('records and the registry', () => {
  let home = '';
  afterEach(() => rmSync(home, { recursive: true, force: true }));
  const fresh = () => (home = mkdtempSync(join(tmpdir(), 'k8ts-home-')));

  it('keeps a record in the data dir and ignores a damaged one', () => {
    const dir = join(fresh(), 'c');
    writeClusterRecord(dir, { name: 'dev', args: ['--workers', '1'], createdAt: 't' });
    expect(readClusterRecord(dir)).toEqual({ name: 'dev', args: ['--workers', '1'], createdAt: 't' });
    writeFileSync(join(dir, 'cluster.json'), '{');
    expect(readClusterRecord(dir)).toBeUndefined();
  });

  it('registers data dirs once each, drops the vanished, and finds clusters by name', () => {
    fresh();
    const a = join(home, 'clusters', 'a');
    const b = join(home, 'elsewhere');
    mkdirSync(a, { recursive: true });
    mkdirSync(b, { recursive: true });
    register({ name: 'a', dataDir: a }, home);
    register({ name: 'b', dataDir: b }, home);
    register({ name: 'b', dataDir: b }, home);
    expect(readRegistry(home)).toEqual([{ name: 'a', dataDir: a }, { name: 'b', dataDir: b }]);
    expect(clusterDataDir({ name: 'b' }, home)).toBe(b);
    expect(clusterDataDir({ name: 'new' }, home)).toBe(join(home, 'clusters', 'new'));
    expect(clusterDataDir({ dataDir: 'x', name: 'b' }, home)).toBe(resolve('x'));
    expect(clusterDataDir({}, home)).toBe(resolve('.k8ts'));
    rmSync(a, { recursive: true });
    register({ name: 'c', dataDir: b }, home);
    expect(readRegistry(home)).toEqual([{ name: 'c', dataDir: b }]);
    unregister(b, home);
    expect(readRegistry(home)).toEqual([]);
  });

  it('asks for --data-dir when two clusters share a name', () => {
    fresh();
    for (const d of ['p', 'q']) {
      mkdirSync(join(home, d));
      register({ name: 'same', dataDir: join(home, d) }, home);
    }
    expect(() => clusterDataDir({ name: 'same' }, home)).toThrow(/several clusters are named "same" .*: pass --data-dir/);
  });
});
