import { describe, expect, it } from 'vitest';
import { requestInfo, type RequestAttributes } from './request-info.ts';

const res = (a: Partial<RequestAttributes>): Partial<RequestAttributes> => ({ resourceRequest: true, ...a });

describe('requestInfo', () => {
  it.each<[string, string, Partial<RequestAttributes>]>([
    ['GET', '/api/v1/namespaces/default/pods', res({ verb: 'list', apiVersion: 'v1', resource: 'pods', namespace: 'default' })],
    ['GET', '/api/v1/namespaces/default/pods?watch=true', res({ verb: 'watch', resource: 'pods', namespace: 'default' })],
    ['GET', '/api/v1/namespaces/default/pods?watch=1', res({ verb: 'watch', resource: 'pods' })],
    ['GET', '/api/v1/namespaces/default/pods?watch=false', res({ verb: 'list', resource: 'pods' })],
    ['GET', '/api/v1/namespaces/default/pods?watch=0', res({ verb: 'list', resource: 'pods' })],
    ['GET', '/api/v1/pods', res({ verb: 'list', resource: 'pods', namespace: '' })],
    ['GET', '/api/v1/namespaces/default/pods/web-0', res({ verb: 'get', resource: 'pods', name: 'web-0', namespace: 'default' })],
    // A named GET stays get even with watch=true (upstream watches by fieldSelector instead).
    ['GET', '/api/v1/namespaces/default/pods/web-0?watch=true', res({ verb: 'get', name: 'web-0' })],
    ['HEAD', '/api/v1/namespaces/default/pods/web-0', res({ verb: 'get', name: 'web-0' })],
    ['POST', '/api/v1/namespaces/default/pods', res({ verb: 'create', resource: 'pods', namespace: 'default' })],
    ['PUT', '/api/v1/namespaces/default/pods/a', res({ verb: 'update', name: 'a' })],
    ['PATCH', '/api/v1/namespaces/default/pods/a', res({ verb: 'patch', name: 'a' })],
    ['DELETE', '/api/v1/namespaces/default/pods/a', res({ verb: 'delete', name: 'a' })],
    ['DELETE', '/api/v1/namespaces/default/pods', res({ verb: 'deletecollection', resource: 'pods' })],
    ['GET', '/api/v1/namespaces/default/pods/a/log', res({ verb: 'get', resource: 'pods', subresource: 'log', name: 'a' })],
    ['POST', '/api/v1/namespaces/default/pods/a/exec?command=ls', res({ verb: 'create', subresource: 'exec', name: 'a' })],
    ['GET', '/api/v1/namespaces/default/pods/a/exec?command=ls', res({ verb: 'get', subresource: 'exec', name: 'a' })],
    ['POST', '/api/v1/namespaces/default/pods/a/attach', res({ verb: 'create', subresource: 'attach' })],
    ['POST', '/api/v1/namespaces/default/pods/a/portforward', res({ verb: 'create', subresource: 'portforward' })],
    ['PUT', '/apis/apps/v1/namespaces/ns1/deployments/web/scale', res({ verb: 'update', apiGroup: 'apps', apiVersion: 'v1', resource: 'deployments', subresource: 'scale', name: 'web', namespace: 'ns1' })],
    ['GET', '/apis/apps/v1/deployments', res({ verb: 'list', apiGroup: 'apps', resource: 'deployments' })],
    ['GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles/view', res({ verb: 'get', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'view' })],
    // The namespace itself: its name is also the request's namespace.
    ['GET', '/api/v1/namespaces/dev', res({ verb: 'get', resource: 'namespaces', name: 'dev', namespace: 'dev' })],
    ['GET', '/api/v1/namespaces', res({ verb: 'list', resource: 'namespaces', namespace: '' })],
    ['PUT', '/api/v1/namespaces/dev/finalize', res({ verb: 'update', resource: 'namespaces', name: 'dev', subresource: 'finalize', namespace: 'dev' })],
    ['PUT', '/api/v1/namespaces/dev/status', res({ verb: 'update', resource: 'namespaces', name: 'dev', subresource: 'status', namespace: 'dev' })],
    // Special verbs in the path.
    ['GET', '/api/v1/watch/namespaces/default/pods', res({ verb: 'watch', resource: 'pods', namespace: 'default' })],
    ['GET', '/api/v1/proxy/namespaces/default/pods/a/extra', res({ verb: 'proxy', resource: 'pods', name: 'a', subresource: '' })],
    ['POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', res({ verb: 'create', apiGroup: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' })],
    ['PATCH', '/api/v1/nodes/n1/status', res({ verb: 'patch', resource: 'nodes', name: 'n1', subresource: 'status' })],
    ['GET', '/api/v1/namespaces/my%20ns/pods', res({ verb: 'list', namespace: 'my ns' })],
    ['GET', '/api/v1/namespaces/default/pods/', res({ verb: 'list', resource: 'pods' })],
  ])('%s %s', (method, url, want) => {
    expect(requestInfo(method, new URL(url, 'https://x'))).toMatchObject(want);
  });

  it.each<[string, string, string]>([
    ['GET', '/version', 'get'],
    ['GET', '/api', 'get'],
    ['GET', '/api/v1', 'get'],
    ['GET', '/apis', 'get'],
    ['GET', '/apis/apps', 'get'],
    ['GET', '/apis/apps/v1', 'get'],
    ['GET', '/openapi/v3/apis/apps/v1', 'get'],
    ['POST', '/healthz', 'post'],
    ['GET', '/metrics', 'get'],
  ])('%s %s is a non-resource request', (method, url, verb) => {
    const info = requestInfo(method, new URL(url, 'https://x'));
    expect(info).toMatchObject({ resourceRequest: false, verb, path: url, resource: '' });
  });
});
