import { describe, expect, it } from 'vitest';
import { containerArgv, parseGroup, parsePasswd, resolveUser, userSpec, verifyRunAsNonRoot, workingDir } from './command.ts';
import type { Container, Pod } from './types.ts';

describe('containerArgv', () => {
  const image = { entrypoint: ['/entry'], cmd: ['--default'] };
  it.each<[string, Partial<Container>, { entrypoint?: string[]; cmd?: string[] }, string[] | string]>([
    ['image entrypoint and cmd', {}, image, ['/entry', '--default']],
    ['command replaces entrypoint and drops cmd', { command: ['/bin/sh'] }, image, ['/bin/sh']],
    ['args alone replace cmd', { args: ['-x'] }, image, ['/entry', '-x']],
    ['command and args', { command: ['/bin/sh'], args: ['-c', 'true'] }, image, ['/bin/sh', '-c', 'true']],
    ['empty command list is unset', { command: [], args: ['a'] }, image, ['/entry', 'a']],
    ['cmd only image', {}, { cmd: ['/bin/sh'] }, ['/bin/sh']],
    ['entrypoint [""] is no entrypoint', {}, { entrypoint: [''], cmd: ['/bin/true'] }, ['/bin/true']],
    ['args with cmd-only image', { args: ['/bin/echo', 'hi'] }, { cmd: ['/bin/sh'] }, ['/bin/echo', 'hi']],
    ['nothing to run', {}, {}, 'no command specified'],
    ['empty entrypoint reset and no cmd', {}, { entrypoint: [''] }, 'no command specified'],
  ])('%s', (_name, container, img, want) => {
    if (typeof want === 'string') expect(() => containerArgv(container, img)).toThrow(want);
    else expect(containerArgv(container, img)).toEqual(want);
  });

  it('expands $(VAR) in command and args, leaving unknown references', () => {
    const env: [string, string][] = [['GREETING', 'hello'], ['WHO', 'world']];
    const argv = containerArgv({ command: ['/bin/echo', '$(GREETING)'], args: ['$(WHO)', '$$(WHO)', '$(NOPE)'] }, image, env);
    expect(argv).toEqual(['/bin/echo', 'hello', 'world', '$(WHO)', '$(NOPE)']);
  });

  it('does not expand the image entrypoint or cmd', () => {
    expect(containerArgv({}, { cmd: ['echo', '$(X)'] }, [['X', 'y']])).toEqual(['echo', '$(X)']);
  });
});

describe('workingDir', () => {
  it.each([
    [{ workingDir: '/app' }, { workingDir: '/img' }, '/app'],
    [{}, { workingDir: '/img' }, '/img'],
    [{}, {}, '/'],
    [{ workingDir: '' }, {}, '/'],
  ])('%j over %j → %s', (c, img, want) => {
    expect(workingDir(c, img)).toBe(want);
  });
});

const pod = (spec: Pod['spec'] = {}): Pod => ({ metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec });
const ctr = (securityContext?: Container['securityContext']): Container => ({ name: 'c', ...(securityContext ? { securityContext } : {}) });

