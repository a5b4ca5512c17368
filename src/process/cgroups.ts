// Resource limits for the process runtime's containers, as runc applies a container's
// LinuxResources: one cgroup per container at k8ts/<instance>/<podUid>/<containerId> under the
// root of each hierarchy (the kubelet's cgroupfs driver keeps /kubepods there too, and a fixed
// place lets the next run find what a killed one left). cgroup v2 has one hierarchy; v1 has one
// per controller, of which memory, cpu and pids are used. The conversions from a container's
// resources to cgroup file values are pure and follow the kubelet (pkg/kubelet/cm).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseQuantity } from '../api/validation/quantity.ts';

export const CPU_PERIOD_US = 100_000;
const MIN_QUOTA_US = 1_000;
const MIN_SHARES = 2;
const MAX_SHARES = 262_144;
const V1_CONTROLLERS = ['memory', 'cpu', 'pids'] as const;
type Controller = (typeof V1_CONTROLLERS)[number];

/** What a container's cgroup enforces; undefined means unlimited. */
export interface CgroupLimits {
  memoryBytes?: number;
  cpuQuotaUs?: number;
  cpuShares: number;
  pids?: number;
}

export interface ResourceRequirements {
  limits?: Record<string, string | number | undefined>;
  requests?: Record<string, string | number | undefined>;
}

/** Quantity.Value(): whole units, rounded up. */
export function quantityValue(q: unknown): number | undefined {
  const v = parseQuantity(q);
  return v === undefined || v <= 0 ? undefined : Math.ceil(v - 1e-9);
}

/** Quantity.MilliValue(), rounded up. */
export function milliValue(q: unknown): number | undefined {
  const v = parseQuantity(q);
  return v === undefined || v <= 0 ? undefined : Math.ceil(v * 1000 - 1e-9);
}

/** MilliCPUToShares: a request's share of the CPU under contention (2 when nothing is requested). */
export function cpuShares(milliCpu: number | undefined): number {
  if (!milliCpu) return MIN_SHARES;
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, Math.floor((milliCpu * 1024) / 1000)));
}

/** MilliCPUToQuota: CFS runtime per period for a limit; undefined means no quota. */
export function cpuQuotaUs(milliCpu: number | undefined, periodUs = CPU_PERIOD_US): number | undefined {
  if (!milliCpu) return undefined;
  return Math.max(MIN_QUOTA_US, Math.floor((milliCpu * periodUs) / 1000));
}

/** CpuSharesToCpuWeight: v1 shares [2, 262144] onto v2 weight [1, 10000]. */
export function sharesToWeight(shares: number): number {
  return 1 + Math.floor(((shares - 2) * 9999) / 262_142);
}

export function limitsFor(r: ResourceRequirements | undefined, pids?: number): CgroupLimits {
  const memoryBytes = quantityValue(r?.limits?.memory);
  const cpuLimit = milliValue(r?.limits?.cpu);
  // Defaulting copies a limit into a missing request; a spec that skipped defaulting is read alike.
  const cpuRequest = milliValue(r?.requests?.cpu) ?? cpuLimit;
  return { memoryBytes, cpuQuotaUs: cpuQuotaUs(cpuLimit), cpuShares: cpuShares(cpuRequest), ...(pids ? { pids } : {}) };
}

export interface CgroupWrite {
  /** v1 hierarchy the file lives in; '' on v2. */
  controller: Controller | '';
  file: string;
  value: string;
  /** Written only where the kernel has it (swap accounting, oom.group). */
  optional?: boolean;
}

/** The files to write, in order, for limits on a cgroup of that version. */
export function cgroupWrites(version: 1 | 2, l: CgroupLimits): CgroupWrite[] {
  const w: CgroupWrite[] = [];
  if (version === 2) {
    if (l.memoryBytes !== undefined) {
      w.push({ controller: '', file: 'memory.max', value: String(l.memoryBytes) });
      w.push({ controller: '', file: 'memory.swap.max', value: '0', optional: true });
    }
    // The whole container goes when one of its processes is OOM-killed, as the kubelet sets on v2.
    w.push({ controller: '', file: 'memory.oom.group', value: '1', optional: true });
    w.push({ controller: '', file: 'cpu.max', value: `${l.cpuQuotaUs ?? 'max'} ${CPU_PERIOD_US}` });
    w.push({ controller: '', file: 'cpu.weight', value: String(sharesToWeight(l.cpuShares)) });
    if (l.pids !== undefined) w.push({ controller: '', file: 'pids.max', value: String(l.pids) });
    return w;
  }
  if (l.memoryBytes !== undefined) {
    // memsw (memory+swap) must never be below the memory limit: memory first.
    w.push({ controller: 'memory', file: 'memory.limit_in_bytes', value: String(l.memoryBytes) });
    w.push({ controller: 'memory', file: 'memory.memsw.limit_in_bytes', value: String(l.memoryBytes), optional: true });
  }
  w.push({ controller: 'cpu', file: 'cpu.shares', value: String(l.cpuShares) });
  if (l.cpuQuotaUs !== undefined) {
    w.push({ controller: 'cpu', file: 'cpu.cfs_period_us', value: String(CPU_PERIOD_US), optional: true });
    w.push({ controller: 'cpu', file: 'cpu.cfs_quota_us', value: String(l.cpuQuotaUs), optional: true });
  }
  if (l.pids !== undefined) w.push({ controller: 'pids', file: 'pids.max', value: String(l.pids) });
  return w;
}

