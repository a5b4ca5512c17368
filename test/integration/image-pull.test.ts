// Pulling into the node image store from a real registry (Debian's docker-registry): anonymous,
// htpasswd basic auth, a bearer token flow (a small token server in front of the registry), an
// index with several platforms, and the errors kubelet shows for a failed pull.
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxBlobs, busyboxUnavailable, pushImage, pushIndex, type ImageBlobs } from '../fixtures/busybox-image.ts';
import { freePort, registryUnavailable, startRegistry, type TestRegistry } from '../fixtures/registry.ts';
import { DiskImageStore } from '../../src/images/store.ts';
import { hostPlatform } from '../../src/images/oci.ts';

const skip = busyboxUnavailable() ?? registryUnavailable();
if (skip) console.warn(`skipping image pull tests: ${skip}`);

const USER = 'k8ts';
const PASSWORD = 's3cret';

describe.skipIf(skip)('image pull', () => {
  let work: string;
  let open: TestRegistry;
  let locked: TestRegistry;
  let bearer: Server;
  let bearerHost: string;
  let blobs: ImageBlobs;
  let other: ImageBlobs;
  let indexDigest: string;
  const newStore = () => new DiskImageStore(mkdtempSync(join(work, 'store-')));
  const expectEmpty = (s: DiskImageStore) => {
    expect(s.list()).toEqual([]);
    for (const d of ['meta', 'rootfs', 'tmp']) expect(readdirSync(join(s.dir, d))).toEqual([]);
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'k8ts-pull-'));
    [open, locked] = await Promise.all([startRegistry(), startRegistry({ username: USER, password: PASSWORD })]);
    blobs = await busyboxBlobs({ variant: 'pulled' });
    other = await busyboxBlobs({ variant: 'other-arch' });
    await pushImage(blobs, { registry: open.url, repository: 'library/busybox', tag: '1.36' });
    await pushImage(other, { registry: open.url, repository: 'library/busybox', tag: 'other' });
    const arch = hostPlatform().architecture;
    indexDigest = await pushIndex(
      [
        { blobs: other, architecture: arch === 'arm64' ? 'amd64' : 'arm64' },
        { blobs, architecture: arch },
      ],
      { registry: open.url, repository: 'library/busybox', tag: 'multi' },
    );
    await pushImage(blobs, { registry: locked.url, repository: 'team/busybox', tag: '1.36', username: USER, password: PASSWORD });
    bearer = await startBearerFront(open.url);
    bearerHost = `127.0.0.1:${(bearer.address() as { port: number }).port}`;
  }, 60_000);
  afterAll(async () => {
    await Promise.all([open?.stop(), locked?.stop(), new Promise((r) => (bearer ? bearer.close(r) : r(undefined)))]);
    rmSync(work, { recursive: true, force: true });
  });

  it('pulls anonymously, with the manifest digest as digestRef, and only once', async () => {
    const s = newStore();
    const ref = `${open.host}/library/busybox:1.36`;
    const img = await s.pull(ref);
    expect(img).toMatchObject({ id: blobs.id, names: [ref], digestRef: `${open.host}/library/busybox@${blobs.manifestDigest}` });
    expect(img.config.cmd).toEqual(['sh']);
    expect(readFileSync(join(img.rootfs, 'etc/variant'), 'utf8')).toBe('pulled\n');
    expect(existsSync(join(img.rootfs, 'etc/motd'))).toBe(false);
    expect(s.find(img.digestRef as string)?.id).toBe(img.id);
    const [a, b] = await Promise.all([s.pull(ref), s.pull(ref)]);
    expect(a).toBe(b);
    expect(a.rootfs).toBe(img.rootfs);
    expect(s.list()).toHaveLength(1);
    expect(readdirSync(join(s.dir, 'tmp'))).toEqual([]);
  });

  it("picks this host's platform from an index; digestRef is the index's digest", async () => {
    const s = newStore();
    const img = await s.pull(`${open.host}/library/busybox:multi`);
    expect(img.id).toBe(blobs.id);
    expect(img.digestRef).toBe(`${open.host}/library/busybox@${indexDigest}`);
    const byDigest = await s.pull(`${open.host}/library/busybox@${blobs.manifestDigest}`);
    expect(byDigest.id).toBe(blobs.id);
    expect(s.find(`${open.host}/library/busybox@${blobs.manifestDigest}`)?.id).toBe(blobs.id);
  });

  it('says an image that does not exist was not found', async () => {
    const s = newStore();
    const ref = `${open.host}/library/nosuch:latest`;
    await expect(s.pull(ref)).rejects.toThrow(`failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`);
    expectEmpty(s);
  });

  it('uses basic credentials for a registry with htpasswd auth', async () => {
    const s = newStore();
    const ref = `${locked.host}/team/busybox:1.36`;
    await expect(s.pull(ref)).rejects.toThrow(/failed to resolve reference .*: unauthorized: the registry wants credentials/);
    await expect(s.pull(ref, { auth: [{ host: locked.host, username: USER, password: 'wrong' }] })).rejects.toThrow(/unauthorized: authentication required/);
    expectEmpty(s);
    const auth = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
    const img = await s.pull(ref, { auth: [{ host: `http://${locked.host}`, auth }] });
    expect(img.id).toBe(blobs.id);
  });

  it('follows a bearer token challenge, sending credentials to the token server', async () => {
    const s = newStore();
    const ref = `${bearerHost}/library/busybox:1.36`;
    await expect(s.pull(ref)).rejects.toThrow(/failed to fetch anonymous token: unexpected status from GET request to .*401/);
    const img = await s.pull(ref, { auth: [{ host: bearerHost, username: USER, password: PASSWORD }] });
    expect(img.id).toBe(blobs.id);
  });

  it('says when the registry cannot be reached', async () => {
    const s = newStore();
    const host = `127.0.0.1:${await freePort()}`;
    await expect(s.pull(`${host}/library/busybox:1.36`)).rejects.toThrow(`dial tcp ${host}: connect: connection refused`);
    expectEmpty(s);
  });
});

/**
 * A registry front that wants a bearer token, as Docker Hub does: /token hands one out for
 * USER:PASSWORD, and /v2/ requests carrying it are passed on to the registry behind.
 */
async function startBearerFront(upstream: string): Promise<Server> {
  const token = 'k8ts-test-token';
  const server = createServer((req, res) => {
    const self = `http://${req.headers.host}`;
    if (req.url?.startsWith('/token')) {
      const scope = new URL(req.url, self).searchParams.get('scope');
      if (req.headers.authorization !== `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` || scope !== 'repository:library/busybox:pull') {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"incorrect username or password"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
      return;
    }
    if (req.headers.authorization !== `Bearer ${token}`) {
      res
        .writeHead(401, { 'www-authenticate': `Bearer realm="${self}/token",service="k8ts-test",scope="repository:library/busybox:pull"` })
        .end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return;
    }
    fetch(`${upstream}${req.url}`, { headers: { accept: req.headers.accept ?? '*/*' } })
      .then(async (r) => {
        res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/octet-stream' });
        res.end(Buffer.from(await r.arrayBuffer()));
      })
      .catch(() => res.writeHead(502).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
