import { describe, expect, it } from 'vitest';
import { boundKind, defaultSpec, lifetime, validateSpec } from './token-request-spec.ts';

const API = ['https://kubernetes.default.svc.cluster.local'];

describe('TokenRequest spec', () => {
  it('defaults to an hour for the API server', () => {
    expect(defaultSpec({}, API)).toEqual({ audiences: API, expirationSeconds: 3600 });
    expect(defaultSpec({ audiences: [], expirationSeconds: 900 }, API)).toEqual({ audiences: API, expirationSeconds: 900 });
    expect(defaultSpec({ audiences: ['vault'] }, API).audiences).toEqual(['vault']);
  });

  it.each([
    [600, []],
    [599, ['may not specify a duration less than 10 minutes']],
    [2 ** 32, []],
    [2 ** 32 + 1, ['may not specify a duration larger than 2^32 seconds']],
  ])('expirationSeconds %d', (seconds, want) => {
    expect(validateSpec({ expirationSeconds: seconds }).map((e) => e.detail)).toEqual(want);
  });

  it.each([
    [{ kind: 'Pod', apiVersion: 'v1' }, { kind: 'Pod' }],
    [{ kind: 'Secret', apiVersion: 'v1' }, { kind: 'Secret' }],
    [{ kind: 'Node', apiVersion: 'v1' }, { kind: 'Node' }],
    [{ kind: 'ConfigMap', apiVersion: 'v1' }, { error: 'cannot bind token to object of type /v1, Kind=ConfigMap' }],
    [{ kind: 'Deployment', apiVersion: 'apps/v1' }, { error: 'cannot bind token to object of type apps/v1, Kind=Deployment' }],
  ])('binds to %j', (ref, want) => {
    expect(boundKind(ref)).toEqual(want);
  });

  const life = { maxExpirationSeconds: 0, extendExpiration: true, podBound: true, audiences: API, apiAudiences: API };
  it.each([
    { name: 'plain', o: { expirationSeconds: 3600 }, want: { expirationSeconds: 3600, tokenSeconds: 3600, warnAfterSeconds: 0 } },
    { name: "kubelet's pod token is extended", o: { expirationSeconds: 3607 }, want: { expirationSeconds: 3607, tokenSeconds: 31_536_000, warnAfterSeconds: 3607 } },
    { name: 'not for a token of another audience', o: { expirationSeconds: 3607, audiences: ['vault'] }, want: { tokenSeconds: 3607, warnAfterSeconds: 0 } },
    { name: 'not for an unbound token', o: { expirationSeconds: 3607, podBound: false }, want: { tokenSeconds: 3607 } },
    { name: 'not when turned off', o: { expirationSeconds: 3607, extendExpiration: false }, want: { tokenSeconds: 3607 } },
    { name: 'shortened to the maximum', o: { expirationSeconds: 7200, maxExpirationSeconds: 3600 }, want: { expirationSeconds: 3600, tokenSeconds: 3600, warning: 'requested expiration of 7200 seconds shortened to 3600 seconds' } },
  ])('lifetime: $name', ({ o, want }) => {
    expect(lifetime({ ...life, ...o })).toMatchObject(want);
  });
});
