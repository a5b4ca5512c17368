import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigMapLike, SecretLike } from './env.ts';
import type { Container, Pod, Volume } from './types.ts';
import { type ContainerMount, type PreparedVolume, type VolumeContext, checkHostPathType, containerMounts, expandSubPathExpr, prepareVolumes, unsupportedVolumes } from './volumes.ts';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'volumes-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const b64 = (s: string) => Buffer.from(s).toString('base64');

const pod = (volumes: Volume[], spec: Pod['spec'] = {}): Pod => ({
  metadata: { name: 'web-0', namespace: 'ns', uid: 'u1', labels: { app: 'web' } },
  spec: { volumes, containers: [{ name: 'c', resources: { limits: { memory: '64Mi' } } }], ...spec },
});

const CONFIG_MAPS: Record<string, ConfigMapLike> = {
  'ns/cfg': { data: { 'app.conf': 'x=1', other: 'o' }, binaryData: { blob: b64('\u0001\u0002') } },
  'ns/kube-root-ca.crt': { data: { 'ca.crt': 'CA' } },
};
const SECRETS: Record<string, SecretLike> = { 'ns/creds': { data: { password: b64('s3cret'), user: b64('admin') } } };

const ctx = (over: Partial<VolumeContext> = {}): VolumeContext => ({
  podDir: join(tmp, 'pod'),
  configMap: (ns, name) => CONFIG_MAPS[`${ns}/${name}`],
  secret: async (ns, name) => SECRETS[`${ns}/${name}`],
  claimPath: async (ns, claim) => {
    if (claim === 'unbound') throw new Error('claim ns/unbound is not bound');
    const d = join(tmp, 'pv', `${ns}-${claim}`);
    mkdirSync(d, { recursive: true });
    return d;
  },
  serviceAccountToken: (p, audience, exp) => `token:${p.metadata.name}:${audience}:${exp}`,
  podIPs: ['10.0.0.5'],
  allocatable: { memory: '1Gi', cpu: '2' },
  ...over,
});

const read = (p: string) => readFileSync(p, 'utf8');
const mode = (p: string) => statSync(p).mode & 0o777;

