import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { etcFiles, hostsFileContent, podHostnameAndDomain, terminationLogMount } from './etc-files.ts';
import type { Pod } from './types.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'etc-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const HEADER =
  '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n';

describe('hostsFileContent', () => {
  it.each<[string, Parameters<typeof hostsFileContent>[0], string]>([
    ['pod IP and hostname', { podIPs: ['10.0.0.5'], hostname: 'web-0', domain: '' }, `${HEADER}10.0.0.5\tweb-0\n`],
    [
      'FQDN with a subdomain, every pod IP',
      { podIPs: ['10.0.0.5', 'fd00::5'], hostname: 'web-0', domain: 'web.ns.svc.cluster.local' },
      `${HEADER}10.0.0.5\tweb-0.web.ns.svc.cluster.local\tweb-0\nfd00::5\tweb-0.web.ns.svc.cluster.local\tweb-0\n`,
    ],
    [
      'host aliases',
      { podIPs: ['10.0.0.5'], hostname: 'p', domain: '', hostAliases: [{ ip: '1.2.3.4', hostnames: ['foo', 'bar'] }, { ip: '5.6.7.8', hostnames: ['baz'] }] },
      `${HEADER}10.0.0.5\tp\n\n# Entries added by HostAliases.\n1.2.3.4\tfoo\tbar\n5.6.7.8\tbaz\n`,
    ],
    [
      'host network: the node file under its own header',
      { podIPs: [], hostname: 'node', domain: '', hostNetwork: true, nodeHostsFile: '127.0.0.1 localhost\n', hostAliases: [{ ip: '1.1.1.1', hostnames: ['one'] }] },
      '# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n\n# Entries added by HostAliases.\n1.1.1.1\tone\n',
    ],
  ])('%s', (_n, input, want) => {
    expect(hostsFileContent(input)).toBe(want);
  });
});

describe('etcFiles', () => {
  const base = { hostname: 'web-0', namespace: 'ns', clusterDomain: 'cluster.local', resolvConf: 'nameserver 10.96.0.10\n' };

  it('writes hosts, hostname and resolv.conf and returns their mounts', () => {
    const mounts = etcFiles(dir, { ...base, subdomain: 'web', podIPs: ['10.0.0.5'] });
    expect(mounts).toEqual([
      { source: join(dir, 'etc-hosts'), destination: '/etc/hosts', readOnly: false },
      { source: join(dir, 'hostname'), destination: '/etc/hostname', readOnly: false },
      { source: join(dir, 'resolv.conf'), destination: '/etc/resolv.conf', readOnly: false },
    ]);
    expect(readFileSync(join(dir, 'etc-hosts'), 'utf8')).toBe(`${HEADER}10.0.0.5\tweb-0.web.ns.svc.cluster.local\tweb-0\n`);
    expect(readFileSync(join(dir, 'hostname'), 'utf8')).toBe('web-0\n');
    expect(readFileSync(join(dir, 'resolv.conf'), 'utf8')).toBe('nameserver 10.96.0.10\n');
    expect(statSync(join(dir, 'etc-hosts')).mode & 0o777).toBe(0o644);
  });

  it('no /etc/hosts for a pod-network pod without an IP yet', () => {
    expect(etcFiles(dir, { ...base, podIPs: [] }).map((m) => m.destination)).toEqual(['/etc/hostname', '/etc/resolv.conf']);
  });

  it('host network pods get the node hosts file', () => {
    etcFiles(dir, { ...base, podIPs: [], hostNetwork: true, nodeHostsFile: '10.1.1.1 node\n' });
    expect(readFileSync(join(dir, 'etc-hosts'), 'utf8')).toBe('# Kubernetes-managed hosts file (host network).\n10.1.1.1 node\n');
  });
});

describe('podHostnameAndDomain', () => {
  const pod = (name: string, spec: Pod['spec'] = {}): Pod => ({ metadata: { name, namespace: 'ns' }, spec });
  it.each<[string, Pod, { hostname: string; domain: string } | string]>([
    ['pod name', pod('web-0'), { hostname: 'web-0', domain: '' }],
    ['spec.hostname and subdomain', pod('x', { hostname: 'h', subdomain: 'svc' }), { hostname: 'h', domain: 'svc.ns.svc.cluster.local' }],
    ['long names are cut without trailing dashes', pod(`${'a'.repeat(62)}-b`), { hostname: 'a'.repeat(62), domain: '' }],
    ['invalid hostname', pod('x', { hostname: 'Bad_Name' }), 'pod Hostname "Bad_Name" is not a valid DNS label'],
    ['invalid subdomain', pod('x', { subdomain: 'a.b' }), 'pod Subdomain "a.b" is not a valid DNS label'],
  ])('%s', (_n, p, want) => {
    if (typeof want === 'string') expect(() => podHostnameAndDomain(p, 'cluster.local')).toThrow(want);
    else expect(podHostnameAndDomain(p, 'cluster.local')).toEqual(want);
  });
});

describe('terminationLogMount', () => {
  it('a 0666 file per container instance at terminationMessagePath', () => {
    const m = terminationLogMount(dir, { name: 'app' }, 'abc123');
    expect(m).toEqual({ source: join(dir, 'containers/app/abc123'), destination: '/dev/termination-log', readOnly: false });
    expect(statSync(m.source).mode & 0o777).toBe(0o666);
    expect(terminationLogMount(dir, { name: 'app', terminationMessagePath: '/tmp/msg' }, 'd').destination).toBe('/tmp/msg');
  });
});
