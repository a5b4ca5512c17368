import { describe, expect, it } from 'vitest';
import { forbidden } from './forbidden.ts';
import type { Attributes } from './request-info.ts';

const alice = { username: 'alice', groups: ['system:authenticated'] };
const a = (x: Partial<Attributes>): Attributes => ({ verb: 'list', resourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', resource: 'pods', subresource: '', namespace: 'default', name: '', user: alice, ...x });

describe('forbidden', () => {
  it.each<[string, Partial<Attributes>, string, string]>([
    ['namespaced list', {}, '', 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"'],
    ['named object in a group', { verb: 'delete', apiGroup: 'apps', resource: 'deployments', name: 'web' }, '', 'deployments.apps "web" is forbidden: User "alice" cannot delete resource "deployments" in API group "apps" in the namespace "default"'],
    ['cluster scope', { resource: 'nodes', namespace: '' }, '', 'nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope'],
    ['subresource', { verb: 'create', subresource: 'exec', name: 'p' }, '', 'pods "p" is forbidden: User "alice" cannot create resource "pods/exec" in API group "" in the namespace "default"'],
    ['non-resource', { resourceRequest: false, verb: 'get', path: '/metrics', resource: '', namespace: '' }, '', 'forbidden: User "alice" cannot get path "/metrics"'],
    ['with a reason', {}, 'RBAC: clusterrole.rbac.authorization.k8s.io "view" not found', 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default": RBAC: clusterrole.rbac.authorization.k8s.io "view" not found'],
  ])('%s', (_, x, reason, message) => {
    const e = forbidden(a(x), reason);
    expect(e.code).toBe(403);
    expect(e.reason).toBe('Forbidden');
    expect(e.message).toBe(message);
  });

  it('carries the resource in details', () => {
    expect(forbidden(a({ apiGroup: 'apps', resource: 'deployments', name: 'web' }), '').details).toEqual({ name: 'web', group: 'apps', kind: 'deployments' });
  });
});
