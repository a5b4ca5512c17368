import { describe, expect, it } from 'vitest';
import { describeDatastore, parseDatastore, type DatastoreSpec } from './datastore-url.ts';

describe('parseDatastore', () => {
  it.each<[string, DatastoreSpec]>([
    ['memory', { kind: 'memory' }],
    ['sqlite', { kind: 'sqlite', path: '/data/state.db' }],
    ['sqlite:/var/lib/k8ts/s.db', { kind: 'sqlite', path: '/var/lib/k8ts/s.db' }],
    ['sqlite:/tmp/../tmp/x.db', { kind: 'sqlite', path: '/tmp/x.db' }],
    ['etcd://127.0.0.1:2379', { kind: 'etcd', endpoints: ['http://127.0.0.1:2379'] }],
    ['etcd://etcd-0', { kind: 'etcd', endpoints: ['http://etcd-0:2379'] }],
    ['etcd://a:1,b:2,[::1]:3', { kind: 'etcd', endpoints: ['http://a:1', 'http://b:2', 'http://[::1]:3'] }],
    ['etcd://h:2379/', { kind: 'etcd', endpoints: ['http://h:2379'] }],
    ['etcd://h:2379/cluster-a/', { kind: 'etcd', endpoints: ['http://h:2379'], prefix: '/cluster-a' }],
    ['etcd://root:p%40ss:w@h:2379', { kind: 'etcd', endpoints: ['http://h:2379'], auth: { username: 'root', password: 'p@ss:w' } }],
    ['etcds://h:2379', { kind: 'etcd', endpoints: ['https://h:2379'], tls: {} }],
    [
      'etcds://u:p@h1:2379,h2:2379/k8ts?ca=/pki/ca.crt&cert=/pki/c.crt&key=/pki/c.key',
      {
        kind: 'etcd',
        endpoints: ['https://h1:2379', 'https://h2:2379'],
        prefix: '/k8ts',
        auth: { username: 'u', password: 'p' },
        tls: { caFile: '/pki/ca.crt', certFile: '/pki/c.crt', keyFile: '/pki/c.key' },
      },
    ],
  ])('%s', (value, want) => {
    expect(parseDatastore(value, { dataDir: '/data' })).toEqual(want);
  });

  it.each([
    ['sqlite', undefined, /needs a data dir/],
    ['sqlite:', '/d', /needs a file path/],
    ['postgres://h', '/d', /not one of sqlite, sqlite:<path>, memory/],
    ['etcd://', '/d', /no etcd host/],
    ['etcd://h:99999', '/d', /no valid port/],
    ['etcd://h:x', '/d', /not host or host:port/],
    ['etcd://user@h', '/d', /user:password@/],
    ['etcd://h?ca=/x', '/d', /use etcds:\/\/ for TLS/],
    ['etcds://h?cafile=/x', '/d', /unknown parameter "cafile"/],
    ['etcds://h?cert=/c', '/d', /cert and key go together/],
    ['etcds://u:secret@h?nope=1', '/d', /^Datastore "etcds:\/\/u:\*\*\*@h\?nope=1"/],
  ])('refuses %s', (value, dataDir, why) => {
    expect(() => parseDatastore(value, { dataDir })).toThrow(why);
  });

  it('describes a datastore without its password', () => {
    expect(describeDatastore(parseDatastore('etcd://u:secret@h/x'))).toBe('etcd u@http://h:2379 under /x');
  });
});
