// The claims of a service account token (kubernetes/kubernetes pkg/serviceaccount/claims.go
// Claims): registered JWT claims plus the private `kubernetes.io` claim naming the account and
// the object the token is bound to. Pure: time and the token ID are inputs.

/** What a token names of an object: its name and, when the object was found, its UID. */
export interface ObjectRef {
  name: string;
  uid?: string;
}

/** The private claim, keys in the order upstream's JSON encoder writes them. */
export interface KubernetesClaim {
  namespace: string;
  node?: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  serviceaccount: ObjectRef;
  /** NumericDate after which a still-accepted token is stale (pod tokens with extended expiry). */
  warnafter?: number;
}

/** A token's payload, keys sorted as upstream's tokens carry them. */
export interface ServiceAccountClaims {
  aud: string[];
  exp: number;
  iat: number;
  iss: string;
  jti: string;
  'kubernetes.io': KubernetesClaim;
  nbf: number;
  sub: string;
}

/** Bound tokens that kubelets ask for by default (3600 s + 7, upstream's marker value). */
export const WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS = 60 * 60 + 7;
/** How long such a token is really accepted while only warned about after its hour (one year). */
export const EXTENDED_EXPIRATION_SECONDS = 24 * 365 * 60 * 60;

export const SERVICE_ACCOUNT_USERNAME_PREFIX = 'system:serviceaccount:';

export interface ClaimsInput {
  issuer: string;
  serviceAccount: { namespace: string; name: string; uid: string };
  /** A pod binding wins over a secret, a secret over a node, as upstream. */
  pod?: ObjectRef;
  secret?: ObjectRef;
  /** The node of a node-bound token, or the node a bound pod runs on. */
  node?: ObjectRef;
  audiences: string[];
  expirationSeconds: number;
  /** Seconds after which the token is stale though accepted until `expirationSeconds`; 0: never. */
  warnAfterSeconds?: number;
  /** Issue time, milliseconds since the epoch. */
  now: number;
  jti: string;
}

export function buildClaims(i: ClaimsInput): ServiceAccountClaims {
  const now = Math.floor(i.now / 1000);
  const k: KubernetesClaim = { namespace: i.serviceAccount.namespace, serviceaccount: { name: i.serviceAccount.name, uid: i.serviceAccount.uid } };
  if (i.pod) {
    k.pod = ref(i.pod);
    if (i.node) k.node = ref(i.node);
  } else if (i.secret) k.secret = ref(i.secret);
  else if (i.node) k.node = ref(i.node);
  if (i.warnAfterSeconds) k.warnafter = now + i.warnAfterSeconds;
  return {
    aud: [...i.audiences],
    exp: now + i.expirationSeconds,
    iat: now,
    iss: i.issuer,
    jti: i.jti,
    'kubernetes.io': sortKeys(k),
    nbf: now,
    sub: `${SERVICE_ACCOUNT_USERNAME_PREFIX}${i.serviceAccount.namespace}:${i.serviceAccount.name}`,
  };
}

function ref(r: ObjectRef): ObjectRef {
  return r.uid ? { name: r.name, uid: r.uid } : { name: r.name };
}

function sortKeys<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1))) as T;
}
