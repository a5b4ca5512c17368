import { describe, expect, it } from 'vitest';
import { buildClaims, type ClaimsInput } from './claims.ts';
import { checkBoundObjects, checkClaims, userOf, type BoundObjects } from './validate.ts';

const ISS = 'https://kubernetes.default.svc.cluster.local';
const NOW = Date.UTC(2026, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString();
const claims = (o: Partial<ClaimsInput> = {}) =>
  buildClaims({ issuer: ISS, serviceAccount: { namespace: 'ns', name: 'sa', uid: 'sa-1' }, audiences: [ISS], expirationSeconds: 3600, now: NOW, jti: 'j', ...o });
const obj = (uid: string, deletedAt?: number) => ({ metadata: { uid, ...(deletedAt !== undefined ? { deletionTimestamp: iso(deletedAt) } : {}) } });

describe('checkClaims', () => {
  const cases: { name: string; payload: unknown; at?: number; want: string | 'ok' }[] = [
    { name: 'valid', payload: claims(), want: 'ok' },
    { name: 'another issuer', payload: { ...claims(), iss: 'https://elsewhere' }, want: 'token issuer is not accepted' },
    { name: 'another audience', payload: claims({ audiences: ['vault'] }), want: 'token audiences ["vault"] is invalid for the target audiences ["https://kubernetes.default.svc.cluster.local"]' },
    { name: 'no audience', payload: { ...claims(), aud: [] }, want: 'token audiences [] is invalid' },
    { name: 'audience as a string', payload: { ...claims(), aud: ISS }, want: 'ok' },
    { name: 'expired beyond the leeway', payload: claims(), at: NOW + 3600_000 + 61_000, want: 'service account token has expired' },
    { name: 'expired within the leeway', payload: claims(), at: NOW + 3600_000 + 59_000, want: 'ok' },
    { name: 'not valid yet', payload: claims({ now: NOW + 120_000 }), want: 'service account token is not valid yet' },
    { name: 'no kubernetes.io claim', payload: { ...claims(), 'kubernetes.io': undefined }, want: 'missing kubernetes.io claim' },
    { name: 'subject of another account', payload: { ...claims(), sub: 'system:serviceaccount:ns:other' }, want: 'subject does not match' },
  ];
  it.each(cases)('$name', (c) => {
    const r = checkClaims(c.payload, { issuers: [ISS], audiences: [ISS], now: c.at ?? NOW });
    if (c.want === 'ok') expect(r).toMatchObject({ ok: true });
    else expect(r.ok ? 'ok' : r.reason).toContain(c.want);
  });
});

describe('checkBoundObjects', () => {
  const pod = { name: 'p', uid: 'p-1' };
  const cases: { name: string; input?: Partial<ClaimsInput>; objects: BoundObjects; want: string | 'ok' }[] = [
    { name: 'account exists', objects: { serviceAccount: obj('sa-1') }, want: 'ok' },
    { name: 'account deleted', objects: {}, want: 'serviceaccounts "sa" not found' },
    { name: 'account recreated with another UID', objects: { serviceAccount: obj('sa-2') }, want: 'service account UID (sa-2) does not match claim (sa-1)' },
    { name: 'account deleted long ago, held by a finalizer', objects: { serviceAccount: obj('sa-1', NOW - 61_000) }, want: 'service account ns/sa has been deleted' },
    { name: 'account being deleted just now', objects: { serviceAccount: obj('sa-1', NOW - 10_000) }, want: 'ok' },
    { name: 'bound pod exists', input: { pod }, objects: { serviceAccount: obj('sa-1'), pod: obj('p-1') }, want: 'ok' },
    { name: 'bound pod deleted', input: { pod }, objects: { serviceAccount: obj('sa-1') }, want: 'service account token has been invalidated' },
    { name: 'bound pod recreated', input: { pod }, objects: { serviceAccount: obj('sa-1'), pod: obj('p-2') }, want: 'pod UID (p-2) does not match service account pod ref claim (p-1)' },
    { name: 'bound secret deleted', input: { secret: { name: 's', uid: 's-1' } }, objects: { serviceAccount: obj('sa-1') }, want: 'service account token has been invalidated' },
    { name: 'bound secret recreated', input: { secret: { name: 's', uid: 's-1' } }, objects: { serviceAccount: obj('sa-1'), secret: obj('s-2') }, want: 'secret UID (s-2) does not match service account secret ref claim (s-1)' },
    { name: 'bound node deleted', input: { node: { name: 'n', uid: 'n-1' } }, objects: { serviceAccount: obj('sa-1') }, want: 'service account token has been invalidated' },
    { name: 'pod token: its node is not checked', input: { pod, node: { name: 'n', uid: 'n-1' } }, objects: { serviceAccount: obj('sa-1'), pod: obj('p-1') }, want: 'ok' },
  ];
  it.each(cases)('$name', (c) => {
    const r = checkBoundObjects(claims(c.input), c.objects, NOW);
    if (c.want === 'ok') expect(r).toMatchObject({ ok: true });
    else expect(r.ok ? 'ok' : r.reason).toBe(c.want);
  });

  it('names the account, pod, node and token ID as upstream', () => {
    const r = checkBoundObjects(claims({ pod: { name: 'p', uid: 'p-1' }, node: { name: 'n', uid: 'n-1' }, jti: 'abc' }), { serviceAccount: obj('sa-1'), pod: obj('p-1') }, NOW);
    expect(r.ok && userOf(r.value)).toEqual({
      username: 'system:serviceaccount:ns:sa',
      uid: 'sa-1',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:ns', 'system:authenticated'],
      extra: {
        'authentication.kubernetes.io/credential-id': ['JTI=abc'],
        'authentication.kubernetes.io/node-name': ['n'],
        'authentication.kubernetes.io/node-uid': ['n-1'],
        'authentication.kubernetes.io/pod-name': ['p'],
        'authentication.kubernetes.io/pod-uid': ['p-1'],
      },
    });
  });
});