export interface CgroupMounts {
  /** The cgroup2 mount, when it is the unified hierarchy (mounted at /sys/fs/cgroup with controllers). */
  unified?: string;
  /** v1 hierarchies by controller. */
  v1: Map<string, string>;
}

/** cgroup mounts from /proc/self/mountinfo. */
export function parseCgroupMounts(mountinfo: string): CgroupMounts {
  const out: CgroupMounts = { v1: new Map() };
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const mountPoint = line.slice(0, sep).split(' ')[4] ?? '';
    const [fstype, , superOpts = ''] = line.slice(sep + 3).split(' ');
    const path = mountPoint.replace(/\\040/g, ' ');
    if (fstype === 'cgroup2' && path === '/sys/fs/cgroup') out.unified = path;
    if (fstype !== 'cgroup') continue;
    for (const opt of superOpts.split(',')) if ((V1_CONTROLLERS as readonly string[]).includes(opt) && !out.v1.has(opt)) out.v1.set(opt, path);
  }
  return out;
}

/** How many processes the kernel's OOM killer took in the cgroup: v2 memory.events, v1 memory.oom_control. */
export function parseOomKills(text: string): number | undefined {
  const m = /^oom_kill (\d+)$/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

export interface ContainerCgroup {
  /** The cgroup's directory in every hierarchy. */
  readonly dirs: string[];
  /** Where a pid is written to put the process (and what it starts later) in the cgroup. */
  readonly procsFiles: string[];
  addPid(pid: number): void;
  /** Whether the kernel killed a process of it for going over its memory limit. */
  oomKilled(): boolean;
  /** rmdir, once its processes are gone (the ones still there after a short wait are killed). */
  remove(): Promise<void>;
}

export interface CgroupHost {
  readonly version: 1 | 2;
  /** This instance's directory in every hierarchy. */
  readonly roots: string[];
  /** A cgroup at path ('<podUid>/<containerId>') below the instance's directory, with limits set. */
  create(path: string, limits: CgroupLimits): Promise<ContainerCgroup>;
  /** Removes path and every cgroup below it (a pod's). */
  removeTree(path: string): Promise<void>;
  /** Removes the instance's directories when nothing is left in them (synchronous, so no create interleaves). */
  prune(): void;
  /** Removes what a previous run of this instance left (it was killed before it could). */
  cleanupLeftovers(): Promise<void>;
}

export interface DetectOptions {
  /** Tells k8ts instances on one machine apart (a hash of the data directory). */
  instance: string;
  mountinfo?: string;
}

/** The host's cgroups, with this instance's directory made, or why containers get no limits. */
export function detectCgroups(o: DetectOptions): CgroupHost | { unavailable: string } {
  if (process.platform !== 'linux') return { unavailable: 'not Linux' };
  if (process.getuid?.() !== 0) return { unavailable: 'not running as root' };
  let mounts: CgroupMounts;
  try {
    mounts = parseCgroupMounts(o.mountinfo ?? readFileSync('/proc/self/mountinfo', 'utf8'));
  } catch (e) {
    return { unavailable: `cannot read mounts: ${(e as Error).message}` };
  }
  try {
    if (mounts.unified && existsSync(join(mounts.unified, 'cgroup.controllers'))) return V2Host.open(mounts.unified, o.instance);
    if (mounts.v1.has('memory')) return V1Host.open(mounts.v1, o.instance);
  } catch (e) {
    return { unavailable: (e as Error).message };
  }
  return { unavailable: 'no cgroup v2 unified hierarchy and no cgroup v1 memory hierarchy is mounted' };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function checkPath(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  if (parts.some((p) => p === '.' || p === '..')) throw new Error(`bad cgroup path ${path}`);
  return parts;
}

function readPids(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** A half-made cgroup's directory goes; one that will not is left for removeTree. */
function rmdirQuietly(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // left for removeTree
  }
}

/** rmdir a cgroup: its processes may still be exiting, so wait a little, then kill what is left. */
async function rmdirCgroup(dir: string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      rmdirSync(dir);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || i >= 60) throw e;
    }
    if (i === 40) readPids(dir).forEach(killQuietly);
    await sleep(50);
  }
}

async function removeTreeDir(dir: string): Promise<void> {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  for (const d of entries) if (d.isDirectory()) await removeTreeDir(join(dir, d.name));
  await rmdirCgroup(dir);
}

class Cgroup implements ContainerCgroup {
  constructor(
    readonly dirs: string[],
    private readonly oomFile: string,
  ) {}

  get procsFiles(): string[] {
    return this.dirs.map((d) => join(d, 'cgroup.procs'));
  }

  addPid(pid: number): void {
    for (const f of this.procsFiles) writeFileSync(f, `${pid}\n`);
  }

