import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors.ts';
import type { Authorizer } from './authorizer.ts';
import { impersonate, impersonationRequest, type ImpersonationRequest } from './impersonation.ts';
import type { Attributes } from './request-info.ts';
import type { UserInfo } from './user.ts';

describe('impersonationRequest', () => {
  const cases: { name: string; headers: Record<string, string>; want?: ImpersonationRequest; error?: string }[] = [
    { name: 'no impersonation headers', headers: { authorization: 'Bearer x' }, want: undefined },
    { name: 'a user', headers: { 'impersonate-user': 'jane' }, want: { user: 'jane', groups: [], extra: {} } },
    { name: 'repeated groups, joined by Node', headers: { 'impersonate-user': 'jane', 'impersonate-group': 'devs, ops' }, want: { user: 'jane', groups: ['devs', 'ops'], extra: {} } },
    { name: 'uid and extras, percent-encoded keys', headers: { 'impersonate-user': 'jane', 'impersonate-uid': '42', 'impersonate-extra-scopes': 'view, edit', 'impersonate-extra-example.com%2fteam': 'a' }, want: { user: 'jane', uid: '42', groups: [], extra: { scopes: ['view', 'edit'], 'example.com/team': ['a'] } } },
    { name: 'groups without a user', headers: { 'impersonate-group': 'devs' }, error: 'requested [group devs] without impersonating a user' },
    { name: 'a uid without a user', headers: { 'impersonate-uid': '42' }, error: 'requested [uid 42] without impersonating a user' },
    { name: 'a badly encoded extra key', headers: { 'impersonate-user': 'jane', 'impersonate-extra-%zz': 'a' }, error: 'invalid impersonation extra key' },
  ];
  it.each(cases)('$name', ({ headers, want, error }) => {
    if (error) {
      let caught: unknown;
      try {
        impersonationRequest(headers);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(ApiError);
      expect((caught as ApiError).code).toBe(400);
      expect((caught as ApiError).message).toContain(error);
    } else {
      expect(impersonationRequest(headers)).toEqual(want);
    }
  });
});

const alice: UserInfo = { username: 'alice', groups: ['system:authenticated'] };

/** Allows `impersonate` on the listed "resource/name" (or "resource/subresource/name") only; records what was asked. */
function allowing(...allowed: string[]): { authorizer: Authorizer; asked: string[] } {
  const asked: string[] = [];
  const authorizer: Authorizer = (a: Attributes) => {
    const what = [a.resource, a.subresource, a.namespace ? `${a.namespace}/${a.name}` : a.name].filter(Boolean).join('/');
    asked.push(`${a.verb} ${a.apiGroup || 'core'} ${what}`);
    return { allowed: allowed.includes(what), reason: '' };
  };
  return { authorizer, asked };
}

describe('impersonate', () => {
  const cases: { name: string; req: ImpersonationRequest; allowed: string[]; user?: UserInfo; asked?: string[]; forbidden?: string }[] = [
    {
      name: 'a user gains system:authenticated',
      req: { user: 'jane', groups: [], extra: {} },
      allowed: ['users/jane'],
      user: { username: 'jane', groups: ['system:authenticated'] },
      asked: ['impersonate core users/jane'],
    },
    {
      name: 'a user with groups: every group checked',
      req: { user: 'jane', groups: ['devs', 'ops'], extra: {} },
      allowed: ['users/jane', 'groups/devs', 'groups/ops'],
      user: { username: 'jane', groups: ['devs', 'ops', 'system:authenticated'] },
      asked: ['impersonate core users/jane', 'impersonate core groups/devs', 'impersonate core groups/ops'],
    },
    {
      name: 'a service account: checked as the serviceaccount, its groups implied',
      req: { user: 'system:serviceaccount:team:builder', groups: [], extra: {} },
      allowed: ['serviceaccounts/team/builder'],
      user: { username: 'system:serviceaccount:team:builder', groups: ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated'] },
    },
    {
      name: 'uid and extras are checked in authentication.k8s.io',
      req: { user: 'jane', uid: '42', groups: [], extra: { scopes: ['view'] } },
      allowed: ['users/jane', 'uids/42', 'userextras/scopes/view'],
      user: { username: 'jane', uid: '42', groups: ['system:authenticated'], extra: { scopes: ['view'] } },
      asked: ['impersonate core users/jane', 'impersonate authentication.k8s.io userextras/scopes/view', 'impersonate authentication.k8s.io uids/42'],
    },
    {
      name: 'anonymous gains system:unauthenticated, not authenticated',
      req: { user: 'system:anonymous', groups: [], extra: {} },
      allowed: ['users/system:anonymous'],
      user: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
    },
    {
      name: 'the user refused: upstream Forbidden',
      req: { user: 'jane', groups: [], extra: {} },
      allowed: [],
      forbidden: 'users "jane" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope',
    },
    {
      name: 'a group refused though the user is allowed',
      req: { user: 'jane', groups: ['system:masters'], extra: {} },
      allowed: ['users/jane'],
      forbidden: 'groups "system:masters" is forbidden: User "alice" cannot impersonate resource "groups" in API group "" at the cluster scope',
    },
    {
      name: 'a service account refused, named in its namespace',
      req: { user: 'system:serviceaccount:team:builder', groups: [], extra: {} },
      allowed: [],
      forbidden: 'serviceaccounts "builder" is forbidden: User "alice" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "team"',
    },
  ];
  it.each(cases)('$name', ({ req, allowed, user, asked, forbidden }) => {
    const a = allowing(...allowed);
    if (forbidden) {
      expect(() => impersonate(alice, req, a.authorizer)).toThrow(forbidden);
      return;
    }
    expect(impersonate(alice, req, a.authorizer)).toEqual(user);
    if (asked) expect(a.asked).toEqual(asked);
  });
});
