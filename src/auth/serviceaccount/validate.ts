// Whether a signature-checked service account token is still good, as upstream decides
// (kubernetes/kubernetes pkg/serviceaccount/jwt.go Authenticate and claims.go Validate): issuer,
// audience, time window with a minute of leeway, then the account and the bound pod, secret or
// node must still exist with the UIDs the token names. Pure: the objects and the time are inputs.
import { serviceAccountUser, type UserInfo } from '../user.ts';
import { SERVICE_ACCOUNT_USERNAME_PREFIX, type KubernetesClaim, type ObjectRef, type ServiceAccountClaims } from './claims.ts';

/** go-jose's DefaultLeeway: clock skew tolerated on exp, nbf, iat and deletion times. */
export const LEEWAY_SECONDS = 60;

export type Check<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface Expectations {
  /** Issuers whose tokens this server accepts (the first is the one it signs as). */
  issuers: string[];
  /** The API server's own audiences: a token must name at least one. */
  audiences: string[];
  /** Milliseconds since the epoch. */
  now: number;
}

/** Whether `iss` names one of our issuers: other tokens are left to other authenticators. */
export function isOurIssuer(payload: unknown, issuers: string[]): boolean {
  const iss = (payload as { iss?: unknown } | null)?.iss;
  return typeof iss === 'string' && issuers.includes(iss);
}

/** The typed claims of a verified payload when its issuer, audience and times hold. */
export function checkClaims(payload: unknown, e: Expectations): Check<ServiceAccountClaims> {
  const p = payload as Partial<ServiceAccountClaims> & { aud?: unknown };
  if (!isOurIssuer(p, e.issuers)) return fail('token issuer is not accepted');
  const k = p['kubernetes.io'] as Partial<KubernetesClaim> | undefined;
  if (!k || typeof k.namespace !== 'string' || !k.namespace || typeof k.serviceaccount?.name !== 'string' || !k.serviceaccount.name) {
    return fail('service account token claims could not be validated: missing kubernetes.io claim');
  }
  if (p.sub !== `${SERVICE_ACCOUNT_USERNAME_PREFIX}${k.namespace}:${k.serviceaccount.name}`) return fail('service account token claims could not be validated: subject does not match');
  const aud = typeof p.aud === 'string' ? [p.aud] : Array.isArray(p.aud) ? p.aud.filter((a): a is string => typeof a === 'string') : [];
  // Upstream lets only legacy secret tokens go without an audience; we issue none of those.
  if (!aud.some((a) => e.audiences.includes(a))) return fail(`token audiences ${quoteList(aud)} is invalid for the target audiences ${quoteList(e.audiences)}`);
  const now = Math.floor(e.now / 1000);
  if (typeof p.exp === 'number' && now - LEEWAY_SECONDS > p.exp) return fail('service account token has expired');
  if (typeof p.nbf === 'number' && now + LEEWAY_SECONDS < p.nbf) return fail('service account token is not valid yet');
  if (typeof p.iat === 'number' && now + LEEWAY_SECONDS < p.iat) return fail('service account token claims could not be validated due to unexpected validation error');
  return { ok: true, value: { ...p, aud } as ServiceAccountClaims };
}

/** The slice of an object the liveness checks read. */
export interface Live {
  metadata: { uid?: string; deletionTimestamp?: string };
}

/** The objects a token names, as read now; absent when not found. */
export interface BoundObjects {
  serviceAccount?: Live;
  pod?: Live;
  secret?: Live;
  node?: Live;
}

/** Who a valid token speaks for. */
export interface ServiceAccountInfo {
  namespace: string;
  name: string;
  uid: string;
  podName?: string;
  podUID?: string;
  nodeName?: string;
  nodeUID?: string;
  /** `JTI=<jti>`, upstream's credential ID for audit and access reviews. */
  credentialId?: string;
}

/** Which objects `checkBoundObjects` needs for these claims: only a node-bound token's node is checked. */
export function boundRefs(claims: ServiceAccountClaims): { serviceAccount: ObjectRef; pod?: ObjectRef; secret?: ObjectRef; node?: ObjectRef } {
  const k = claims['kubernetes.io'];
  return { serviceAccount: k.serviceaccount, pod: k.pod, secret: k.secret, node: k.pod ? undefined : k.node };
}

export function checkBoundObjects(claims: ServiceAccountClaims, objects: BoundObjects, nowMs: number): Check<ServiceAccountInfo> {
  const k = claims['kubernetes.io'];
  const ns = k.namespace;
  const sa = k.serviceaccount;
  // Objects deleted longer ago than the leeway (and only waiting on finalizers) no longer count.
  const deletedLongAgo = (o: Live) => o.metadata.deletionTimestamp !== undefined && Date.parse(o.metadata.deletionTimestamp) < nowMs - LEEWAY_SECONDS * 1000;
  const account = objects.serviceAccount;
  if (!account) return fail(`serviceaccounts "${sa.name}" not found`);
  if (deletedLongAgo(account)) return fail(`service account ${ns}/${sa.name} has been deleted`);
  if (account.metadata.uid !== sa.uid) return fail(`service account UID (${account.metadata.uid ?? ''}) does not match claim (${sa.uid ?? ''})`);
  const info: ServiceAccountInfo = { namespace: ns, name: sa.name, uid: sa.uid ?? '' };
  if (k.secret) {
    const s = objects.secret;
    if (!s || deletedLongAgo(s)) return fail('service account token has been invalidated');
    if (s.metadata.uid !== k.secret.uid) return fail(`secret UID (${s.metadata.uid ?? ''}) does not match service account secret ref claim (${k.secret.uid ?? ''})`);
  }
  if (k.pod) {
    const p = objects.pod;
    if (!p || deletedLongAgo(p)) return fail('service account token has been invalidated');
    if (p.metadata.uid !== k.pod.uid) return fail(`pod UID (${p.metadata.uid ?? ''}) does not match service account pod ref claim (${k.pod.uid ?? ''})`);
    info.podName = k.pod.name;
    info.podUID = k.pod.uid;
    // A pod token only reports the node it was issued on; the node itself is not checked.
    if (k.node) Object.assign(info, { nodeName: k.node.name, nodeUID: k.node.uid });
  } else if (k.node) {
    const n = objects.node;
    if (!n || deletedLongAgo(n)) return fail('service account token has been invalidated');
    if (n.metadata.uid !== k.node.uid) return fail(`node UID (${n.metadata.uid ?? ''}) does not match service account node ref claim (${k.node.uid ?? ''})`);
    info.nodeName = k.node.name;
    info.nodeUID = k.node.uid;
  }
  if (claims.jti) info.credentialId = `JTI=${claims.jti}`;
  return { ok: true, value: info };
}

/** The user a token authenticates as, with upstream's extra attributes. */
export function userOf(info: ServiceAccountInfo): UserInfo {
  const extra: Record<string, string[]> = {};
  if (info.credentialId) extra['authentication.kubernetes.io/credential-id'] = [info.credentialId];
  if (info.nodeName) extra['authentication.kubernetes.io/node-name'] = [info.nodeName];
  if (info.nodeUID) extra['authentication.kubernetes.io/node-uid'] = [info.nodeUID];
  if (info.podName) extra['authentication.kubernetes.io/pod-name'] = [info.podName];
  if (info.podUID) extra['authentication.kubernetes.io/pod-uid'] = [info.podUID];
  return serviceAccountUser(info.namespace, info.name, info.uid, Object.keys(extra).length ? extra : undefined);
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

/** Go's %q of a string slice: `["a" "b"]`. */
function quoteList(xs: string[]): string {
  return `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;
}
