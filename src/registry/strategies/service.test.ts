import { describe, expect, it } from 'vitest';
import { applyClusterIPAssignment, needsClusterIPAllocation } from '../../api/core/service.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import { endpointSliceStrategy, endpointsStrategy, serviceStrategy } from './core-network.ts';
import { create, stored, update } from './testing.ts';

const s = serviceStrategy();

function svc(spec: Record<string, unknown> = {}, name = 'web'): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }], ...spec } };
}

describe('Service defaults', () => {
  it('fills type, affinity, protocol, targetPort and traffic policy', () => {
    const { obj, message } = create(s, svc());
    expect(message).toBe('');
    expect(obj.spec).toEqual({
      selector: { app: 'web' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
    });
    expect(obj.status).toEqual({ loadBalancer: {} });
    expect(needsClusterIPAllocation(obj)).toBe(true);
    applyClusterIPAssignment(obj, { ip: '10.43.12.7' });
    expect(obj.spec).toMatchObject({ clusterIP: '10.43.12.7', clusterIPs: ['10.43.12.7'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
  });

  it('headless services: clusterIPs mirrors None and families follow the selector', () => {
    const { obj, message } = create(s, svc({ clusterIP: 'None' }));
    expect(message).toBe('');
    expect(needsClusterIPAllocation(obj)).toBe(false);
    applyClusterIPAssignment(obj);
    expect(obj.spec).toMatchObject({ clusterIP: 'None', clusterIPs: ['None'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
    const bare = create(s, svc({ clusterIP: 'None', selector: undefined, ports: undefined })).obj;
    applyClusterIPAssignment(bare);
    expect(bare.spec).toMatchObject({ ipFamilies: ['IPv4'], ipFamilyPolicy: 'RequireDualStack' });
  });

  it('NodePort and LoadBalancer get an external traffic policy; ClientIP gets a timeout', () => {
    expect(create(s, svc({ type: 'NodePort' })).obj.spec).toMatchObject({ externalTrafficPolicy: 'Cluster' });
    expect(create(s, svc({ type: 'LoadBalancer' })).obj.spec).toMatchObject({ allocateLoadBalancerNodePorts: true });
    expect(create(s, svc({ sessionAffinity: 'ClientIP' })).obj.spec).toMatchObject({ sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } });
  });

  it('ExternalName services get no cluster IP fields', () => {
    const { obj, message } = create(s, { kind: 'Service', metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
    expect(message).toBe('');
    applyClusterIPAssignment(obj);
    expect(obj.spec).toEqual({ type: 'ExternalName', externalName: 'example.com', sessionAffinity: 'None' });
  });
});

describe('Service validation', () => {
  it.each<[string, KubeObject, string]>([
    ['no ports', svc({ ports: [] }), 'Service "web" is invalid: spec.ports: Required value'],
    ['two unnamed ports', svc({ ports: [{ port: 80 }, { port: 443 }] }), 'Service "web" is invalid: [spec.ports[0].name: Required value, spec.ports[1].name: Required value]'],
    [
      'duplicate port names',
      svc({ ports: [{ name: 'http', port: 80 }, { name: 'http', port: 81 }] }),
      'Service "web" is invalid: spec.ports[1].name: Duplicate value: "http"',
    ],
    [
      'name is a DNS-1035 label',
      svc({}, '1web'),
      `Service "1web" is invalid: metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    ],
    ['port 0', svc({ ports: [{ port: 0, targetPort: 80 }] }), 'Service "web" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive'],
    [
      'bad selector value',
      svc({ selector: { app: 'my app' } }),
      `Service "web" is invalid: spec.selector: Invalid value: "my app": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ],
    ['unknown type', svc({ type: 'Magic' }), 'Service "web" is invalid: spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
    ['nodePort on ClusterIP', svc({ ports: [{ port: 80, nodePort: 30080 }] }), "Service \"web\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
    ['headless NodePort', svc({ type: 'NodePort', clusterIP: 'None' }), "Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"],
    ['ExternalName without a name', { kind: 'Service', metadata: { name: 'ext' }, spec: { type: 'ExternalName' } }, 'Service "ext" is invalid: spec.externalName: Required value'],
  ])('%s', (_, obj, want) => {
    expect(create(s, obj).message).toBe(want);
  });

  it('accepts a headless service without ports', () => {
    expect(create(s, svc({ clusterIP: 'None', ports: undefined })).message).toBe('');
  });
});

describe('Service updates', () => {
  const old = stored(s, svc());
  applyClusterIPAssignment(old, { ip: '10.43.0.10' });

  it('keeps allocated values the client omitted', () => {
    const next = structuredClone(old);
    const sp = next.spec as Record<string, unknown>;
    delete sp.clusterIP;
    delete sp.clusterIPs;
    delete sp.ipFamilies;
    delete sp.ipFamilyPolicy;
    const r = update(s, old, next);
    expect(r.message).toBe('');
    expect(r.obj.spec).toMatchObject({ clusterIP: '10.43.0.10', clusterIPs: ['10.43.0.10'], ipFamilies: ['IPv4'] });
    expect(r.generationBumped).toBe(false);
  });

  it('refuses to change the cluster IP', () => {
    const next = structuredClone(old);
    (next.spec as Record<string, unknown>).clusterIP = '10.43.0.99';
    expect(update(s, old, next).message).toBe('Service "web" is invalid: spec.clusterIPs[0]: Invalid value: ["10.43.0.99"]: may not change once set');
  });
});

describe('Endpoints and EndpointSlice', () => {
  it('validates addresses and defaults protocols', () => {
    const ep = create(endpointsStrategy(), { kind: 'Endpoints', metadata: { name: 'legacy' }, subsets: [{ addresses: [{ ip: '192.168.1.10' }], ports: [{ port: 5432 }] }] });
    expect(ep.message).toBe('');
    expect((ep.obj.subsets as any)[0].ports[0].protocol).toBe('TCP');
    expect(create(endpointsStrategy(), { kind: 'Endpoints', metadata: { name: 'x' }, subsets: [{ addresses: [{ ip: '300.1.1.1' }] }] }).message).toBe(
      'Endpoints "x" is invalid: subsets[0].addresses[0].ip: Invalid value: "300.1.1.1": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    );
  });
  it('keeps addressType immutable', () => {
    const es = endpointSliceStrategy();
    const old = stored(es, { kind: 'EndpointSlice', metadata: { name: 'web-abc' }, addressType: 'IPv4', endpoints: [{ addresses: ['10.42.0.1'] }], ports: [{ port: 80 }] });
    expect((old.ports as any)[0]).toEqual({ port: 80, name: '', protocol: 'TCP' });
    expect(update(es, old, { ...old, addressType: 'IPv6', endpoints: [] }).message).toBe(
      'EndpointSlice "web-abc" is invalid: addressType: Invalid value: "IPv6": field is immutable',
    );
  });
});

describe('Service type changes', () => {
  const nodePort = stored(s, svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
  applyClusterIPAssignment(nodePort, { ip: '10.96.5.5' });

  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['NodePort to ClusterIP drops the node ports it kept', { type: 'ClusterIP' }, { type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], internalTrafficPolicy: 'Cluster' }],
    ['NodePort to ExternalName drops the cluster IPs too', { type: 'ExternalName', externalName: 'example.com' }, { type: 'ExternalName', externalName: 'example.com' }],
  ])('%s', (_, change, want) => {
    const next = structuredClone(nodePort);
    Object.assign(next.spec!, change);
    const r = update(s, nodePort, next);
    expect(r.message).toBe('');
    expect(r.obj.spec).toMatchObject(want);
    expect(r.obj.spec).not.toHaveProperty('externalTrafficPolicy');
    expect(((r.obj.spec as { ports: object[] }).ports)[0]).not.toHaveProperty('nodePort');
    if (change.type === 'ExternalName') expect(r.obj.spec).not.toHaveProperty('clusterIP');
  });

  it('keeps a node port the client changed, and validation refuses it on a ClusterIP Service', () => {
    const next = structuredClone(nodePort);
    Object.assign(next.spec!, { type: 'ClusterIP', ports: [{ port: 80, nodePort: 30081 }] });
    expect(update(s, nodePort, next).message).toBe("Service \"web\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'");
  });
});
