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

/** Accepts exactly `token`, as `user` (compared in constant time). */
export function staticToken(token: string, user: UserInfo): TokenAuthenticator {
  const want = Buffer.from(token);
  return (t) => {
    const got = Buffer.from(t);
    return got.length === want.length && timingSafeEqual(got, want) ? user : undefined;
  };
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