describe('prepareVolumes', () => {
  it('emptyDir: a 0777 directory; Memory medium is a tmpfs with its size limit', async () => {
    const vols = await prepareVolumes(pod([{ name: 'scratch', emptyDir: {} }, { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } }]), ctx());
    const scratch = vols.get('scratch')!;
    expect(scratch).toEqual({ hostPath: join(tmp, 'pod/volumes/kubernetes.io~empty-dir/scratch'), readOnly: false, kind: 'emptyDir' });
    expect(mode(scratch.hostPath)).toBe(0o777);
    expect(vols.get('mem')).toMatchObject({ kind: 'tmpfs', sizeLimitBytes: 64 * 1024 * 1024 });
  });

  it('configMap: every key (data and binaryData) with the default mode 0644, read-only', async () => {
    const v = (await prepareVolumes(pod([{ name: 'cfg', configMap: { name: 'cfg' } }]), ctx())).get('cfg')!;
    expect(v).toMatchObject({ hostPath: join(tmp, 'pod/volumes/kubernetes.io~configmap/cfg'), readOnly: true, kind: 'configMap' });
    expect(read(join(v.hostPath, 'app.conf'))).toBe('x=1');
    expect(readFileSync(join(v.hostPath, 'blob'))).toEqual(Buffer.from([1, 2]));
    expect(readlinkSync(join(v.hostPath, 'app.conf'))).toBe('..data/app.conf');
    expect(mode(join(v.hostPath, 'app.conf'))).toBe(0o644);
  });

  it('configMap items: key → path with per-item and default modes', async () => {
    const v = (
      await prepareVolumes(
        pod([{ name: 'cfg', configMap: { name: 'cfg', defaultMode: 0o440, items: [{ key: 'app.conf', path: 'conf/app.conf', mode: 0o400 }, { key: 'other', path: 'o' }] } }]),
        ctx(),
      )
    ).get('cfg')!;
    expect(read(join(v.hostPath, 'conf/app.conf'))).toBe('x=1');
    expect(mode(join(v.hostPath, 'conf/app.conf'))).toBe(0o400);
    expect(mode(join(v.hostPath, 'o'))).toBe(0o440);
    expect(existsSync(join(v.hostPath, 'other'))).toBe(false);
  });

  it('secret: decoded values; items and defaultMode', async () => {
    const v = (await prepareVolumes(pod([{ name: 's', secret: { secretName: 'creds', defaultMode: 0o400, items: [{ key: 'password', path: 'pw' }] } }]), ctx())).get('s')!;
    expect(v).toMatchObject({ hostPath: join(tmp, 'pod/volumes/kubernetes.io~secret/s'), readOnly: true, kind: 'secret' });
    expect(read(join(v.hostPath, 'pw'))).toBe('s3cret');
    expect(mode(join(v.hostPath, 'pw'))).toBe(0o400);
  });

  it('optional sources that are missing give an empty volume', async () => {
    const vols = await prepareVolumes(
      pod([
        { name: 'a', configMap: { name: 'nope', optional: true } },
        { name: 'b', secret: { secretName: 'nope', optional: true } },
        { name: 'c', configMap: { name: 'cfg', optional: true, items: [{ key: 'missing', path: 'm' }] } },
      ]),
      ctx(),
    );
    expect(existsSync(join(vols.get('a')!.hostPath, '..data'))).toBe(true);
    expect(existsSync(join(vols.get('c')!.hostPath, 'm'))).toBe(false);
  });

  it('downwardAPI: pod fields and resources', async () => {
    const v = (
      await prepareVolumes(
        pod([
          {
            name: 'info',
            downwardAPI: {
              items: [
                { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
                { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
                { path: 'mem', resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' } },
                { path: 'cpu', resourceFieldRef: { containerName: 'c', resource: 'limits.cpu', divisor: '1m' } },
              ],
            },
          },
        ]),
        ctx(),
      )
    ).get('info')!;
    expect(v.kind).toBe('downwardAPI');
    expect(read(join(v.hostPath, 'name'))).toBe('web-0');
    expect(read(join(v.hostPath, 'labels'))).toBe('app="web"');
    expect(read(join(v.hostPath, 'mem'))).toBe('64');
    expect(read(join(v.hostPath, 'cpu'))).toBe('2000');
  });

  it('projected: the kube-api-access volume (token, ca.crt, namespace)', async () => {
    const v = (
      await prepareVolumes(
        pod([
          {
            name: 'kube-api-access-abcde',
            projected: {
              defaultMode: 0o644,
              sources: [
                { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
                { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
                { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
              ],
            },
          },
        ]),
        ctx(),
      )
    ).get('kube-api-access-abcde')!;
    expect(v).toMatchObject({ hostPath: join(tmp, 'pod/volumes/kubernetes.io~projected/kube-api-access-abcde'), readOnly: true, kind: 'projected' });
    expect(read(join(v.hostPath, 'token'))).toBe('token:web-0::3607');
    expect(read(join(v.hostPath, 'ca.crt'))).toBe('CA');
    expect(read(join(v.hostPath, 'namespace'))).toBe('ns');
  });

  it('projected: a token with an audience, 0600 with an fsGroup; secret source', async () => {
    const v = (
      await prepareVolumes(
        pod([{ name: 'p', projected: { sources: [{ serviceAccountToken: { audience: 'vault', path: 't' } }, { secret: { name: 'creds' } }] } }], {
          securityContext: { fsGroup: 2000 },
        }),
        ctx(),
      )
    ).get('p')!;
    expect(read(join(v.hostPath, 't'))).toBe('token:web-0:vault:3600');
    expect(mode(join(v.hostPath, 't'))).toBe(0o600);
    expect(read(join(v.hostPath, 'user'))).toBe('admin');
  });

  it('persistentVolumeClaim and ephemeral volumes use the claim’s directory', async () => {
    const vols = await prepareVolumes(pod([{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-0', readOnly: true } }, { name: 'scratch', ephemeral: { volumeClaimTemplate: {} } }]), ctx());
    expect(vols.get('data')).toEqual({ hostPath: join(tmp, 'pv/ns-data-web-0'), readOnly: true, kind: 'persistentVolumeClaim' });
    expect(vols.get('scratch')).toEqual({ hostPath: join(tmp, 'pv/ns-web-0-scratch'), readOnly: false, kind: 'ephemeral' });
  });

  it('hostPath: the node path after its type check', async () => {
    const dir = join(tmp, 'host/dir');
    const vols = await prepareVolumes(pod([{ name: 'h', hostPath: { path: dir, type: 'DirectoryOrCreate' } }]), ctx());
    expect(vols.get('h')).toEqual({ hostPath: dir, readOnly: false, kind: 'hostPath' });
    expect(statSync(dir).isDirectory()).toBe(true);
  });

  it.each<[string, Volume[], string]>([
    ['missing configMap', [{ name: 'v', configMap: { name: 'nope' } }], 'MountVolume.SetUp failed for volume "v" : configmap "nope" not found'],
    ['missing configMap key', [{ name: 'v', configMap: { name: 'cfg', items: [{ key: 'k', path: 'k' }] } }], 'MountVolume.SetUp failed for volume "v" : configmap references non-existent config key: k'],
    ['missing secret', [{ name: 'v', secret: { secretName: 'nope' } }], 'MountVolume.SetUp failed for volume "v" : secret "nope" not found'],
    ['missing secret key', [{ name: 'v', secret: { secretName: 'creds', items: [{ key: 'k', path: 'k' }] } }], 'MountVolume.SetUp failed for volume "v" : secret references non-existent secret key: k'],
    [
      'projected errors aggregate',
      [{ name: 'v', projected: { sources: [{ configMap: { name: 'a' } }, { secret: { name: 'b' } }] } }],
      'MountVolume.SetUp failed for volume "v" : [configmap "a" not found, secret "b" not found]',
    ],
    ['unbound claim', [{ name: 'v', persistentVolumeClaim: { claimName: 'unbound' } }], 'MountVolume.SetUp failed for volume "v" : claim ns/unbound is not bound'],
    ['hostPath backsteps', [{ name: 'v', hostPath: { path: '/tmp/../etc' } }], "MountVolume.SetUp failed for volume \"v\" : invalid HostPath `/tmp/../etc`: must not contain '..'"],
    ['unsupported types', [{ name: 'a', nfs: { server: 's', path: '/' } }, { name: 'b', emptyDir: {} }, { name: 'c', csi: { driver: 'd' } }], 'unsupported volume types: a (nfs), c (csi)'],
    ['bad item path', [{ name: 'v', configMap: { name: 'cfg', items: [{ key: 'other', path: '../x' }] } }], "MountVolume.SetUp failed for volume \"v\" : invalid path: must not contain '..': ../x"],
  ])('%s', async (_n, volumes, want) => {
    await expect(prepareVolumes(pod(volumes), ctx())).rejects.toThrow(want);
  });

  it('without a token source on the node, a token projection fails', async () => {
    await expect(prepareVolumes(pod([{ name: 'p', projected: { sources: [{ serviceAccountToken: { path: 't' } }] } }]), ctx({ serviceAccountToken: undefined }))).rejects.toThrow(
      'service account token sources are not supported on this node',
    );
  });

  it('lists unsupported volumes', () => {
    expect(unsupportedVolumes(pod([{ name: 'ok', emptyDir: {} }, { name: 'g', gitRepo: { repository: 'x' } }]))).toEqual(['g (gitRepo)']);
  });
});

describe('checkHostPathType', () => {
  it.each<[string, string, string | undefined]>([
    ['dir', 'Directory', undefined],
    ['file', 'Directory', 'is not a directory'],
    ['missing', 'Directory', 'is not a directory'],
    ['file', 'File', undefined],
    ['dir', 'File', 'is not a file'],
    ['missing', 'File', 'is not a file'],
    ['dir', 'DirectoryOrCreate', undefined],
    ['file', 'DirectoryOrCreate', 'is not a directory'],
    ['file', 'FileOrCreate', undefined],
    ['dir', 'FileOrCreate', 'is not a file'],
    ['dir', 'Socket', 'is not a socket file'],
    ['file', 'CharDevice', 'is not a character device'],
    ['file', 'BlockDevice', 'is not a block device'],
    ['missing', '', undefined],
  ])('%s as %s', (what, type, want) => {
    mkdirSync(join(tmp, 'dir'));
    writeFileSync(join(tmp, 'file'), '');
    const p = join(tmp, what);
    if (want) expect(() => checkHostPathType(p, type)).toThrow(`hostPath type check failed: ${p} ${want}`);
    else expect(() => checkHostPathType(p, type)).not.toThrow();
  });

  it('creates what the OrCreate types ask for', () => {
    checkHostPathType(join(tmp, 'a/b/c'), 'DirectoryOrCreate');
    expect(statSync(join(tmp, 'a/b/c')).isDirectory()).toBe(true);
    checkHostPathType(join(tmp, 'f'), 'FileOrCreate');
    expect(statSync(join(tmp, 'f')).isFile()).toBe(true);
    expect(() => checkHostPathType(tmp, 'Weird')).toThrow('Weird is an invalid volume type');
  });

  it('accepts character devices', () => {
    expect(() => checkHostPathType('/dev/null', 'CharDevice')).not.toThrow();
  });
});

describe('containerMounts', () => {
  let vols: Map<string, PreparedVolume>;
  beforeEach(() => {
    const data = join(tmp, 'data');
    mkdirSync(data, { recursive: true });
    vols = new Map<string, PreparedVolume>([
      ['data', { hostPath: data, readOnly: false, kind: 'emptyDir' }],
      ['cfg', { hostPath: join(tmp, 'cfg'), readOnly: true, kind: 'configMap' }],
      ['mem', { hostPath: join(tmp, 'mem'), readOnly: false, kind: 'tmpfs', sizeLimitBytes: 1024 }],
    ]);
    mkdirSync(join(tmp, 'cfg'));
    mkdirSync(join(tmp, 'mem'));
  });
  const c = (volumeMounts: Container['volumeMounts']): Container => ({ name: 'app', volumeMounts });

  it('orders by depth so parents come before children; a relative mountPath is made absolute', () => {
    const m = containerMounts(
      c([
        { name: 'cfg', mountPath: '/etc/app/conf' },
        { name: 'data', mountPath: '/etc/app', readOnly: true },
        { name: 'mem', mountPath: 'scratch' },
      ]),
      vols,
    );
    expect(m).toEqual<ContainerMount[]>([
      { source: join(tmp, 'mem'), destination: '/scratch', readOnly: false, tmpfs: true, sizeLimitBytes: 1024 },
      { source: join(tmp, 'data'), destination: '/etc/app', readOnly: true },
      { source: join(tmp, 'cfg'), destination: '/etc/app/conf', readOnly: true },
    ]);
  });

  it('creates a missing subPath directory with the volume’s mode', () => {
    const m = containerMounts(c([{ name: 'data', mountPath: '/var/lib/db', subPath: 'db/pg' }]), vols);
    expect(m[0]!.source).toBe(join(tmp, 'data/db/pg'));
    expect(statSync(join(tmp, 'data/db/pg')).isDirectory()).toBe(true);
  });

  it('expands subPathExpr against the container env', () => {
    const m = containerMounts(c([{ name: 'data', mountPath: '/logs', subPathExpr: 'pods/$(POD_NAME)' }]), vols, [['POD_NAME', 'web-0']]);
    expect(m[0]!.source).toBe(join(tmp, 'data/pods/web-0'));
  });

  it('propagation modes', () => {
    const m = containerMounts(
      c([
        { name: 'data', mountPath: '/a', mountPropagation: 'HostToContainer' },
        { name: 'data', mountPath: '/b', mountPropagation: 'Bidirectional' },
        { name: 'data', mountPath: '/c', mountPropagation: 'None' },
      ]),
      vols,
    );
    expect(m.map((x) => x.propagation)).toEqual(['rslave', 'rshared', undefined]);
  });

  it('adds the etc mounts unless the container mounts the same path', () => {
    const etc: ContainerMount[] = [
      { source: '/pod/etc-hosts', destination: '/etc/hosts', readOnly: false },
      { source: '/pod/hostname', destination: '/etc/hostname', readOnly: false },
    ];
    const m = containerMounts(c([{ name: 'cfg', mountPath: '/etc/hosts', subPath: '' }, { name: 'data', mountPath: '/etc' }]), vols, [], etc);
    expect(m.map((x) => `${x.destination}<-${x.source}`)).toEqual([`/etc<-${join(tmp, 'data')}`, `/etc/hosts<-${join(tmp, 'cfg')}`, '/etc/hostname<-/pod/hostname']);
  });

  it.each<[string, Container['volumeMounts'], [string, string][], string]>([
    ['unknown volume', [{ name: 'nope', mountPath: '/x' }], [], 'cannot find volume "nope" to mount into container "app"'],
    ['absolute subPath', [{ name: 'data', mountPath: '/x', subPath: '/etc' }], [], 'error SubPath `/etc` must not be an absolute path'],
    ['backsteps', [{ name: 'data', mountPath: '/x', subPath: 'a/../../etc' }], [], "unable to provision SubPath `a/../../etc`: must not contain '..'"],
    ['expanded backsteps', [{ name: 'data', mountPath: '/x', subPathExpr: '$(D)' }], [['D', '..']], "unable to provision SubPath `..`: must not contain '..'"],
    ['missing expr variables', [{ name: 'data', mountPath: '/x', subPathExpr: '$(B)/$(A)/$(SET)' }], [['SET', 'x'], ['A', '']], 'missing value for A, B'],
    ['bad propagation', [{ name: 'data', mountPath: '/x', mountPropagation: 'Sideways' }], [], 'invalid MountPropagation mode: "Sideways"'],
  ])('%s', (_n, mounts, env, want) => {
    expect(() => containerMounts(c(mounts), vols, env)).toThrow(want);
  });

  it('refuses a subPath that escapes through a symlink', () => {
    symlinkSync('/etc', join(tmp, 'data/out'));
    expect(() => containerMounts(c([{ name: 'data', mountPath: '/x', subPath: 'out' }]), vols)).toThrow('failed to prepare subPath for volumeMount "data" of container "app"');
    expect(() => containerMounts(c([{ name: 'data', mountPath: '/x', subPath: 'out/new-dir' }]), vols)).toThrow(
      'failed to create subPath directory for volumeMount "data" of container "app"',
    );
    expect(existsSync('/etc/new-dir')).toBe(false);
  });

  it('subPath into a configMap volume follows the ..data links to the file', async () => {
    const vs = await prepareVolumes(pod([{ name: 'cfg', configMap: { name: 'cfg' } }]), ctx());
    const m = containerMounts(c([{ name: 'cfg', mountPath: '/etc/app.conf', subPath: 'app.conf' }]), vs);
    expect(read(m[0]!.source)).toBe('x=1');
    expect(m[0]!.readOnly).toBe(true);
  });
});

describe('expandSubPathExpr', () => {
  it('leaves $$ escapes and plain text', () => {
    expect(expandSubPathExpr('a/$$(X)/$(Y)', [['Y', 'y']])).toBe('a/$(X)/y');
  });
});
