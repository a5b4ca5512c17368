import { describe, expect, it } from 'vitest';
import { credentialHeaders, credentialsOf, redialDelayMs, serverEndpoint, tunnelGroups, tunnelServerName } from './tunnel-protocol.ts';

describe('tunnel protocol', () => {
  it('groups nodes in order, the last group holding the rest', () => {
    expect(tunnelGroups(['a', 'b', 'c', 'd', 'e'], 2)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(tunnelGroups(['a'])).toEqual([['a']]);
    expect(tunnelGroups([])).toEqual([]);
  });

  it('carries a group credentials in Authorization and one header, and reads them back in order', () => {
    expect(credentialHeaders(['t1'])).toEqual({ authorization: 'Bearer t1' });
    const headers = credentialHeaders(['t1', 't2', 't3']);
    expect(headers).toEqual({ authorization: 'Bearer t1', 'x-k8ts-node-credentials': 't2, t3' });
    expect(credentialsOf(headers)).toEqual(['t1', 't2', 't3']);
    expect(credentialsOf({})).toEqual([]);
    expect(credentialsOf({ authorization: 'Basic abc' })).toEqual([]);
  });

  it('backs off from 0.5 s, doubling to 30 s', () => {
    expect([0, 1, 2, 3, 7, 20].map(redialDelayMs)).toEqual([0, 500, 1000, 2000, 30_000, 30_000]);
  });

  it('names a server by its address, a wildcard host by the machine', () => {
    expect(tunnelServerName('10.0.0.5:6443', 'cp-1')).toBe('10.0.0.5:6443');
    expect(tunnelServerName('0.0.0.0:6443', 'cp-1')).toBe('cp-1:6443');
    expect(tunnelServerName('[::]:6443', 'cp-1')).toBe('cp-1:6443');
    expect(tunnelServerName('server-a', 'cp-1')).toBe('server-a');
  });
});

describe('serverEndpoint', () => {
  it.each([
    ['10.0.0.5:6443', { host: '10.0.0.5', port: 6443 }],
    ['cp-1:6443', { host: 'cp-1', port: 6443 }],
    ['[::1]:6444', { host: '::1', port: 6444 }],
    ['server-a', undefined],
    ['host:0', undefined],
    ['host:70000', undefined],
    ['a:b:6443', undefined],
  ])('%s → %j', (name, want) => {
    expect(serverEndpoint(name)).toEqual(want);
  });
});
