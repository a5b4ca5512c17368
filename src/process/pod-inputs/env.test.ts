import { describe, expect, it } from 'vitest';
import { type EnvContext, type ServiceLike, containerEnv, envStrings, serviceEnvVars, visibleServices } from './env.ts';
import type { Container, Pod } from './types.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

const svc = (ns: string, name: string, clusterIP: string, ports: { name?: string; port: number; protocol?: string }[] = [{ port: 80 }]): ServiceLike => ({
  metadata: { namespace: ns, name },
  spec: { clusterIP, ports },
});

const SERVICES = [
  svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]),
  svc('default', 'other', '10.96.0.9'),
  svc('ns', 'web-front', '10.96.0.20', [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }]),
  svc('ns', 'headless', 'None'),
  svc('ns', 'pending', ''),
];

const CONFIG_MAPS: Record<string, { data?: Record<string, string> }> = {
  'ns/cfg': { data: { LEVEL: 'debug', 'bad key': 'x', '1BAD': 'y', PATH_SUFFIX: '/opt' } },
  'ns/other': { data: { LEVEL: 'info' } },
};
const SECRETS: Record<string, { data?: Record<string, string> }> = {
  'ns/creds': { data: { PASSWORD: b64('s3cret'), 'bad-': b64('z') } },
};

const ctx = (over: Partial<EnvContext> = {}): EnvContext => ({
  configMap: (ns, name) => CONFIG_MAPS[`${ns}/${name}`],
  secret: (ns, name) => SECRETS[`${ns}/${name}`],
  services: (ns) => SERVICES.filter((s) => s.metadata.namespace === ns),
  nodeName: 'node-a',
  hostIPs: ['192.168.1.5', 'fd00::5'],
  podIPs: ['10.244.0.7', 'fd00:244::7'],
  allocatable: { cpu: '4', memory: '8Gi', 'ephemeral-storage': '100Gi' },
  ...over,
});

const pod = (spec: Pod['spec'] = {}, meta: Partial<Pod['metadata']> = {}): Pod => ({
  metadata: {
    name: 'p',
    namespace: 'ns',
    uid: 'uid-1',
    labels: { app: 'web', tier: 'front' },
    annotations: { note: 'say "hi"\n' },
    ...meta,
  },
  spec: { serviceAccountName: 'sa', nodeName: 'node-a', ...spec },
});

const asMap = (pairs: [string, string][]) => Object.fromEntries(pairs);

describe('serviceEnvVars', () => {
  it('names the variables as docker links do', () => {
    expect(serviceEnvVars([SERVICES[2]!])).toEqual([
      ['WEB_FRONT_SERVICE_HOST', '10.96.0.20'],
      ['WEB_FRONT_SERVICE_PORT', '80'],
      ['WEB_FRONT_SERVICE_PORT_HTTP', '80'],
      ['WEB_FRONT_SERVICE_PORT_DNS', '53'],
      ['WEB_FRONT_PORT', 'tcp://10.96.0.20:80'],
      ['WEB_FRONT_PORT_80_TCP', 'tcp://10.96.0.20:80'],
      ['WEB_FRONT_PORT_80_TCP_PROTO', 'tcp'],
      ['WEB_FRONT_PORT_80_TCP_PORT', '80'],
      ['WEB_FRONT_PORT_80_TCP_ADDR', '10.96.0.20'],
      ['WEB_FRONT_PORT_53_UDP', 'udp://10.96.0.20:53'],
      ['WEB_FRONT_PORT_53_UDP_PROTO', 'udp'],
      ['WEB_FRONT_PORT_53_UDP_PORT', '53'],
      ['WEB_FRONT_PORT_53_UDP_ADDR', '10.96.0.20'],
    ]);
  });

  it('brackets IPv6 cluster IPs in URLs', () => {
    const env = asMap(serviceEnvVars([svc('default', 'kubernetes', 'fd00::1', [{ name: 'https', port: 443 }])]));
    expect(env.KUBERNETES_PORT).toBe('tcp://[fd00::1]:443');
    expect(env.KUBERNETES_PORT_443_TCP_ADDR).toBe('fd00::1');
    expect(env.KUBERNETES_SERVICE_HOST).toBe('fd00::1');
  });

  it('skips Services without a cluster IP', () => {
    expect(serviceEnvVars([SERVICES[3]!, SERVICES[4]!])).toEqual([]);
  });
});

