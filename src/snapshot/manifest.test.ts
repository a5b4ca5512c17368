import { describe, expect, it } from 'vitest';
import { allowedPath, checkSnapshotName, manifestProblems, SNAPSHOT_FORMAT } from './manifest.ts';

describe('allowedPath', () => {
  it.each([
    ['manifest.json', true],
    ['state.db', true],
    ['storage/pvc-1/data.bin', true],
    ['pki/ca.crt', true],
    ['token', true],
    ['clock.json', true],
    ['kubeconfig', false],
    ['k8ts.pid', false],
    ['../etc/passwd', false],
    ['/etc/passwd', false],
    ['storage/../../x', false],
    ['storage//x', false],
  ])('%s → %s', (p, ok) => expect(allowedPath(p)).toBe(ok));
});

describe('checkSnapshotName', () => {
  it.each(['before-upgrade', 'ci.42', 'A_1'])('accepts %s', (n) => expect(checkSnapshotName(n)).toBe(n));
  it.each(['', '.hidden', 'a/b', 'x'.repeat(129)])('refuses %j', (n) => expect(() => checkSnapshotName(n)).toThrow(/invalid snapshot name/));
});

describe('manifestProblems', () => {
  const db = { size: 10, sha256: 'aa' };
  const found = (entries: Record<string, { size: number; sha256: string }>) => new Map(Object.entries(entries));
  const manifest = (files: { path: string; size: number; sha256: string }[], format = SNAPSHOT_FORMAT) => ({ format, k8tsVersion: '0.1.0', files });
  const cases: { name: string; m: unknown; found: Map<string, { size: number; sha256: string }>; problems: string[] }[] = [
    { name: 'all files as listed', m: manifest([{ path: 'state.db', ...db }]), found: found({ 'state.db': db }), problems: [] },
    { name: 'no manifest', m: undefined, found: found({ 'state.db': db }), problems: ['the archive has no readable manifest.json'] },
    { name: 'a newer format', m: manifest([], SNAPSHOT_FORMAT + 1), found: found({}), problems: [`the snapshot was made by a newer k8ts (0.1.0, snapshot format ${SNAPSHOT_FORMAT + 1}; this k8ts reads format ${SNAPSHOT_FORMAT} and older)`] },
    { name: 'a file missing', m: manifest([{ path: 'state.db', ...db }, { path: 'token', size: 1, sha256: 'b' }]), found: found({ 'state.db': db }), problems: ['token is listed but missing'] },
    { name: 'a size that differs', m: manifest([{ path: 'state.db', ...db }]), found: found({ 'state.db': { size: 9, sha256: 'aa' } }), problems: ['state.db has 9 bytes, 10 listed'] },
    { name: 'a checksum that differs', m: manifest([{ path: 'state.db', ...db }]), found: found({ 'state.db': { size: 10, sha256: 'bb' } }), problems: ['state.db does not match its checksum'] },
    { name: 'an unlisted file', m: manifest([{ path: 'state.db', ...db }]), found: found({ 'state.db': db, token: { size: 1, sha256: 'c' } }), problems: ['token is in the archive but not in its manifest'] },
    { name: 'no datastore', m: manifest([]), found: found({}), problems: ['the snapshot holds no datastore (state.db)'] },
  ];
  it.each(cases)('$name', ({ m, found: f, problems }) => expect(manifestProblems(m, f)).toEqual(problems));
});
