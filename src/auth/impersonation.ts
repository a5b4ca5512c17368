// User impersonation (`kubectl --as`, `--as-group`, `--as-uid`): a request may act as another
// user when its own user is allowed the verb `impersonate` on that user, each group, the uid and
// each extra value, as upstream's k8s.io/apiserver pkg/endpoints/filters/impersonation.go decides.
// Parsing and deciding are pure; the server swaps the request's user for the result.
import { badRequest } from '../api/errors.ts';
import type { Authorizer } from './authorizer.ts';
import { forbidden } from './forbidden.ts';
import type { Attributes } from './request-info.ts';
import { AUTHENTICATED, SERVICE_ACCOUNT_PREFIX, SERVICE_ACCOUNTS_GROUP, type UserInfo } from './user.ts';

const USER_HEADER = 'impersonate-user';
const UID_HEADER = 'impersonate-uid';
const GROUP_HEADER = 'impersonate-group';
const EXTRA_PREFIX = 'impersonate-extra-';
const ANONYMOUS = 'system:anonymous';
const UNAUTHENTICATED = 'system:unauthenticated';

export interface ImpersonationRequest {
  user?: string;
  uid?: string;
  groups: string[];
  extra: Record<string, string[]>;
}

/**
 * Repeated headers reach us joined by ", " (Node's rule for headers it does not know), so a
 * repeated Impersonate-Group or extra splits back into its values.
 */
const values = (v: string | undefined): string[] => (v === undefined ? [] : v.split(/,\s*/).filter((s) => s !== ''));

/** What a request's Impersonate-* headers ask for; undefined when none is there. */
export function impersonationRequest(headers: Record<string, string | undefined>): ImpersonationRequest | undefined {
  const user = headers[USER_HEADER];
  const uid = headers[UID_HEADER];
  const groups = values(headers[GROUP_HEADER]);
  const extra: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(EXTRA_PREFIX) || value === undefined) continue;
    // Keys are percent-encoded in the header name (upstream unescapes them, lowercased).
    let key = name.slice(EXTRA_PREFIX.length).toLowerCase();
    try {
      key = decodeURIComponent(key);
    } catch {
      throw badRequest(`invalid impersonation extra key ${JSON.stringify(key)}: not a percent-encoded string`);
    }
    extra[key] = [...(extra[key] ?? []), ...values(value)];
  }
  const hasExtra = Object.keys(extra).length > 0;
  if (user === undefined && uid === undefined && groups.length === 0 && !hasExtra) return undefined;
  if (user === undefined || user === '') {
    const asked = [...groups.map((g) => `group ${g}`), ...(uid !== undefined ? [`uid ${uid}`] : []), ...Object.keys(extra).map((k) => `extra ${k}`)];
    throw badRequest(`requested [${asked.join(' ')}] without impersonating a user`);
  }
  return { user, ...(uid !== undefined ? { uid } : {}), groups, extra };
}

const check = (requester: UserInfo, a: Omit<Attributes, 'user' | 'verb' | 'resourceRequest' | 'path' | 'apiVersion'> & { apiVersion?: string }): Attributes => ({
  user: requester,
  verb: 'impersonate',
  resourceRequest: true,
  path: '',
  apiVersion: a.apiVersion ?? 'v1',
  ...a,
});

/**
 * The user `requester` acts as, after checking each thing asked for with `authorizer`; throws
 * the Forbidden upstream answers with for the first thing refused.
 */
export function impersonate(requester: UserInfo, asked: ImpersonationRequest, authorizer: Authorizer): UserInfo {
  const username = asked.user!;
  const checks: Attributes[] = [];
  let groups = [...asked.groups];
  const sa = username.startsWith(SERVICE_ACCOUNT_PREFIX) ? username.slice(SERVICE_ACCOUNT_PREFIX.length).split(':') : undefined;
  if (sa && sa.length === 2 && sa[0] && sa[1]) {
    checks.push(check(requester, { apiGroup: '', resource: 'serviceaccounts', subresource: '', namespace: sa[0], name: sa[1] }));
    // A service account's groups follow from its name when none are asked for.
    if (asked.groups.length === 0) groups = [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNTS_GROUP}:${sa[0]}`];
  } else {
    checks.push(check(requester, { apiGroup: '', resource: 'users', subresource: '', namespace: '', name: username }));
  }
  for (const g of asked.groups) checks.push(check(requester, { apiGroup: '', resource: 'groups', subresource: '', namespace: '', name: g }));
  for (const [key, vals] of Object.entries(asked.extra)) {
    for (const v of vals) checks.push(check(requester, { apiGroup: 'authentication.k8s.io', resource: 'userextras', subresource: key, namespace: '', name: v }));
  }
  if (asked.uid !== undefined) checks.push(check(requester, { apiGroup: 'authentication.k8s.io', resource: 'uids', subresource: '', namespace: '', name: asked.uid }));
  for (const a of checks) {
    const d = authorizer(a);
    if (!d.allowed) throw forbidden(a, d.reason);
  }
  if (username === ANONYMOUS) {
    if (!groups.includes(UNAUTHENTICATED)) groups.push(UNAUTHENTICATED);
  } else if (!groups.includes(AUTHENTICATED) && !groups.includes(UNAUTHENTICATED)) {
    groups.push(AUTHENTICATED);
  }
  const extra = Object.keys(asked.extra).length ? asked.extra : undefined;
  return { username, groups, ...(asked.uid !== undefined ? { uid: asked.uid } : {}), ...(extra ? { extra } : {}) };
}