  oomKilled(): boolean {
    try {
      const text = readFileSync(this.oomFile, 'utf8');
      const kills = parseOomKills(text);
      if (kills !== undefined) return kills > 0;
      // Kernels before 4.13 do not count kills: having hit the limit is the best guess.
      return Number(readFileSync(join(this.oomFile, '..', 'memory.failcnt'), 'utf8')) > 0;
    } catch {
      return false;
    }
  }

  async remove(): Promise<void> {
    for (const d of this.dirs) await rmdirCgroup(d);
  }
}

abstract class BaseHost implements CgroupHost {
  abstract readonly version: 1 | 2;
  constructor(readonly roots: string[]) {}

  protected abstract make(parts: string[], limits: CgroupLimits): ContainerCgroup;

  async create(path: string, limits: CgroupLimits): Promise<ContainerCgroup> {
    return this.make(checkPath(path), limits);
  }

  async removeTree(path: string): Promise<void> {
    const parts = checkPath(path);
    if (!parts.length) throw new Error('refusing to remove the instance root');
    for (const r of this.roots) await removeTreeDir(join(r, ...parts));
  }

  prune(): void {
    for (const r of this.roots) {
      for (const d of [r, join(r, '..')]) {
        try {
          rmdirSync(d);
        } catch {
          break; // in use, or holds another instance's cgroups
        }
      }
    }
  }

  async cleanupLeftovers(): Promise<void> {
    for (const r of this.roots) {
      for (const d of readdirSync(r, { withFileTypes: true })) if (d.isDirectory()) await removeTreeDir(join(r, d.name));
    }
  }

  protected write(dir: string, w: CgroupWrite): void {
    const f = join(dir, w.file);
    if (w.optional && !existsSync(f)) return;
    try {
      writeFileSync(f, w.value);
    } catch (e) {
      throw new Error(`cannot write ${w.value} to ${f}: ${(e as Error).message}`);
    }
  }
}

class V2Host extends BaseHost {
  readonly version = 2;

  private constructor(
    root: string,
    private readonly controllers: string,
  ) {
    super([root]);
  }

  static open(mount: string, instance: string): V2Host {
    const available = readFileSync(join(mount, 'cgroup.controllers'), 'utf8').trim().split(/\s+/);
    if (!available.includes('memory')) throw new Error('the cgroup v2 hierarchy has no memory controller');
    const enable = ['memory', 'cpu', 'pids'].filter((c) => available.includes(c)).map((c) => `+${c}`).join(' ');
    const host = new V2Host(join(mount, 'k8ts', instance), enable);
    // Controllers reach a cgroup only through every parent's subtree_control; the parents
    // hold no processes, as v2 requires of a cgroup that hands controllers down.
    host.enable(mount);
    mkdirSync(join(mount, 'k8ts'), { recursive: true });
    host.enable(join(mount, 'k8ts'));
    mkdirSync(host.roots[0]!, { recursive: true });
    host.enable(host.roots[0]!);
    return host;
  }

  private enable(dir: string): void {
    try {
      writeFileSync(join(dir, 'cgroup.subtree_control'), this.controllers);
    } catch (e) {
      throw new Error(`cannot enable ${this.controllers} in ${dir}: ${(e as Error).message}`);
    }
  }

  protected make(parts: string[], limits: CgroupLimits): ContainerCgroup {
    const root = this.roots[0]!;
    let dir = root;
    for (const p of parts) {
      this.enable(dir);
      dir = join(dir, p);
      mkdirSync(dir, { recursive: true });
    }
    try {
      for (const w of cgroupWrites(2, limits)) this.write(dir, w);
    } catch (e) {
      rmdirQuietly(dir);
      throw e;
    }
    return new Cgroup([dir], join(dir, 'memory.events'));
  }
}

class V1Host extends BaseHost {
  readonly version = 1;

  private constructor(private readonly rootOf: Map<Controller, string>) {
    super([...new Set(rootOf.values())]);
  }

  static open(mounts: Map<string, string>, instance: string): V1Host {
    // One hierarchy can hold several controllers (cpu,cpuacct): one directory there serves them.
    const rootOf = new Map<Controller, string>();
    for (const c of V1_CONTROLLERS) {
      const m = mounts.get(c);
      if (m) rootOf.set(c, join(m, 'k8ts', instance));
    }
    for (const r of new Set(rootOf.values())) mkdirSync(r, { recursive: true });
    return new V1Host(rootOf);
  }

  protected make(parts: string[], limits: CgroupLimits): ContainerCgroup {
    const dirs = this.roots.map((r) => join(r, ...parts));
    for (const d of dirs) mkdirSync(d, { recursive: true });
    try {
      for (const w of cgroupWrites(1, limits)) {
        const root = this.rootOf.get(w.controller as Controller);
        if (root) this.write(join(root, ...parts), w);
      }
    } catch (e) {
      dirs.forEach(rmdirQuietly);
      throw e;
    }
    return new Cgroup(dirs, join(this.rootOf.get('memory')!, ...parts, 'memory.oom_control'));
  }
}