describe('visibleServices', () => {
  const names = (l: ServiceLike[]) => l.map((s) => `${s.metadata.namespace}/${s.metadata.name}`);
  it.each<[string, string, boolean, ServiceLike[], string[]]>([
    ['links on: namespace and master', 'ns', true, SERVICES, ['default/kubernetes', 'ns/web-front']],
    ['links off: master only', 'ns', false, SERVICES, ['default/kubernetes']],
    ['default namespace sees its own', 'default', true, SERVICES, ['default/kubernetes', 'default/other']],
    ['default namespace, links off', 'default', false, SERVICES, ['default/kubernetes']],
    [
      "a namespace's own kubernetes Service replaces the master",
      'ns',
      true,
      [...SERVICES, svc('ns', 'kubernetes', '10.96.0.50')],
      ['ns/kubernetes', 'ns/web-front'],
    ],
  ])('%s', (_n, ns, links, all, want) => {
    expect(names(visibleServices(ns, links, { services: (n) => all.filter((s) => s.metadata.namespace === n) }))).toEqual(want);
  });
});

describe('containerEnv', () => {
  it('orders image env, service links, envFrom, env; later sources override in place', () => {
    const c: Container = {
      name: 'c',
      envFrom: [{ configMapRef: { name: 'other' } }],
      env: [
        { name: 'PATH', value: '/custom' },
        { name: 'LEVEL', value: 'warn' },
        { name: 'FIRST', value: 'one' },
      ],
    };
    const r = containerEnv(pod({ enableServiceLinks: false }), c, ctx({ imageEnv: ['PATH=/usr/bin', 'HOME=/root', 'LEVEL=img'] }));
    expect(r.error).toBeUndefined();
    expect(r.env.map(([k]) => k)).toEqual([
      'PATH',
      'HOME',
      'LEVEL',
      'KUBERNETES_SERVICE_HOST',
      'KUBERNETES_SERVICE_PORT',
      'KUBERNETES_SERVICE_PORT_HTTPS',
      'KUBERNETES_PORT',
      'KUBERNETES_PORT_443_TCP',
      'KUBERNETES_PORT_443_TCP_PROTO',
      'KUBERNETES_PORT_443_TCP_PORT',
      'KUBERNETES_PORT_443_TCP_ADDR',
      'FIRST',
    ]);
    expect(asMap(r.env)).toMatchObject({ PATH: '/custom', HOME: '/root', LEVEL: 'warn' });
    // The container's own variables leave the image's out (command expansion uses these).
    expect(r.containerEnv.map(([k]) => k)).not.toContain('HOME');
    expect(envStrings([['A', 'b=c']])).toEqual(['A=b=c']);
  });

  it('adds namespace service links when enabled (the default)', () => {
    const r = containerEnv(pod(), { name: 'c' }, ctx());
    expect(asMap(r.env).WEB_FRONT_SERVICE_HOST).toBe('10.96.0.20');
    expect(asMap(r.env).KUBERNETES_SERVICE_HOST).toBe('10.96.0.1');
    expect(Object.keys(asMap(r.env)).some((k) => k.startsWith('HEADLESS'))).toBe(false);
  });

  it('env overrides a service link variable', () => {
    const r = containerEnv(pod(), { name: 'c', env: [{ name: 'KUBERNETES_SERVICE_HOST', value: 'elsewhere' }] }, ctx());
    expect(asMap(r.env).KUBERNETES_SERVICE_HOST).toBe('elsewhere');
    expect(r.env.filter(([k]) => k === 'KUBERNETES_SERVICE_HOST')).toHaveLength(1);
  });

  it('envFrom: prefixes, decodes secrets, skips invalid names with the kubelet event', () => {
    const c: Container = {
      name: 'c',
      envFrom: [{ configMapRef: { name: 'cfg' } }, { prefix: 'S_', secretRef: { name: 'creds' } }],
    };
    const r = containerEnv(pod({ enableServiceLinks: false }), c, ctx());
    expect(asMap(r.env)).toMatchObject({ LEVEL: 'debug', PATH_SUFFIX: '/opt', S_PASSWORD: 's3cret', 'S_bad-': 'z' });
    expect(r.events).toEqual([
      {
        type: 'Warning',
        reason: 'InvalidEnvironmentVariableNames',
        message: 'Keys [1BAD, bad key] from the EnvFrom configMap ns/cfg were skipped since they are considered invalid environment variable names.',
      },
    ]);
  });

  it('envFrom secret invalid keys name the secret', () => {
    const r = containerEnv(pod(), { name: 'c', envFrom: [{ prefix: '1', secretRef: { name: 'creds' } }] }, ctx());
    expect(r.events[0]!.message).toBe(
      'Keys [1PASSWORD, 1bad-] from the EnvFrom secret ns/creds were skipped since they are considered invalid environment variable names.',
    );
  });

  it.each<[string, Container, string | undefined]>([
    ['missing configMapRef', { name: 'c', envFrom: [{ configMapRef: { name: 'nope' } }] }, 'configmap "nope" not found'],
    ['optional configMapRef', { name: 'c', envFrom: [{ configMapRef: { name: 'nope', optional: true } }] }, undefined],
    ['missing secretRef', { name: 'c', envFrom: [{ secretRef: { name: 'nope' } }] }, 'secret "nope" not found'],
    ['optional secretRef', { name: 'c', envFrom: [{ secretRef: { name: 'nope', optional: true } }] }, undefined],
    ['missing configMapKeyRef map', { name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }] }, 'configmap "nope" not found'],
    ['missing configMapKeyRef key', { name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] }, "couldn't find key k in ConfigMap ns/cfg"],
    ['optional configMapKeyRef key', { name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k', optional: true } } }] }, undefined],
    ['missing secretKeyRef secret', { name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }] }, 'secret "nope" not found'],
    ['missing secretKeyRef key', { name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } }] }, "couldn't find key k in Secret ns/creds"],
    ['optional secretKeyRef', { name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } }] }, undefined],
    ['unsupported fieldPath', { name: 'c', env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.hostname' } } }] }, 'unsupported fieldPath: spec.hostname'],
    ['unsupported resource', { name: 'c', env: [{ name: 'X', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } }] }, 'unsupported container resource : limits.gpu'],
    ['unknown container', { name: 'c', env: [{ name: 'X', valueFrom: { resourceFieldRef: { containerName: 'zz', resource: 'limits.cpu' } } }] }, 'container zz not found'],
  ])('%s', (_n, c, want) => {
    const r = containerEnv(pod(), c, ctx());
    expect(r.error).toBe(want);
    if (want === undefined) expect(asMap(r.env).X).toBeUndefined();
  });

  it('resolves valueFrom fields', () => {
    const field = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } });
    const c: Container = {
      name: 'c',
      env: [
        field('NAME', 'metadata.name'),
        field('NS', 'metadata.namespace'),
        field('UID', 'metadata.uid'),
        field('APP', "metadata.labels['app']"),
        field('MISSING', "metadata.labels['nope']"),
        field('NOTE', "metadata.annotations['note']"),
        field('NODE', 'spec.nodeName'),
        field('SA', 'spec.serviceAccountName'),
        field('HOST_IP', 'status.hostIP'),
        field('HOST_IPS', 'status.hostIPs'),
        field('POD_IP', 'status.podIP'),
        field('POD_IPS', 'status.podIPs'),
        { name: 'CM', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'LEVEL' } } },
        { name: 'PW', valueFrom: { secretKeyRef: { name: 'creds', key: 'PASSWORD' } } },
      ],
    };
    expect(asMap(containerEnv(pod(), c, ctx()).env)).toMatchObject({
      NAME: 'p',
      NS: 'ns',
      UID: 'uid-1',
      APP: 'web',
      MISSING: '',
      NOTE: 'say "hi"\n',
      NODE: 'node-a',
      SA: 'sa',
      HOST_IP: '192.168.1.5',
      HOST_IPS: '192.168.1.5,fd00::5',
      POD_IP: '10.244.0.7',
      POD_IPS: '10.244.0.7,fd00:244::7',
      CM: 'debug',
      PW: 's3cret',
    });
  });

  it('resolves resourceFieldRef with divisors and node allocatable for unset limits', () => {
    const res = (name: string, resource: string, divisor?: string, containerName?: string) => ({
      name,
      valueFrom: { resourceFieldRef: { resource, ...(divisor ? { divisor } : {}), ...(containerName ? { containerName } : {}) } },
    });
    const c: Container = {
      name: 'c',
      resources: { limits: { cpu: '250m', memory: '64Mi' }, requests: { cpu: '100m' } },
      env: [
        res('CPU_LIMIT', 'limits.cpu'),
        res('CPU_LIMIT_M', 'limits.cpu', '1m'),
        res('CPU_REQ_M', 'requests.cpu', '1m'),
        res('MEM_LIMIT', 'limits.memory'),
        res('MEM_LIMIT_MI', 'limits.memory', '1Mi'),
        res('MEM_REQ', 'requests.memory'),
        res('EPH_LIMIT_GI', 'limits.ephemeral-storage', '1Gi'),
        res('SIDE_CPU', 'limits.cpu', '1m', 'side'),
      ],
    };
    const p = pod({ containers: [c, { name: 'side' }] });
    const r = containerEnv(p, c, ctx());
    expect(r.error).toBeUndefined();
    expect(asMap(r.env)).toMatchObject({
      CPU_LIMIT: '1',
      CPU_LIMIT_M: '250',
      CPU_REQ_M: '100',
      MEM_LIMIT: String(64 * 1024 * 1024),
      MEM_LIMIT_MI: '64',
      MEM_REQ: '0',
      EPH_LIMIT_GI: '100',
      SIDE_CPU: '4000',
    });
  });

  it('formats whole label and annotation maps as the downward API does', () => {
    const c: Container = { name: 'c', env: [{ name: 'L', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } }] };
    expect(asMap(containerEnv(pod(), c, ctx()).env).L).toBe('app="web"\ntier="front"');
  });

  it('expands $(VAR) against envFrom, earlier env and service links only', () => {
    const c: Container = {
      name: 'c',
      envFrom: [{ configMapRef: { name: 'cfg' } }],
      env: [
        { name: 'A', value: 'a' },
        { name: 'B', value: '$(A)-$(LEVEL)-$(C)-$(KUBERNETES_SERVICE_HOST)-$(HOME)-$$(A)' },
        { name: 'C', value: 'c' },
        { name: 'A', value: '$(A)$(A)' },
      ],
    };
    const r = containerEnv(pod(), c, ctx({ imageEnv: ['HOME=/root'] }));
    expect(asMap(r.env).B).toBe('a-debug-$(C)-10.96.0.1-$(HOME)-$(A)');
    expect(asMap(r.env).A).toBe('aa');
  });

  it('an empty value with valueFrom unset is the empty string', () => {
    expect(asMap(containerEnv(pod(), { name: 'c', env: [{ name: 'E', value: '' }, { name: 'F' }] }, ctx()).env)).toMatchObject({ E: '', F: '' });
  });
});
