// Everything a server needs for service account tokens, built from one signing key: the issuer
// behind TokenRequest, the authenticator for the tokens it signed, and the pod admission that
// mounts them. The one place that wires src/auth/serviceaccount together.
import type { Registry } from '../../registry/registry.ts';
import type { Admission } from '../../registry/resource-store.ts';
import type { Clock } from '../../util/clock.ts';
import type { TokenAuthenticator } from '../authenticate.ts';
import { serviceAccountAdmission } from './admission.ts';
import { createServiceAccountAuthenticator } from './authenticator.ts';
import { registryLookup } from './lookup.ts';
import { createTokenIssuer, DEFAULT_ISSUER, type TokenIssuer } from './token-issuer.ts';
import { tokenRequestHandler, type TokenRequestHandler } from './token-request.ts';

export interface ServiceAccountTokensOptions {
  /** The cluster's signing key (PKCS#8 PEM), the same on every server of the cluster. */
  privateKeyPem: string;
  /** Further keys whose tokens are still accepted (a key being rotated out). */
  extraPublicKeyPems?: string[];
  /** Default https://kubernetes.default.svc.cluster.local; also the API server's audience. */
  issuer?: string;
  /** The registry the objects tokens name are read from (read at use). */
  registry: () => Registry;
  clock: Clock;
  log?: (m: string) => void;
}

export interface ServiceAccountTokens {
  issuer: TokenIssuer;
  authenticator: TokenAuthenticator;
  tokenRequest: TokenRequestHandler;
  /** ServiceAccount admission for pods; see admission.ts for `requireServiceAccount`. */
  admission(o: { requireServiceAccount: boolean }): Admission;
}

export function serviceAccountTokens(o: ServiceAccountTokensOptions): ServiceAccountTokens {
  const issuerUrl = o.issuer ?? DEFAULT_ISSUER;
  const audiences = [issuerUrl];
  const lookup = registryLookup(o.registry);
  const issuer = createTokenIssuer({ privateKeyPem: o.privateKeyPem, issuer: issuerUrl, clock: o.clock });
  return {
    issuer,
    authenticator: createServiceAccountAuthenticator({ publicKeyPems: [issuer.publicKeyPem, ...(o.extraPublicKeyPems ?? [])], issuer: issuerUrl, audiences, lookup, clock: o.clock, log: o.log }),
    tokenRequest: tokenRequestHandler({ issuer, audiences, lookup, clock: o.clock }),
    admission: ({ requireServiceAccount }) => serviceAccountAdmission({ lookup, clock: o.clock, requireServiceAccount }),
  };
}
