// Signs service account tokens (kubernetes/kubernetes pkg/serviceaccount/jwt.go
// JWTTokenGenerator): compact JWS with the key's algorithm and `kid`, over the claims
// claims.ts builds. Every API server of a cluster is given the same private key.
import { createPublicKey, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Clock } from '../../util/clock.ts';
import { buildClaims, type ClaimsInput, type ServiceAccountClaims } from './claims.ts';
import { keyId, parsePrivateKey, signingAlgorithm } from './keys.ts';

/** kube-apiserver's default --service-account-issuer and API audience. */
export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface TokenIssuerOptions {
  privateKeyPem: string;
  issuer: string;
  clock: Clock;
}

export interface TokenIssuer {
  readonly issuer: string;
  /** The public half (SPKI PEM), for authenticators of this and other servers. */
  readonly publicKeyPem: string;
  /** Signs a token for the account (and bound object) in `claims`, stamped now with a fresh JTI. */
  issue(claims: Omit<ClaimsInput, 'issuer' | 'now' | 'jti'>): Promise<{ token: string; claims: ServiceAccountClaims }>;
}

export function createTokenIssuer(o: TokenIssuerOptions): TokenIssuer {
  const key = parsePrivateKey(o.privateKeyPem);
  const publicKey = createPublicKey(key);
  const header = { alg: signingAlgorithm(key), kid: keyId(publicKey) };
  return {
    issuer: o.issuer,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    async issue(input) {
      const claims = buildClaims({ ...input, issuer: o.issuer, now: o.clock.now(), jti: randomUUID() });
      const token = await new SignJWT(claims as unknown as Record<string, unknown>).setProtectedHeader(header).sign(key);
      return { token, claims };
    },
  };
}
