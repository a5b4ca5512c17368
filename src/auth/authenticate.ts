// Authentication: the first authenticator that recognises a request's bearer token names its
// user; none recognising it is a 401 (k8s.io/apiserver pkg/authentication/request/union). A
// token is tried against each in order, cheapest first.
import { timingSafeEqual } from 'node:crypto';
import type { UserInfo } from './user.ts';

/** Resolves to the token's user, or undefined when this authenticator does not know the token. */
export type TokenAuthenticator = (token: string) => UserInfo | undefined | Promise<UserInfo | undefined>;

/** The bearer token of an Authorization header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}

/** Whether two secrets are equal, compared in constant time. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Accepts exactly `token`, as `user`. */
export function staticToken(token: string, user: UserInfo): TokenAuthenticator {
  return (t) => (sameSecret(t, token) ? user : undefined);
}

/** Tries each authenticator in order; the first that knows the token wins. */
export function unionAuthenticator(authenticators: TokenAuthenticator[]): TokenAuthenticator {
  return async (token) => {
    for (const a of authenticators) {
      const user = await a(token);
      if (user) return user;
    }
    return undefined;
  };
}
