// Authenticates bearer tokens this cluster issued to service accounts (kubernetes/kubernetes
// pkg/serviceaccount/jwt.go jwtTokenAuthenticator): a token whose issuer is not ours is left to
// the other authenticators; ours must carry a valid signature by one of the public keys, then
// pass validate.ts's checks against the objects as they are now.
import { compactVerify, decodeJwt, decodeProtectedHeader } from 'jose';
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../util/clock.ts';
import type { TokenAuthenticator } from '../authenticate.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { ObjectRef } from './claims.ts';
import { keyId, parsePublicKey } from './keys.ts';
import { boundRefs, checkBoundObjects, checkClaims, isOurIssuer, userOf, type BoundObjects } from './validate.ts';

/** The kinds a token can name. */
export type BoundKind = 'ServiceAccount' | 'Pod' | 'Secret' | 'Node';

/** Reads an object as it is now (namespace '' for nodes); undefined when it does not exist. */
export type ObjectLookup = (kind: BoundKind, namespace: string, name: string) => Promise<KubeObject | undefined>;

export interface AuthenticatorOptions {
  /** Verification keys: public key PEMs, or private key PEMs whose public half is used. */
  publicKeyPems: string[];
  /** Accepted issuers (kube-apiserver --service-account-issuer, repeatable). */
  issuer: string | string[];
  /** The API server's audiences (--api-audiences; default its issuer). */
  audiences?: string[];
  lookup: ObjectLookup;
  clock: Clock;
  /** Why a token of ours was refused (the request then gets 401). */
  log?: (m: string) => void;
}

export function createServiceAccountAuthenticator(o: AuthenticatorOptions): TokenAuthenticator {
  const issuers = Array.isArray(o.issuer) ? o.issuer : [o.issuer];
  const audiences = o.audiences ?? issuers.slice(0, 1);
  const keys = o.publicKeyPems.map((pem) => {
    const key = parsePublicKey(pem);
    return { key, kid: keyId(key) };
  });
  const refuse = (reason: string) => {
    o.log?.(`service account token refused: ${reason}`);
    return undefined;
  };
  return async (token) => {
    if (token.split('.').length !== 3) return undefined;
    let payload: unknown;
    let kid: string | undefined;
    try {
      payload = decodeJwt(token);
      kid = decodeProtectedHeader(token).kid;
    } catch {
      return undefined;
    }
    if (!isOurIssuer(payload, issuers)) return undefined;
    if (!(await verifies(token, kid, keys))) return refuse('invalid signature');
    const claims = checkClaims(payload, { issuers, audiences, now: o.clock.now() });
    if (!claims.ok) return refuse(claims.reason);
    const refs = boundRefs(claims.value);
    const ns = claims.value['kubernetes.io'].namespace;
    const read = (kind: BoundKind, ref: ObjectRef | undefined) => (ref ? o.lookup(kind, kind === 'Node' ? '' : ns, ref.name) : Promise.resolve(undefined));
    const [serviceAccount, pod, secret, node] = await Promise.all([
      read('ServiceAccount', refs.serviceAccount),
      read('Pod', refs.pod),
      read('Secret', refs.secret),
      read('Node', refs.node),
    ]);
    const objects: BoundObjects = { serviceAccount, pod, secret, node };
    const info = checkBoundObjects(claims.value, objects, o.clock.now());
    if (!info.ok) return refuse(info.reason);
    return userOf(info.value);
  };
}

/** Whether one of the keys signed the token: the one its `kid` names first, as upstream tries. */
async function verifies(token: string, kid: string | undefined, keys: { key: KeyObject; kid: string }[]): Promise<boolean> {
  const ordered = [...keys.filter((k) => k.kid === kid), ...keys.filter((k) => k.kid !== kid)];
  for (const { key } of ordered) {
    try {
      await compactVerify(token, key, { algorithms: ['RS256', 'ES256', 'ES384', 'ES512'] });
      return true;
    } catch {
      // Try the next key.
    }
  }
  return false;
}