const PASSWD = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
# comment
app:x:1000:1001:App:/home/app:/bin/sh
broken line
`;
const GROUP = `root:x:0:
wheel:x:10:root,app
staff:x:50:app
appgrp:x:1001:
`;

describe('userSpec', () => {
  it.each<[string, Pod, Container, string, string]>([
    ['no user anywhere is root', pod(), ctr(), '', '0'],
    ['image uid', pod(), ctr(), '1000', '1000'],
    ['image name', pod(), ctr(), 'app', 'app'],
    ['image group is dropped', pod(), ctr(), 'app:staff', 'app'],
    ['pod runAsUser', pod({ securityContext: { runAsUser: 5 } }), ctr(), 'app', '5'],
    ['container over pod', pod({ securityContext: { runAsUser: 5 } }), ctr({ runAsUser: 7 }), '', '7'],
    ['runAsGroup with image user', pod(), ctr({ runAsGroup: 9 }), 'app:staff', 'app:9'],
    ['runAsUser and runAsGroup', pod({ securityContext: { runAsGroup: 3 } }), ctr({ runAsUser: 2 }), '', '2:3'],
    ['runAsGroup alone', pod(), ctr({ runAsGroup: 4 }), '', '0:4'],
  ])('%s', (_n, p, c, img, want) => {
    expect(userSpec(p, c, img)).toBe(want);
  });
});

describe('resolveUser', () => {
  const files = { passwd: PASSWD, group: GROUP };
  it.each<[string, Pod, Container, string | undefined, { uid: number; gid: number; additionalGids: number[]; home?: string } | string]>([
    ['root by default', pod(), ctr(), undefined, { uid: 0, gid: 0, additionalGids: [10], home: '/root' }],
    ['name from passwd with memberships', pod(), ctr(), 'app', { uid: 1000, gid: 1001, additionalGids: [10, 50], home: '/home/app' }],
    ['uid found in passwd takes its gid', pod(), ctr(), '1000', { uid: 1000, gid: 1001, additionalGids: [10, 50], home: '/home/app' }],
    ['unknown uid runs with gid 0', pod(), ctr(), '4242', { uid: 4242, gid: 0, additionalGids: [] }],
    ['runAsGroup overrides the gid', pod(), ctr({ runAsUser: 1000, runAsGroup: 77 }), undefined, { uid: 1000, gid: 77, additionalGids: [10, 50], home: '/home/app' }],
    [
      'pod supplementalGroups and fsGroup',
      pod({ securityContext: { runAsUser: 4242, supplementalGroups: [5, 6], fsGroup: 2000 } }),
      ctr(),
      undefined,
      { uid: 4242, gid: 0, additionalGids: [5, 6, 2000] },
    ],
    ['unknown name', pod(), ctr(), 'nobody', 'no users found'],
  ])('%s', (_n, p, c, img, want) => {
    if (typeof want === 'string') expect(() => resolveUser(p, c, img, files)).toThrow(want);
    else expect(resolveUser(p, c, img, files)).toEqual(want);
  });

  it('works without passwd or group files', () => {
    expect(resolveUser(pod(), ctr(), '123:456')).toEqual({ uid: 123, gid: 0, additionalGids: [] });
    expect(() => resolveUser(pod(), ctr(), 'app')).toThrow('no users found');
  });

  it('parses passwd and group files', () => {
    expect(parsePasswd(PASSWD).map((e) => e.name)).toEqual(['root', 'daemon', 'app']);
    expect(parseGroup(GROUP).find((g) => g.name === 'wheel')).toEqual({ name: 'wheel', gid: 10, members: ['root', 'app'] });
  });
});

describe('verifyRunAsNonRoot', () => {
  const nonRoot = (extra: Container['securityContext'] = {}) => ctr({ runAsNonRoot: true, ...extra });
  it.each<[string, Pod, Container, string, string | undefined]>([
    ['not asked', pod(), ctr(), '', undefined],
    ['runAsUser 0', pod(), nonRoot({ runAsUser: 0 }), '1000', `container's runAsUser breaks non-root policy (pod: "p_ns(u1)", container: c)`],
    ['runAsUser non-zero', pod(), nonRoot({ runAsUser: 1 }), '', undefined],
    ['image without user', pod(), nonRoot(), '', 'container has runAsNonRoot and image will run as root (pod: "p_ns(u1)", container: c)'],
    ['image uid 0', pod(), nonRoot(), '0:0', 'container has runAsNonRoot and image will run as root (pod: "p_ns(u1)", container: c)'],
    ['image uid non-zero', pod(), nonRoot(), '1000', undefined],
    [
      'image user name',
      pod(),
      nonRoot(),
      'app:staff',
      'container has runAsNonRoot and image has non-numeric user (app), cannot verify user is non-root (pod: "p_ns(u1)", container: c)',
    ],
    ['pod-level runAsNonRoot', pod({ securityContext: { runAsNonRoot: true } }), ctr(), '', 'container has runAsNonRoot and image will run as root (pod: "p_ns(u1)", container: c)'],
  ])('%s', (_n, p, c, img, want) => {
    expect(verifyRunAsNonRoot(p, c, img)).toBe(want);
  });
});
