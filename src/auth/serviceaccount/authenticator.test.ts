import { createHash, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { FakeClock } from '../../util/clock.ts';
import { createServiceAccountAuthenticator, type ObjectLookup } from './authenticator.ts';
import { generateServiceAccountKey, keyId } from './keys.ts';
import { createTokenIssuer, DEFAULT_ISSUER } from './token-issuer.ts';

const clock = new FakeClock();
const key = generateServiceAccountKey();
const objects = new Map<string, KubeObject>([['ServiceAccount/ns/sa', { metadata: { name: 'sa', namespace: 'ns', uid: 'sa-1' } }]]);
const lookup: ObjectLookup = async (kind, ns, name) => objects.get(`${kind}/${ns}/${name}`);
const issuer = createTokenIssuer({ privateKeyPem: key, issuer: DEFAULT_ISSUER, clock });
const authenticate = createServiceAccountAuthenticator({ publicKeyPems: [issuer.publicKeyPem], issuer: DEFAULT_ISSUER, lookup, clock });
const account = { serviceAccount: { namespace: 'ns', name: 'sa', uid: 'sa-1' }, audiences: [DEFAULT_ISSUER], expirationSeconds: 3600 };

const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

describe('service account tokens', () => {
  it('sign with ES256 and the key ID upstream derives from the public key', async () => {
    const { token } = await issuer.issue(account);
    const header = decode(token.split('.')[0]!);
    const der = createPublicKey(key).export({ type: 'spki', format: 'der' });
    expect(header).toEqual({ alg: 'ES256', kid: createHash('sha256').update(der).digest('base64url') });
    expect(header.kid).toBe(keyId(createPublicKey(key)));
  });

  it('authenticate as the account', async () => {
    const { token } = await issuer.issue(account);
    expect(await authenticate(token)).toMatchObject({ username: 'system:serviceaccount:ns:sa', uid: 'sa-1' });
  });

  it('leave tokens of other issuers and opaque tokens to other authenticators', async () => {
    const other = createTokenIssuer({ privateKeyPem: key, issuer: 'https://elsewhere', clock });
    expect(await authenticate((await other.issue(account)).token)).toBeUndefined();
    expect(await authenticate('an-admin-token')).toBeUndefined();
  });

  it('refuse a token signed by another key or altered', async () => {
    const forged = createTokenIssuer({ privateKeyPem: generateServiceAccountKey(), issuer: DEFAULT_ISSUER, clock });
    expect(await authenticate((await forged.issue(account)).token)).toBeUndefined();
    const [h, p, s] = (await issuer.issue(account)).token.split('.') as [string, string, string];
    const payload = decode(p);
    payload['kubernetes.io'].serviceaccount.name = 'admin';
    expect(await authenticate(`${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`)).toBeUndefined();
  });

  it('accept tokens of a second verification key (shared by the servers of a cluster)', async () => {
    const next = generateServiceAccountKey();
    const both = createServiceAccountAuthenticator({ publicKeyPems: [next, issuer.publicKeyPem], issuer: DEFAULT_ISSUER, lookup, clock });
    expect(await both((await issuer.issue(account)).token)).toMatchObject({ uid: 'sa-1' });
  });

  it('stop working once expired or once the account is gone', async () => {
    const { token } = await issuer.issue(account);
    objects.set('ServiceAccount/ns/sa', { metadata: { name: 'sa', namespace: 'ns', uid: 'sa-2' } });
    expect(await authenticate(token)).toBeUndefined();
    objects.set('ServiceAccount/ns/sa', { metadata: { name: 'sa', namespace: 'ns', uid: 'sa-1' } });
    clock.advance(3600_000 + 61_000);
    expect(await authenticate(token)).toBeUndefined();
  });
});
