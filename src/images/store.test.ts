import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusyboxImage, busyboxUnavailable, sha256, tarBuffer, type ImageBlobs } from '../../test/fixtures/busybox-image.ts';
import { DiskImageStore } from './store.ts';

const skip = busyboxUnavailable();
if (skip) console.warn(`skipping image store tests: ${skip}`);

describe.skipIf(skip)('DiskImageStore', () => {
  let work: string;
  let docker: string;
  let oci: string;
  let dockerBlobs: ImageBlobs;
  let ociBlobs: ImageBlobs;
  const newStore = () => new DiskImageStore(mkdtempSync(join(work, 'store-')));

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'k8ts-images-'));
    docker = join(work, 'docker.tar');
    oci = join(work, 'oci.tar');
    dockerBlobs = await buildBusyboxImage(docker, { format: 'docker', tag: 'busybox:1.36' });
    ociBlobs = await buildBusyboxImage(oci, { format: 'oci', tag: 'registry.example:5000/tools/busybox:v1', variant: 'oci' });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** The store holds nothing, not even staging leftovers. */
  const expectEmpty = (s: DiskImageStore) => {
    expect(s.list()).toEqual([]);
    for (const d of ['meta', 'rootfs', 'tmp']) expect(readdirSync(join(s.dir, d))).toEqual([]);
  };

  it('loads a docker save archive into a flattened rootfs with whiteouts applied', async () => {
    const s = newStore();
    const [img] = await s.load(docker);
    expect(img).toMatchObject({ id: dockerBlobs.id, names: ['docker.io/library/busybox:1.36'] });
    expect(img.config).toEqual({ cmd: ['sh'], env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'] });
    expect(img.digestRef).toBeUndefined();
    const r = img.rootfs;
    expect(statSync(join(r, 'bin/busybox')).mode & 0o7777).toBe(0o755);
    expect(readlinkSync(join(r, 'bin/sh'))).toBe('busybox');
    expect(execFileSync(join(r, 'bin/busybox'), ['echo', 'hello'], { encoding: 'utf8' })).toBe('hello\n');
    expect(existsSync(join(r, 'etc/motd'))).toBe(false);
    expect(readdirSync(join(r, 'www'))).toEqual(['index.html']);
    expect(statSync(join(r, 'etc/group-')).ino).toBe(statSync(join(r, 'etc/group')).ino);
    expect(statSync(join(r, 'tmp')).mode & 0o7777).toBe(0o1777);
    expect(statSync(join(r, 'root')).mode & 0o7777).toBe(0o700);
    if (process.getuid?.() === 0) expect(lstatSync(join(r, 'home/nobody')).uid).toBe(65534);
    expect(img.size).toBeGreaterThan(statSync('/bin/busybox').size);
    expect(img.size).toBeLessThan(statSync('/bin/busybox').size + 4096);
    for (const ref of ['busybox:1.36', 'docker.io/library/busybox:1.36', dockerBlobs.id, dockerBlobs.id.slice(7, 19)]) {
      expect(s.find(ref)?.id, ref).toBe(img.id);
    }
    expect(s.find('busybox')).toBeUndefined();
    expect(s.list()).toEqual([img]);
    expect(readdirSync(join(s.dir, 'tmp'))).toEqual([]);
  });

  it('loads an OCI layout archive, checking every blob', async () => {
    const s = newStore();
    const [img] = await s.load(oci);
    expect(img.id).toBe(ociBlobs.id);
    expect(img.names).toEqual(['registry.example:5000/tools/busybox:v1']);
    expect(readFileSync(join(img.rootfs, 'etc/variant'), 'utf8')).toBe('oci\n');
    expect(existsSync(join(img.rootfs, 'www/old'))).toBe(false);
  });

  it('unpacks an image once: loading it again adds names only', async () => {
    const s = newStore();
    const [a] = await s.load(docker);
    const other = join(work, 'docker-other-tag.tar');
    await buildBusyboxImage(other, { format: 'docker', tag: 'busybox:latest' });
    const [b] = await s.load(other);
    expect(b.id).toBe(a.id);
    expect(b.rootfs).toBe(a.rootfs);
    expect(b.names).toEqual(['docker.io/library/busybox:1.36', 'docker.io/library/busybox:latest']);
    expect(s.list()).toHaveLength(1);
  });

  it('moves a name to the image loaded last, leaving the other image unnamed', async () => {
    const s = newStore();
    const [first] = await s.load(docker);
    const second = join(work, 'docker-b.tar');
    const blobs = await buildBusyboxImage(second, { format: 'docker', tag: 'busybox:1.36', variant: 'b' });
    const [img] = await s.load(second);
    expect(img.id).toBe(blobs.id);
    expect(s.find('busybox:1.36')?.id).toBe(blobs.id);
    expect(s.find(first.id)?.names).toEqual([]);
    expect(s.list()).toHaveLength(2);
  });

  it('removes an image by name or id, rootfs and all', async () => {
    const s = newStore();
    const [img] = await s.load(docker);
    expect(s.remove('nosuch:latest')).toBe(false);
    expect(s.remove('busybox:1.36')).toBe(true);
    expect(s.find(img.id)).toBeUndefined();
    expect(existsSync(img.rootfs)).toBe(false);
    expectEmpty(s);
    await s.load(docker);
    expect(s.remove(img.id)).toBe(true);
    expectEmpty(s);
  });

  it('lets another store on the same dir see loads and removals at once', async () => {
    const writer = newStore();
    const reader = new DiskImageStore(writer.dir);
    expect(reader.list()).toEqual([]);
    expect(reader.find('busybox:1.36')).toBeUndefined();
    await writer.load(docker);
    expect(reader.find('busybox:1.36')?.id).toBe(dockerBlobs.id);
    expect(reader.list().map((i) => i.id)).toEqual([dockerBlobs.id]);
    writer.remove('busybox:1.36');
    expect(reader.find('busybox:1.36')).toBeUndefined();
    expect(reader.list()).toEqual([]);
  });

  it('keeps every layer entry inside the rootfs, even through symlinks pointing out of it', async () => {
    const l1 = await tarBuffer([
      { name: 'escape', type: 'symlink', linkname: '../../../../../../tmp' },
      { name: 'abs', type: 'symlink', linkname: '/etc' },
    ]);
    const l2 = await tarBuffer([
      { name: 'escape/pwned', data: 'x' },
      { name: 'abs/pwned', data: 'y' },
    ]);
    const config = Buffer.from(JSON.stringify({ rootfs: { type: 'layers', diff_ids: [sha256(l1), sha256(l2)] }, config: {} }));
    const archive = join(work, 'escape.tar');
    writeFileSync(
      archive,
      await tarBuffer([
        { name: 'c.json', data: config },
        { name: '1/layer.tar', data: l1 },
        { name: '2/layer.tar', data: l2 },
        { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: ['escape:1'], Layers: ['1/layer.tar', '2/layer.tar'] }]) },
      ]),
    );
    const s = newStore();
    const [img] = await s.load(archive);
    expect(readFileSync(join(img.rootfs, 'tmp/pwned'), 'utf8')).toBe('x');
    expect(readFileSync(join(img.rootfs, 'etc/pwned'), 'utf8')).toBe('y');
    expect(existsSync('/tmp/pwned')).toBe(false);
    expect(existsSync('/etc/pwned')).toBe(false);
    const bad = join(work, 'dotdot.tar');
    const l3 = await tarBuffer([{ name: '../outside', data: 'z' }]);
    const config3 = Buffer.from(JSON.stringify({ rootfs: { type: 'layers', diff_ids: [sha256(l3)] } }));
    writeFileSync(bad, await tarBuffer([{ name: 'c.json', data: config3 }, { name: '1/layer.tar', data: l3 }, { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: ['bad:1'], Layers: ['1/layer.tar'] }]) }]));
    await expect(s.load(bad)).rejects.toThrow(/layer 1 of 1 .*: entry "..\/outside" points outside the root filesystem/);
  });

  describe('refuses a malformed archive and changes nothing', () => {
    const cases: [string, () => Promise<string>, RegExp][] = [
      ['a missing file', async () => join(work, 'nothing-here.tar'), /no such file/],
      ['not a tar', async () => write('text.tar', 'this is not a tar archive\n'.repeat(40)), /not a readable tar archive/],
      ['a truncated archive', async () => write('truncated.tar', readFileSync(docker).subarray(0, 1_000_000)), /not a readable tar archive.*(Unexpected end|end of data)/i],
      ['a tar with neither manifest', async () => write('plain.tar', await tarBuffer([{ name: 'hello.txt', data: 'hi' }])), /neither manifest.json .* nor index.json/],
      ['a layer not matching its digest', async () => write('bad-digest.tar', await ociWithBadLayer()), /layer 2 of 2 .* does not match its digest/],
      ['a layer not matching the diff ID', async () => write('bad-diff.tar', await dockerWithWrongLayer()), /does not match the config's diff ID/],
      ['a manifest naming a missing layer', async () => write('missing-layer.tar', await dockerMissingLayer()), /the archive has no file "nope\/layer.tar"/],
    ];
    const write = (name: string, data: string | Buffer) => {
      const p = join(work, name);
      writeFileSync(p, data);
      return p;
    };
    const ociWithBadLayer = async () => {
      const b = ociBlobs;
      const layer = Buffer.from(b.gzLayers[1]);
      const top = await tarBuffer([{ name: 'etc/evil', data: 'x' }]);
      return tarBuffer([
        { name: 'oci-layout', data: JSON.stringify({ imageLayoutVersion: '1.0.0' }) },
        { name: 'index.json', data: JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: b.manifestDigest, annotations: { 'org.opencontainers.image.ref.name': 'bad:1' } }] }) },
        ...[b.manifest, b.config, b.gzLayers[0]].map((x) => ({ name: `blobs/sha256/${sha256(x).slice(7)}`, data: x })),
        // The second layer's blob name with other content.
        { name: `blobs/sha256/${sha256(layer).slice(7)}`, data: top },
      ]);
    };
    const dockerWithWrongLayer = async () =>
      tarBuffer([
        { name: 'cfg.json', data: dockerBlobs.config },
        { name: 'l1/layer.tar', data: dockerBlobs.layers[0] },
        { name: 'l2/layer.tar', data: await tarBuffer([{ name: 'etc/evil', data: 'x' }]) },
        { name: 'manifest.json', data: JSON.stringify([{ Config: 'cfg.json', RepoTags: ['bad:1'], Layers: ['l1/layer.tar', 'l2/layer.tar'] }]) },
      ]);
    const dockerMissingLayer = async () =>
      tarBuffer([
        { name: 'cfg.json', data: dockerBlobs.config },
        { name: 'manifest.json', data: JSON.stringify([{ Config: 'cfg.json', RepoTags: ['bad:1'], Layers: ['nope/layer.tar', 'nope2/layer.tar'] }]) },
      ]);

    it.each(cases)('%s', async (_what, make, message) => {
      const s = newStore();
      const path = await make();
      await expect(s.load(path)).rejects.toThrow(message);
      await expect(s.load(path)).rejects.toThrow(/^failed to load image archive /);
      expectEmpty(s);
    });
  });
});
