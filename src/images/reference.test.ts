import { describe, expect, it } from 'vitest';
import { lookup, planArrival, type ImageRecord } from './catalog.ts';
import { normalizeImage, parseReference, registryHost, splitName } from './reference.ts';

describe('image references', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['team/app', 'docker.io/team/app:latest'],
    ['localhost/app', 'localhost/app:latest'],
    ['127.0.0.1:5000/app:v1', '127.0.0.1:5000/app:v1'],
    [`app@sha256:${'a'.repeat(64)}`, `docker.io/library/app@sha256:${'a'.repeat(64)}`],
  ])('normalizes %s', (ref, want) => expect(normalizeImage(ref)).toBe(want));

  it('splits a reference into domain, path, tag and digest', () => {
    expect(parseReference('busybox')).toEqual({ domain: 'docker.io', path: 'library/busybox', tag: 'latest', digest: undefined });
    expect(parseReference(`127.0.0.1:5000/a/b:v1@sha256:${'b'.repeat(64)}`)).toEqual({ domain: '127.0.0.1:5000', path: 'a/b', tag: 'v1', digest: `sha256:${'b'.repeat(64)}` });
    expect(() => parseReference('Busybox')).toThrow(/invalid reference "Busybox"/);
    expect(() => parseReference('app@sha256:abc')).toThrow(/digest must be sha256/);
    expect(registryHost('docker.io')).toBe('registry-1.docker.io');
    expect(splitName('docker.io/library/busybox:1.36')).toEqual(['docker.io/library/busybox', '1.36']);
    expect(splitName('127.0.0.1:5000/app')).toEqual(['127.0.0.1:5000/app', '<none>']);
  });
});

describe('image records', () => {
  const rec = (hex: string, names: string[], repoDigests: string[] = []): ImageRecord => ({ id: `sha256:${hex.repeat(64)}`, names, repoDigests, size: 1, config: {}, created: 't0' });
  const a = rec('a', ['docker.io/library/busybox:latest'], [`docker.io/library/busybox@sha256:${'d'.repeat(64)}`]);
  const b = rec('b', ['docker.io/library/nginx:1.27']);

  it('finds by name, digest ref, id and id prefix', () => {
    for (const ref of ['busybox', 'busybox:latest', `busybox@sha256:${'d'.repeat(64)}`, `busybox:1.0@sha256:${'d'.repeat(64)}`, a.id, 'a'.repeat(64), 'aaaaaaaaaaaa']) {
      expect(lookup([a, b], ref)?.id, ref).toBe(a.id);
    }
    expect(lookup([a, b], 'nginx')).toBeUndefined();
    expect(lookup([a, b], 'aaaa')).toBeUndefined();
  });

  it('moves names and digest refs to the image that arrives, merging into its own record', () => {
    const changed = planArrival([a, b], [{ id: b.id, names: ['docker.io/library/busybox:latest'], repoDigest: a.repoDigests[0], size: 2, config: { cmd: ['sh'] } }], 't1');
    expect(changed).toEqual([
      { ...b, names: ['docker.io/library/nginx:1.27', 'docker.io/library/busybox:latest'], repoDigests: a.repoDigests, size: 2, config: { cmd: ['sh'] } },
      { ...a, names: [], repoDigests: [] },
    ]);
    expect(planArrival([], [{ id: a.id, names: [], size: 1, config: {} }], 't1')).toEqual([{ ...a, names: [], repoDigests: [], created: 't1' }]);
  });
});
