import { describe, expect, it } from 'vitest';
import type { RequestAttributes } from '../request-info.ts';
import { serviceAccountUser, type UserInfo } from '../user.ts';
import { rbacDecide, rulesFor } from './resolver.ts';
import { ruleAllows, type PolicyRule } from './rules.ts';
import { bindingTo, role, staticSource } from './testing.ts';

const attrs = (a: Partial<RequestAttributes>): RequestAttributes => ({ verb: 'get', resourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', resource: 'pods', subresource: '', namespace: 'default', name: '', ...a });
const alice: UserInfo = { username: 'alice', groups: ['devs', 'system:authenticated'] };

describe('ruleAllows', () => {
  it.each<[string, PolicyRule, Partial<RequestAttributes>, boolean]>([
    ['exact verb, group and resource', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, {}, true],
    ['other verb', { verbs: ['list'], apiGroups: [''], resources: ['pods'] }, {}, false],
    ['verb wildcard', { verbs: ['*'], apiGroups: [''], resources: ['pods'] }, { verb: 'deletecollection' }, true],
    ['other group', { verbs: ['get'], apiGroups: ['apps'], resources: ['pods'] }, {}, false],
    ['group wildcard', { verbs: ['get'], apiGroups: ['*'], resources: ['deployments'] }, { apiGroup: 'apps', resource: 'deployments' }, true],
    ['resource wildcard', { verbs: ['get'], apiGroups: [''], resources: ['*'] }, { resource: 'secrets' }, true],
    ['resource rule does not cover its subresource', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { subresource: 'log' }, false],
    ['subresource named', { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, { subresource: 'log' }, true],
    ['*/subresource', { verbs: ['get'], apiGroups: [''], resources: ['*/status'] }, { resource: 'nodes', subresource: 'status' }, true],
    ['*/subresource does not match the resource', { verbs: ['get'], apiGroups: [''], resources: ['*/status'] }, { resource: 'nodes' }, false],
    ['resourceNames hit', { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }, { name: 'a' }, true],
    ['resourceNames miss', { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }, { name: 'b' }, false],
    ['resourceNames never allow a list', { verbs: ['list'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }, { verb: 'list' }, false],
    ['no apiGroups matches nothing', { verbs: ['get'], resources: ['pods'] }, {}, false],
    ['non-resource exact', { verbs: ['get'], nonResourceURLs: ['/version'] }, { resourceRequest: false, path: '/version' }, true],
    ['non-resource prefix', { verbs: ['get'], nonResourceURLs: ['/apis/*'] }, { resourceRequest: false, path: '/apis/apps/v1' }, true],
    ['non-resource prefix needs its stem', { verbs: ['get'], nonResourceURLs: ['/apis/*'] }, { resourceRequest: false, path: '/apis' }, false],
    ['non-resource star', { verbs: ['*'], nonResourceURLs: ['*'] }, { resourceRequest: false, path: '/metrics', verb: 'post' }, true],
    ['non-resource rule ignores resource requests', { verbs: ['get'], nonResourceURLs: ['*'] }, {}, false],
    ['resource rule ignores non-resource requests', { verbs: ['get'], apiGroups: ['*'], resources: ['*'] }, { resourceRequest: false, path: '/version' }, false],
  ])('%s', (_, rule, a, want) => {
    expect(ruleAllows(attrs(a), rule)).toBe(want);
  });
});

const view = role('view', [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] }]);
const podReader = role('pod-reader', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], 'dev');
const src = staticSource({
  clusterRoles: [view, role('discovery', [{ verbs: ['get'], nonResourceURLs: ['/api', '/api/*'] }])],
  roles: [podReader],
  clusterRoleBindings: [bindingTo('discovery', { name: 'discovery' }, [{ kind: 'Group', name: 'system:authenticated' }])],
  roleBindings: [
    bindingTo('alice-view', { name: 'view' }, [{ kind: 'User', name: 'alice' }], 'dev'),
    bindingTo('devs-reader', { kind: 'Role', name: 'pod-reader' }, [{ kind: 'Group', name: 'devs' }], 'dev'),
    bindingTo('sa-view', { name: 'view' }, [{ kind: 'ServiceAccount', name: 'builder' }], 'ci'),
    bindingTo('sa-other-ns', { name: 'view' }, [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'ops' }], 'ci'),
    bindingTo('dangling', { name: 'gone' }, [{ kind: 'User', name: 'alice' }], 'stage'),
  ],
});

describe('rbacDecide', () => {
  it.each<[string, UserInfo, Partial<RequestAttributes>, boolean, string]>([
    ['role binding to a cluster role', alice, { namespace: 'dev', verb: 'list' }, true, 'RBAC: allowed by RoleBinding "alice-view/dev" of ClusterRole "view" to User "alice"'],
    ['no binding in another namespace', alice, { namespace: 'prod', verb: 'list' }, false, ''],
    ['a namespaced binding never grants cluster scope', alice, { namespace: '', verb: 'list' }, false, ''],
    ['verb the role lacks', alice, { namespace: 'dev', verb: 'delete', name: 'x' }, false, ''],
    ['group subject with a Role', { username: 'bob', groups: ['devs'] }, { namespace: 'dev', name: 'p' }, true, 'RBAC: allowed by RoleBinding "devs-reader/dev" of Role "pod-reader" to Group "devs"'],
    ['cluster binding for non-resource paths', alice, { resourceRequest: false, path: '/api/v1', namespace: '' }, true, 'RBAC: allowed by ClusterRoleBinding "discovery" of ClusterRole "discovery" to Group "system:authenticated"'],
    ['service account in the binding namespace', serviceAccountUser('ci', 'builder'), { namespace: 'ci', verb: 'watch' }, true, 'RBAC: allowed by RoleBinding "sa-view/ci" of ClusterRole "view" to ServiceAccount "builder/ci"'],
    ['service account of another namespace by name', serviceAccountUser('ops', 'deployer'), { namespace: 'ci', verb: 'get' }, true, 'RBAC: allowed by RoleBinding "sa-other-ns/ci" of ClusterRole "view" to ServiceAccount "deployer/ops"'],
    ['same-named service account elsewhere', serviceAccountUser('dev', 'builder'), { namespace: 'ci' }, false, ''],
    ['missing role is the reason', alice, { namespace: 'stage' }, false, 'RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found'],
  ])('%s', (_, user, a, allowed, reason) => {
    expect(rbacDecide(src, { ...attrs(a), user })).toEqual({ allowed, reason });
  });

  it('lists the rules a user holds in a namespace', () => {
    const got = rulesFor(src, alice, 'dev');
    expect(got.errors).toEqual([]);
    expect(got.rules).toEqual([{ verbs: ['get'], nonResourceURLs: ['/api', '/api/*'] }, ...view.rules!, ...podReader.rules!]);
    expect(rulesFor(src, alice, 'stage').errors).toEqual(['clusterrole.rbac.authorization.k8s.io "gone" not found']);
  });
});
