import { describe, expect, it } from 'vitest';
import { cgroupWrites, cpuQuotaUs, cpuShares, limitsFor, milliValue, parseCgroupMounts, parseOomKills, quantityValue, sharesToWeight } from './cgroups.ts';

describe('quantities', () => {
  it.each([
    ['32Mi', 33_554_432],
    ['1G', 1_000_000_000],
    ['128974848', 128_974_848],
    ['129e6', 129_000_000],
    ['1.5Ki', 1536],
    ['0.5', 1], // Value() rounds up
    ['0', undefined],
    ['nope', undefined],
    [undefined, undefined],
  ])('value of %s is %s', (q, want) => expect(quantityValue(q)).toBe(want));

  it.each([
    ['250m', 250],
    ['1', 1000],
    ['0.1', 100],
    ['1.5', 1500],
    ['1n', 1], // MilliValue() rounds up
    [2, 2000],
    [undefined, undefined],
  ])('millis of %s is %s', (q, want) => expect(milliValue(q)).toBe(want));
});

describe('cpu conversions', () => {
  it.each([
    [undefined, 2],
    [0, 2],
    [1, 2],
    [100, 102],
    [250, 256],
    [1000, 1024],
    [500_000, 262_144],
  ])('shares for %s millicores: %s', (m, want) => expect(cpuShares(m)).toBe(want));

  it.each([
    [undefined, undefined],
    [0, undefined],
    [5, 1000], // the kernel's minimum
    [100, 10_000],
    [250, 25_000],
    [1500, 150_000],
  ])('quota for %s millicores: %s', (m, want) => expect(cpuQuotaUs(m)).toBe(want));

  it.each([
    [2, 1],
    [102, 4],
    [1024, 39],
    [262_144, 10_000],
  ])('weight for %s shares: %s', (s, want) => expect(sharesToWeight(s)).toBe(want));
});

describe('limitsFor', () => {
  it.each([
    ['nothing', undefined, { cpuShares: 2 }],
    ['limits only (the request follows the limit)', { limits: { cpu: '500m', memory: '64Mi' } }, { memoryBytes: 67_108_864, cpuQuotaUs: 50_000, cpuShares: 512 }],
    ['a request below its limit', { requests: { cpu: '100m' }, limits: { cpu: '1' } }, { cpuQuotaUs: 100_000, cpuShares: 102 }],
    ['memory only', { limits: { memory: '1Gi' } }, { memoryBytes: 1_073_741_824, cpuShares: 2 }],
  ])('%s', (_n, r, want) => {
    const got = limitsFor(r);
    expect(Object.fromEntries(Object.entries(got).filter(([, v]) => v !== undefined))).toEqual(want);
  });

  it('carries a pids limit', () => expect(limitsFor(undefined, 1024).pids).toBe(1024));
});

describe('cgroupWrites', () => {
  const show = (version: 1 | 2, l: Parameters<typeof cgroupWrites>[1]) => cgroupWrites(version, l).map((w) => `${w.controller ? w.controller + '/' : ''}${w.file}=${w.value}${w.optional ? '?' : ''}`);

  it.each<[string, 1 | 2, Parameters<typeof cgroupWrites>[1], string[]]>([
    ['v2 unlimited', 2, { cpuShares: 2 }, ['memory.oom.group=1?', 'cpu.max=max 100000', 'cpu.weight=1']],
    ['v2 limited', 2, { memoryBytes: 33_554_432, cpuQuotaUs: 50_000, cpuShares: 512, pids: 100 }, ['memory.max=33554432', 'memory.swap.max=0?', 'memory.oom.group=1?', 'cpu.max=50000 100000', 'cpu.weight=20', 'pids.max=100']],
    ['v1 unlimited', 1, { cpuShares: 2 }, ['cpu/cpu.shares=2']],
    [
      'v1 limited',
      1,
      { memoryBytes: 33_554_432, cpuQuotaUs: 50_000, cpuShares: 512, pids: 100 },
      ['memory/memory.limit_in_bytes=33554432', 'memory/memory.memsw.limit_in_bytes=33554432?', 'cpu/cpu.shares=512', 'cpu/cpu.cfs_period_us=100000?', 'cpu/cpu.cfs_quota_us=50000?', 'pids/pids.max=100'],
    ],
  ])('%s', (_n, v, l, want) => expect(show(v, l)).toEqual(want));
});

describe('parseCgroupMounts', () => {
  const v1 = [
    '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
    '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
    '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
    '39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
    '40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd',
    '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
  ].join('\n');
  const v2 = '29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n';

  it('finds v1 hierarchies, a hybrid cgroup2 mount not being the unified one', () => {
    const m = parseCgroupMounts(v1);
    expect(m.unified).toBeUndefined();
    expect(Object.fromEntries(m.v1)).toEqual({ cpu: '/sys/fs/cgroup/cpu,cpuacct', memory: '/sys/fs/cgroup/memory', pids: '/sys/fs/cgroup/pids' });
  });

  it('finds the unified hierarchy', () => {
    const m = parseCgroupMounts(v2);
    expect(m.unified).toBe('/sys/fs/cgroup');
    expect(m.v1.size).toBe(0);
  });
});

describe('parseOomKills', () => {
  it.each([
    ['low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n', 1],
    ['oom_kill_disable 0\nunder_oom 0\noom_kill 0\n', 0],
    ['oom_kill_disable 0\nunder_oom 0\n', undefined],
  ])('%j → %s', (text, want) => expect(parseOomKills(text)).toBe(want));
});
