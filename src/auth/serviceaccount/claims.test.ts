import { describe, expect, it } from 'vitest';
import { buildClaims, type ClaimsInput } from './claims.ts';

const NOW = Date.UTC(2026, 0, 1);
const T = NOW / 1000;
const base: ClaimsInput = {
  issuer: 'https://kubernetes.default.svc.cluster.local',
  serviceAccount: { namespace: 'ns', name: 'sa', uid: 'sa-uid' },
  audiences: ['https://kubernetes.default.svc.cluster.local'],
  expirationSeconds: 600,
  now: NOW,
  jti: 'j-1',
};

describe('buildClaims', () => {
  const cases: { name: string; input: Partial<ClaimsInput>; want: Record<string, unknown> }[] = [
    { name: 'account only', input: {}, want: { namespace: 'ns', serviceaccount: { name: 'sa', uid: 'sa-uid' } } },
    {
      name: 'pod with its node',
      input: { pod: { name: 'p', uid: 'p-uid' }, node: { name: 'n', uid: 'n-uid' } },
      want: { namespace: 'ns', node: { name: 'n', uid: 'n-uid' }, pod: { name: 'p', uid: 'p-uid' }, serviceaccount: { name: 'sa', uid: 'sa-uid' } },
    },
    { name: 'pod on a node that is gone: name only', input: { pod: { name: 'p', uid: 'p-uid' }, node: { name: 'n' } }, want: { namespace: 'ns', node: { name: 'n' }, pod: { name: 'p', uid: 'p-uid' }, serviceaccount: { name: 'sa', uid: 'sa-uid' } } },
    { name: 'secret', input: { secret: { name: 's', uid: 's-uid' } }, want: { namespace: 'ns', secret: { name: 's', uid: 's-uid' }, serviceaccount: { name: 'sa', uid: 'sa-uid' } } },
    { name: 'node', input: { node: { name: 'n', uid: 'n-uid' } }, want: { namespace: 'ns', node: { name: 'n', uid: 'n-uid' }, serviceaccount: { name: 'sa', uid: 'sa-uid' } } },
    { name: 'warn after', input: { warnAfterSeconds: 3607 }, want: { namespace: 'ns', serviceaccount: { name: 'sa', uid: 'sa-uid' }, warnafter: T + 3607 } },
  ];
  it.each(cases)('$name', (c) => {
    const claims = buildClaims({ ...base, ...c.input });
    expect(claims['kubernetes.io']).toEqual(c.want);
    // Keys in upstream's (sorted) order, so the payload reads as a real cluster's.
    expect(Object.keys(claims['kubernetes.io'])).toEqual(Object.keys(c.want).sort());
  });

  it('stamps the registered claims', () => {
    const claims = buildClaims(base);
    expect(claims).toMatchObject({ aud: base.audiences, iat: T, nbf: T, exp: T + 600, iss: base.issuer, jti: 'j-1', sub: 'system:serviceaccount:ns:sa' });
    expect(Object.keys(claims)).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'kubernetes.io', 'nbf', 'sub']);
  });
});
