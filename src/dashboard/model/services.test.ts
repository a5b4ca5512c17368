import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { servicesView, type ServiceGlance } from './services.ts';

const service = (name: string, spec: Record<string, unknown>, namespace = 'shop'): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec });

interface Ep {
  ip: string;
  hostname?: string;
  /** undefined: the condition is absent (counts as ready). */
  ready?: boolean;
}

function slice(name: string, svc: string, endpoints: Ep[], o: { addressType?: string; namespace?: string } = {}): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: o.namespace ?? 'shop', labels: { 'kubernetes.io/service-name': svc } },
    addressType: o.addressType ?? 'IPv4',
    endpoints: endpoints.map((e) => ({ addresses: [e.ip], ...(e.hostname ? { hostname: e.hostname } : {}), ...(e.ready === undefined ? {} : { conditions: { ready: e.ready } }) })),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

/** Names in lines: `name -> answers` (CNAME marked). */
const names = (s: ServiceGlance) => s.names.map((n) => `${n.name} ${n.cname ? 'CNAME' : '->'} ${n.answers.join(',')}`);

describe('servicesView: the names cluster DNS answers', () => {
  const cases: { name: string; services: KubeObject[]; slices: KubeObject[]; domain?: string; names: string[][] }[] = [
    {
      name: "a ClusterIP Service's name answers its cluster IP, not its endpoints",
      services: [service('api', { clusterIP: '10.96.0.10', selector: { app: 'api' }, ports: [{ port: 80 }] })],
      slices: [slice('api-abc', 'api', [{ ip: '10.244.1.5', ready: true }])],
      names: [['api.shop.svc.cluster.local -> 10.96.0.10']],
    },
    {
      name: 'dual stack: both cluster IPs',
      services: [service('api', { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10', 'fd00::a'] })],
      slices: [],
      names: [['api.shop.svc.cluster.local -> 10.96.0.10,fd00::a']],
    },
    {
      name: 'headless: ready endpoints only, and a name per endpoint (hostname, else dashed address), across slices, in ordinal order',
      services: [service('web', { clusterIP: 'None', selector: { app: 'web' } })],
      slices: [
        slice('web-a', 'web', [
          { ip: '10.244.1.10', hostname: 'web-10', ready: true },
          { ip: '10.244.1.2', hostname: 'web-2' },
          { ip: '10.244.1.3', hostname: 'web-3', ready: false },
        ]),
        slice('web-b', 'web', [
          { ip: '10.244.2.1', hostname: 'web-1', ready: true },
          { ip: '10.244.2.9', ready: true },
        ]),
        slice('web-fqdn', 'web', [{ ip: 'db.example.com' }], { addressType: 'FQDN' }),
        slice('other', 'web2', [{ ip: '10.244.3.1', hostname: 'x', ready: true }]),
        slice('web-elsewhere', 'web', [{ ip: '10.244.4.1', hostname: 'y', ready: true }], { namespace: 'other' }),
      ],
      names: [
        [
          'web.shop.svc.cluster.local -> 10.244.1.10,10.244.1.2,10.244.2.1,10.244.2.9',
          '10-244-2-9.web.shop.svc.cluster.local -> 10.244.2.9',
          'web-1.web.shop.svc.cluster.local -> 10.244.2.1',
          'web-2.web.shop.svc.cluster.local -> 10.244.1.2',
          'web-10.web.shop.svc.cluster.local -> 10.244.1.10',
        ],
      ],
    },
    {
      name: 'headless without endpoints answers nothing yet',
      services: [service('web', { clusterIP: 'None' })],
      slices: [],
      names: [['web.shop.svc.cluster.local -> ']],
    },
    {
      name: 'ExternalName is a CNAME',
      services: [service('db', { type: 'ExternalName', externalName: 'db.example.com' })],
      slices: [],
      names: [['db.shop.svc.cluster.local CNAME db.example.com']],
    },
    {
      name: 'another cluster domain; Services sorted by namespace then name',
      services: [service('b', { clusterIP: '10.96.0.2' }, 'a'), service('a', { clusterIP: '10.96.0.3' }, 'b'), service('a', { clusterIP: '10.96.0.1' }, 'a')],
      slices: [],
      domain: 'k8ts.test',
      names: [['a.a.svc.k8ts.test -> 10.96.0.1'], ['b.a.svc.k8ts.test -> 10.96.0.2'], ['a.b.svc.k8ts.test -> 10.96.0.3']],
    },
  ];
  it.each(cases)('$name', ({ services, slices, domain, names: want }) => {
    expect(servicesView({ services, endpointslices: slices }, domain).map(names)).toEqual(want);
  });
});

describe('servicesView: the Service row', () => {
  it('ClusterIP with ports and selector', () => {
    const [row] = servicesView({
      services: [service('api', { clusterIP: '10.96.0.10', selector: { app: 'api', tier: 'be' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }, { port: 53, protocol: 'UDP' }] })],
      endpointslices: [slice('api-abc', 'api', [{ ip: '10.244.1.5', ready: true }, { ip: '10.244.1.6', ready: false }])],
    });
    expect(row).toEqual({
      namespace: 'shop',
      name: 'api',
      type: 'ClusterIP',
      headless: false,
      clusterIP: '10.96.0.10',
      ports: ['http:80/TCP', '53/UDP'],
      selector: 'app=api,tier=be',
      endpoints: 1,
      publishNotReadyAddresses: false,
      names: [{ name: 'api.shop.svc.cluster.local', answers: ['10.96.0.10'] }],
    });
  });

  it('NodePort shows the node port', () => {
    const [row] = servicesView({ services: [service('web', { type: 'NodePort', clusterIP: '10.96.0.11', ports: [{ port: 80, nodePort: 30080 }] })], endpointslices: [] });
    expect([row!.type, row!.ports]).toEqual(['NodePort', ['80:30080/TCP']]);
  });

  it('headless with publishNotReadyAddresses: the slice marks not-ready pods ready, so DNS answers them', () => {
    const [row] = servicesView({
      services: [service('db', { clusterIP: 'None', publishNotReadyAddresses: true })],
      // The EndpointSlice controller sets ready: true for every endpoint of such a Service.
      endpointslices: [slice('db-a', 'db', [{ ip: '10.244.1.7', hostname: 'db-0', ready: true }])],
    });
    expect(row).toMatchObject({ clusterIP: 'None', headless: true, endpoints: 1, publishNotReadyAddresses: true });
    expect(names(row!)).toEqual(['db.shop.svc.cluster.local -> 10.244.1.7', 'db-0.db.shop.svc.cluster.local -> 10.244.1.7']);
  });
});
