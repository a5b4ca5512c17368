import { describe, expect, it } from 'vitest';
import { compactString, covers, escalationMessage } from './escalation.ts';
import type { PolicyRule } from './rules.ts';

const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule => ({ verbs, apiGroups, resources, ...(resourceNames ? { resourceNames } : {}) });

describe('covers', () => {
  it.each<[string, PolicyRule[], PolicyRule[], boolean]>([
    ['exact rule', [rule(['get'], [''], ['pods'])], [rule(['get'], [''], ['pods'])], true],
    ['fewer verbs', [rule(['get', 'list'], [''], ['pods'])], [rule(['list'], [''], ['pods'])], true],
    ['more verbs', [rule(['get'], [''], ['pods'])], [rule(['get', 'delete'], [''], ['pods'])], false],
    ['split across owner rules', [rule(['get'], [''], ['pods']), rule(['list'], [''], ['pods'])], [rule(['get', 'list'], [''], ['pods'])], true],
    ['star covers all', [rule(['*'], ['*'], ['*'])], [rule(['escalate'], ['rbac.authorization.k8s.io'], ['roles'])], true],
    ['star requested needs star held', [rule(['get', 'list'], [''], ['pods'])], [rule(['*'], [''], ['pods'])], false],
    ['*/subresource held', [rule(['get'], [''], ['*/status'])], [rule(['get'], [''], ['pods/status'])], true],
    ['resource does not cover its subresource', [rule(['get'], [''], ['pods'])], [rule(['get'], [''], ['pods/log'])], false],
    ['unrestricted covers names', [rule(['get'], [''], ['secrets'])], [rule(['get'], [''], ['secrets'], ['a'])], true],
    ['names do not cover unrestricted', [rule(['get'], [''], ['secrets'], ['a'])], [rule(['get'], [''], ['secrets'])], false],
    ['names cover a subset', [rule(['get'], [''], ['secrets'], ['a', 'b'])], [rule(['get'], [''], ['secrets'], ['b'])], true],
    ['url prefix', [{ verbs: ['get'], nonResourceURLs: ['/apis/*'] }], [{ verbs: ['get'], nonResourceURLs: ['/apis/apps'] }], true],
    ['url outside prefix', [{ verbs: ['get'], nonResourceURLs: ['/apis/*'] }], [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }], false],
    ['nothing requested', [], [], true],
  ])('%s', (_, owner, requested, want) => {
    expect(covers(owner, requested).covered).toBe(want);
  });
});

describe('escalationMessage', () => {
  it('lists the compacted missing rules as upstream does', () => {
    const { missing } = covers([rule(['get'], [''], ['pods'])], [rule(['get', 'delete', 'patch'], [''], ['pods', 'secrets'])]);
    expect(escalationMessage({ username: 'alice', groups: ['devs', 'system:authenticated'] }, missing, [])).toBe(
      'user "alice" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:[""], Resources:["pods"], Verbs:["delete" "patch"]}\n' +
        '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete" "patch"]}',
    );
  });

  it('prints every part of a rule in upstream order', () => {
    expect(compactString({ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] })).toBe('{APIGroups:[""], Resources:["secrets"], ResourceNames:["a"], Verbs:["get"]}');
    expect(compactString({ verbs: ['get'], nonResourceURLs: ['/metrics'] })).toBe('{NonResourceURLs:["/metrics"], Verbs:["get"]}');
  });
});
