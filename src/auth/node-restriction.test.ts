import { describe, expect, it } from 'vitest';
import { requestInfo } from './request-info.ts';
import { needsPodNode, nodeBodyVerdict, nodeVerdict } from './node-restriction.ts';

const attrs = (method: string, path: string) => requestInfo(method, new URL(path, 'https://k8ts.invalid'));

describe('nodeVerdict', () => {
  it.each([
    ['reads pods everywhere', 'GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dedge-1', undefined, true],
    ['watches nodes', 'GET', '/api/v1/nodes?watch=true', undefined, true],
    ['reads a secret', 'GET', '/api/v1/namespaces/default/secrets/s', undefined, true],
    ['reads discovery', 'GET', '/apis', undefined, true],
    ['updates its own node status', 'PUT', '/api/v1/nodes/edge-1/status', undefined, true],
    ['patches its own node', 'PATCH', '/api/v1/nodes/edge-1', undefined, true],
    ["cannot touch another node's status", 'PUT', '/api/v1/nodes/edge-2/status', undefined, false],
    ['cannot delete another node', 'DELETE', '/api/v1/nodes/edge-2', undefined, false],
    ['renews its own lease', 'PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/edge-1', undefined, true],
    ["cannot renew another's lease", 'PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/edge-2', undefined, false],
    ['reads leases in kube-node-lease', 'GET', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/edge-2', undefined, true],
    ['cannot read the controllers’ lease', 'GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager', undefined, false],
    ['cannot write the controllers’ lease', 'PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager', undefined, false],
    ['updates the status of its pod', 'PUT', '/api/v1/namespaces/default/pods/web-0/status', 'edge-1', true],
    ["cannot update another node's pod status", 'PATCH', '/api/v1/namespaces/default/pods/web-0/status', 'edge-2', false],
    ['deletes its terminated pod', 'DELETE', '/api/v1/namespaces/default/pods/web-0', 'edge-1', true],
    ["cannot delete another node's pod", 'DELETE', '/api/v1/namespaces/default/pods/web-0', 'edge-2', false],
    ['cannot create pods', 'POST', '/api/v1/namespaces/default/pods', undefined, false],
    ['cannot change a pod spec', 'PUT', '/api/v1/namespaces/default/pods/web-0', 'edge-1', false],
    ['records events', 'POST', '/api/v1/namespaces/default/events', undefined, true],
    ['cannot read deployments', 'GET', '/apis/apps/v1/deployments', undefined, false],
    ['cannot write secrets', 'PUT', '/api/v1/namespaces/default/secrets/s', undefined, false],
    ['asks tokens for its pods’ service accounts', 'POST', '/api/v1/namespaces/default/serviceaccounts/default/token', undefined, true],
  ])('%s', (_name, method, path, podNode, allowed) => {
    expect(nodeVerdict('edge-1', attrs(method, path), podNode).allowed).toBe(allowed);
  });

  it('says why, in terms of nodes', () => {
    expect(nodeVerdict('edge-1', attrs('PUT', '/api/v1/nodes/edge-2/status'))).toEqual({ allowed: false, reason: 'node "edge-1" is not allowed to modify node "edge-2"' });
  });

  it('looks up the pod only for its status and deletion', () => {
    expect(needsPodNode(attrs('PUT', '/api/v1/namespaces/d/pods/p/status'))).toBe(true);
    expect(needsPodNode(attrs('DELETE', '/api/v1/namespaces/d/pods/p'))).toBe(true);
    expect(needsPodNode(attrs('GET', '/api/v1/namespaces/d/pods/p'))).toBe(false);
  });

  it('a node creates only its own Node', () => {
    expect(nodeBodyVerdict('edge-1', { metadata: { name: 'edge-1' } }).allowed).toBe(true);
    expect(nodeBodyVerdict('edge-1', { metadata: { name: 'edge-2' } }).allowed).toBe(false);
  });
});
