// Pod sandboxes and container root filesystems for the process runtime. A sandbox is what the
// kubelet's SyncPod makes before any container: a directory for the pod (volumes, /etc/hosts,
// /etc/hostname, /etc/resolv.conf, logs), and a network namespace with the pod's IP (or the
// cluster namespace for hostNetwork pods). A container is an overlay mount (the image's rootfs
// below, a fresh upper dir per start, as a new containerd snapshot) and the bwrap command line
// that starts its program in it.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { KubeObject } from '../api/meta/types.ts';
import type { RegistryAuth, StoredImage } from '../images/types.ts';
import { RuntimeError, type CreateRequest } from '../node/runtime.ts';
import { detectCgroups, limitsFor, type CgroupHost, type ContainerCgroup } from './cgroups.ts';
import { run } from './network/ip.ts';
import type { ClusterNetwork } from './network/cluster-network.ts';
import { containerArgv, resolveUser, verifyRunAsNonRoot, workingDir, type ProcessUser } from './pod-inputs/command.ts';
import { containerEnv, type EnvContext } from './pod-inputs/env.ts';
import type { Container, Pod } from './pod-inputs/types.ts';
import { containerMounts, etcFiles, prepareVolumes, terminationLogMount, type ContainerMount, type PreparedVolume, type VolumeContext } from './pod-inputs/volumes.ts';

/** What the runtime reads from the cluster to start containers (informer caches). */
export interface PodLookups extends Pick<EnvContext, 'configMap' | 'secret' | 'services'> {
  /** Credentials from the pod's imagePullSecrets. */
  pullSecrets(pod: KubeObject): RegistryAuth[];
  /** Host directory of the volume bound to a claim; rejects with why it cannot mount. */
  claimPath(namespace: string, claim: string): Promise<string>;
  /** A token for a projected serviceAccountToken source. */
  serviceAccountToken?: VolumeContext['serviceAccountToken'];
  clusterDomain: string;
}

export interface Sandbox {
  uid: string;
  dir: string;
  podIP: string;
  hostNetwork: boolean;
  /** The network namespace containers join. */
  netnsPath: string;
  hostname: string;
  /** The pod's IPC and UTS namespaces (bind-mounted files), shared by its containers; no ipc with hostIPC. */
  ipcPath?: string;
  utsPath: string;
  volumes: Map<string, PreparedVolume>;
  etc: Mount[];
}

export type Mount = ContainerMount;

export interface ContainerLaunch {
  spec: Container;
  argv: string[];
  env: [string, string][];
  workingDir: string;
  dir: string;
  rootfs: string;
  /** /run/k8ts/… directory holding a non-root container's root and mount sources. */
  bundle?: string;
  mounted: boolean;
  mounts: Mount[];
  readOnlyRootfs: boolean;
  stdin: boolean;
  /** spec.hostPID of the pod. */
  hostPID: boolean;
  /** Who the program runs as (securityContext, else the image's User). */
  user: ProcessUser;
  /** spec.tty: the program runs on a terminal. */
  tty: boolean;
  /** spec.stdinOnce: the program's stdin closes when the first attached client's does. */
  stdinOnce: boolean;
  logPath: string;
  hostname: string;
  netnsPath: string;
  ipcPath?: string;
  utsPath?: string;
  namedPorts: Map<string, number>;
  /** The container's resource limits (cgroups.ts); none where the host has no usable cgroups. */
  cgroup?: ContainerCgroup;
}

export interface PodSandboxesOptions {
  dir: string;
  network: ClusterNetwork;
  lookups: PodLookups;
  log: (m: string) => void;
}

export class PodSandboxes {
  private readonly byUid = new Map<string, Promise<Sandbox>>();
  private readonly ready = new Map<string, Sandbox>();
  private cgroupHost?: Promise<CgroupHost | undefined>;

  constructor(private readonly o: PodSandboxesOptions) {
    mkdirSync(o.dir, { recursive: true });
  }

  get(uid: string): Sandbox | undefined {
    return this.ready.get(uid);
  }

  /** The pod's sandbox, made on its first container. */
  ensure(req: CreateRequest): Promise<Sandbox> {
    const uid = req.pod.metadata.uid ?? '';
    let p = this.byUid.get(uid);
    if (!p) {
      p = this.create(req).then((sb) => (this.ready.set(uid, sb), sb));
      p.catch(() => this.byUid.delete(uid));
      this.byUid.set(uid, p);
    }
    return p;
  }

  private async create(req: CreateRequest): Promise<Sandbox> {
    const pod = req.pod as Pod & KubeObject;
    const uid = pod.metadata.uid ?? '';
    const spec = (pod.spec ?? {}) as NonNullable<Pod['spec']> & { hostNetwork?: boolean; hostname?: string; subdomain?: string; hostAliases?: { ip: string; hostnames?: string[] }[] };
    const dir = join(this.o.dir, uid);
    mkdirSync(join(dir, 'containers'), { recursive: true });
    const hostNetwork = spec.hostNetwork === true;
    const podIP = req.podIP ?? '';
    if (!podIP) throw new RuntimeError('CreatePodSandboxError', 'pod has no IP address');
    const netnsPath = hostNetwork ? this.o.network.netnsPath : await this.o.network.createPod(uid, podIP, req.podCIDR ?? '', req.hostIP ?? '');
    try {
      const hostname = hostNetwork ? req.nodeName : (spec.hostname || pod.metadata.name || '').slice(0, 63).replace(/[.-]+$/, '');
      const etc = etcFiles(dir, {
        hostname,
        subdomain: spec.subdomain,
        namespace: pod.metadata.namespace ?? 'default',
        clusterDomain: this.o.lookups.clusterDomain,
        podIPs: [podIP],
        hostAliases: spec.hostAliases,
        resolvConf: req.resolvConf ?? '',
        hostNetwork,
      });
      const volumes = await prepareVolumes(pod, {
        podDir: dir,
        configMap: this.o.lookups.configMap,
        secret: this.o.lookups.secret,
        claimPath: this.o.lookups.claimPath,
        serviceAccountToken: this.o.lookups.serviceAccountToken,
        nodeName: req.nodeName,
        hostIPs: req.hostIP ? [req.hostIP] : [],
        podIPs: [podIP],
      });
      const { ipcPath, utsPath } = await this.podNamespaces(uid, hostname, (spec as { hostIPC?: boolean }).hostIPC === true);
      return { uid, dir, podIP, hostNetwork, netnsPath, hostname, ipcPath, utsPath, volumes, etc };
    } catch (e) {
      if (!hostNetwork) await this.o.network.deletePod(uid);
      await this.removePodFiles(uid);
      throw new RuntimeError('CreateContainerConfigError', (e as Error).message);
    }
  }

  /**
   * The pod's IPC and UTS namespaces, as the pause container holds them upstream: made once,
   * kept by bind mounts under /run/k8ts/<cluster>/ (removed with the pod), the hostname set inside.
   */
  private async podNamespaces(uid: string, hostname: string, hostIPC: boolean): Promise<{ ipcPath?: string; utsPath: string }> {
    const root = this.bundleRoot();
    const utsPath = join(root, `${uid}-uts`);
    const ipcPath = hostIPC ? undefined : join(root, `${uid}-ipc`);
    for (const f of [utsPath, ipcPath]) if (f) writeFileSync(f, '');
    const args = [...(ipcPath ? [`--ipc=${ipcPath}`] : []), `--uts=${utsPath}`, 'sh', '-c', 'printf %s "$1" > /proc/sys/kernel/hostname', 'sh', hostname];
    await this.o.network.run('unshare', args);
    return { ipcPath, utsPath };
  }

  /** Everything a container's start needs: argv, env, mounts, and its overlay root mounted. */
  async prepareContainer(sb: Sandbox, req: CreateRequest, image: StoredImage, id: string): Promise<ContainerLaunch> {
    const pod = req.pod as Pod & KubeObject;
    const spec = req.container as unknown as Container & { stdin?: boolean; stdinOnce?: boolean; tty?: boolean; ports?: { name?: string; containerPort: number }[] };
    const env = containerEnv(pod, spec, {
      configMap: this.o.lookups.configMap,
      secret: this.o.lookups.secret,
      services: this.o.lookups.services,
      imageEnv: image.config.env ?? [],
      nodeName: req.nodeName,
      hostIPs: req.hostIP ? [req.hostIP] : [],
      podIPs: [sb.podIP],
    });
    if (env.error) throw new RuntimeError('CreateContainerConfigError', env.error);
    let argv: string[];
    try {
      argv = containerArgv(spec, image.config, env.containerEnv);
    } catch (e) {
      throw new RuntimeError('CreateContainerError', (e as Error).message);
    }
    const nonRoot = verifyRunAsNonRoot(pod, spec, image.config.user);
    if (nonRoot) throw new RuntimeError('CreateContainerConfigError', nonRoot);
    let user: ProcessUser;
    try {
      const etc = (f: string) => (existsSync(join(image.rootfs, 'etc', f)) ? readFileSync(join(image.rootfs, 'etc', f), 'utf8') : undefined);
      user = resolveUser(pod, spec, image.config.user, { passwd: etc('passwd'), group: etc('group') });
    } catch (e) {
      throw new RuntimeError('CreateContainerError', `failed to resolve the container's user: ${(e as Error).message}`);
    }
    // containerd sets HOME from the passwd entry when the image and pod leave it unset.
    if (!env.env.some(([k]) => k === 'HOME')) env.env.push(['HOME', user.home ?? '/']);
    let mounts: Mount[];
    try {
      mounts = containerMounts(spec, sb.volumes, env.containerEnv, [...sb.etc, terminationLogMount(sb.dir, spec, id)]);
    } catch (e) {
      throw new RuntimeError('CreateContainerConfigError', (e as Error).message);
    }
    const dir = join(sb.dir, 'containers', `${spec.name}-${req.attempt}-${id.slice(0, 8)}`);
    mkdirSync(join(dir, 'upper'), { recursive: true });
    mkdirSync(join(dir, 'work'), { recursive: true });
    // A container of another user: bwrap runs as that user and must reach every mount source, so
    // they are gathered (bind-mounted by root) under a world-traversable bundle in /run.
    const bundle = user.uid !== 0 ? join(this.bundleRoot(), `${sb.uid}-${id.slice(0, 12)}`) : undefined;
    const rootfs = bundle ? join(bundle, 'rootfs') : join(dir, 'rootfs');
    mkdirSync(rootfs, { recursive: true, mode: 0o755 });
    await this.o.network.run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${image.rootfs},upperdir=${join(dir, 'upper')},workdir=${join(dir, 'work')}`, rootfs]).catch((e: Error) => {
      throw new RuntimeError('CreateContainerError', `failed to mount the container's root filesystem: ${e.message}`);
    });
    if (bundle) {
      try {
        mounts = await this.gather(bundle, mounts);
        // bwrap, as that user, cannot make mount points in root's directories: root makes them.
        for (const d of ['proc', 'dev']) mkdirSync(join(rootfs, d), { recursive: true });
        for (const m of mounts) {
          if (m.destination.startsWith('/dev/') || m.destination === '/dev') continue;
          makeMountPoint(rootfs, m.destination, m.tmpfs === true || statSync(m.source).isDirectory());
        }
      } catch (e) {
        await this.o.network.run('umount', ['-R', '-l', bundle]).catch(() => {});
        throw new RuntimeError('CreateContainerError', `failed to prepare the mounts of a non-root container: ${(e as Error).message}`);
      }
    }
    const logDir = join(sb.dir, 'logs', spec.name);
    mkdirSync(logDir, { recursive: true });
    const namedPorts = new Map<string, number>();
    for (const p of spec.ports ?? []) if (p.name) namedPorts.set(p.name, p.containerPort);
    const cgroup = await this.containerCgroup(sb.uid, id, spec);
    return {
      spec,
      argv,
      env: env.env,
      workingDir: workingDir(spec, image.config),
      dir,
      rootfs,
      bundle,
      mounted: true,
      mounts,
      readOnlyRootfs: spec.securityContext?.readOnlyRootFilesystem === true,
      stdin: spec.stdin === true,
      tty: spec.tty === true,
      hostPID: (pod.spec as { hostPID?: boolean } | undefined)?.hostPID === true,
      user,
      stdinOnce: spec.stdinOnce === true,
      logPath: join(logDir, `${req.attempt}.log`),
      hostname: sb.hostname,
      netnsPath: sb.netnsPath,
      ipcPath: sb.ipcPath,
      utsPath: sb.utsPath,
      namedPorts,
      cgroup,
    };
  }

  // ---- cgroups (resource limits and OOM kills) ----

  /** The host's cgroups, found on the first container; what a killed previous run left is removed first. */
  private cgroups(): Promise<CgroupHost | undefined> {
    this.cgroupHost ??= (async () => {
      const h = detectCgroups({ instance: createHash('sha256').update(this.o.dir).digest('hex').slice(0, 8) });
      if ('unavailable' in h) {
        this.o.log(`cgroups unavailable (${h.unavailable}): containers run without resource limits`);
        return undefined;
      }
      await h.cleanupLeftovers().catch((e: Error) => this.o.log(`cgroups of a previous run: ${e.message}`));
      return h;
    })();
    return this.cgroupHost;
  }

  /** A container whose limits cannot be set runs without them rather than not at all. */
  private async containerCgroup(podUid: string, id: string, spec: Container): Promise<ContainerCgroup | undefined> {
    const host = await this.cgroups();
    if (!host) return undefined;
    return host.create(`${podUid}/${id}`, limitsFor(spec.resources)).catch((e: Error) => {
      this.o.log(`container ${spec.name} of pod ${podUid} runs without resource limits: ${e.message}`);
      return undefined;
    });
  }

  /** The program argv[0] names when it cannot be found in the root filesystem (runc's StartError). */
  missingProgram(l: ContainerLaunch): string | undefined {
    const prog = l.argv[0] ?? '';
    const path = l.env.find(([k]) => k === 'PATH')?.[1] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
    const candidates = prog.includes('/') ? [posix.resolve(l.workingDir, prog)] : path.split(':').map((d) => posix.join(d || '.', prog));
    // Volumes mounted over the rootfs can hold the program too: a path under one is trusted.
    if (prog.includes('/') && l.mounts.some((m) => candidates[0]!.startsWith(m.destination + '/'))) return undefined;
    return candidates.some((c) => existsInRoot(l.rootfs, c)) ? undefined : prog;
  }

  /** nsenter into the pod's network, then bwrap builds the container's mount, PID, UTS and IPC namespaces. */
  bwrapCommand(l: ContainerLaunch): { command: string; args: string[] } {
    // hostPID: the node's PID namespace is the host's; the program is then not PID 1.
    const pid = l.hostPID ? [] : ['--unshare-pid', '--as-pid-1'];
    // Another user: nsenter drops to it before bwrap, which then builds the sandbox in a user
    // namespace mapping that uid to itself, so the program has the user's rights and no capabilities.
    const { uid, gid } = l.user;
    const asUser = uid !== 0 ? ['-S', String(uid), '-G', String(gid)] : [];
    const userns = uid !== 0 ? ['--unshare-user', '--uid', String(uid), '--gid', String(gid)] : [];
    // The pod's own IPC and UTS namespaces are joined (its hostname is set there); none: fresh ones.
    const podNs = [...(l.ipcPath ? [`--ipc=${l.ipcPath}`] : []), ...(l.utsPath ? [`--uts=${l.utsPath}`] : [])];
    const fresh = l.utsPath ? [] : ['--unshare-uts', '--unshare-ipc'];
    const a: string[] = [`--net=${l.netnsPath}`, ...podNs, ...asUser, '--', 'bwrap', '--die-with-parent', ...userns, ...pid, ...fresh, '--unshare-cgroup-try', '--info-fd', '3'];
    if (!l.utsPath) a.push('--hostname', l.hostname);
    a.push('--bind', l.rootfs, '/', '--proc', '/proc', '--dev', '/dev');
    for (const m of l.mounts) {
      if (m.tmpfs) a.push(...(m.sizeLimitBytes ? ['--size', String(m.sizeLimitBytes)] : []), '--tmpfs', m.destination);
      else a.push(m.readOnly ? '--ro-bind' : '--bind', m.source, m.destination);
    }
    if (l.readOnlyRootfs) a.push('--remount-ro', '/');
    a.push('--chdir', l.workingDir, '--clearenv');
    for (const [k, v] of l.env) a.push('--setenv', k, v);
    a.push('--', ...l.argv);
    if (!l.cgroup) return { command: 'nsenter', args: a };
    // The shell joins the container's cgroups and then becomes nsenter: every process of the
    // container starts inside them, with no moment unlimited.
    const joinCgroups = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; exec "$@"';
    return { command: 'sh', args: ['-c', joinCgroups, 'sh', String(l.cgroup.procsFiles.length), ...l.cgroup.procsFiles, 'nsenter', ...a] };
  }

  /** Whether the kernel killed the container's program for going over its memory limit. */
  oomKilled(l: ContainerLaunch): boolean {
    return l.cgroup?.oomKilled() ?? false;
  }

  /** Unmounts and removes what the pod has under /run/k8ts (its namespaces, container bundles), and the mounts under alsoUnder. */
  private async removePodFiles(uid: string, alsoUnder?: string): Promise<void> {
    const root = join('/run/k8ts', this.o.network.netns);
    const mine = mountsUnder(`${root}/${uid}-`, ...(alsoUnder ? [alsoUnder] : []));
    // One umount for all of them: each command is a fork.
    if (mine.length) await this.o.network.run('umount', ['-l', ...mine]).catch(() => {});
    if (existsSync(root)) for (const d of readdirSync(root)) if (d.startsWith(`${uid}-`)) rmSync(join(root, d), { recursive: true, force: true });
  }

  /** Where non-root containers' bundles live: /run/k8ts/<cluster namespace>, world-traversable. */
  bundleRoot(): string {
    const root = join('/run/k8ts', this.o.network.netns);
    mkdirSync(root, { recursive: true, mode: 0o755 });
    chmodSync('/run/k8ts', 0o755);
    chmodSync(root, 0o755);
    return root;
  }

  /** Bind-mounts each mount's source under bundle/m/<n> (one command) and returns the mounts re-sourced there. */
  private async gather(bundle: string, mounts: Mount[]): Promise<Mount[]> {
    const pairs: string[] = [];
    const out = mounts.map((m, i) => {
      if (m.tmpfs) return m;
      const target = join(bundle, 'm', String(i));
      if (statSync(m.source).isDirectory()) mkdirSync(target, { recursive: true, mode: 0o755 });
      else {
        mkdirSync(join(bundle, 'm'), { recursive: true, mode: 0o755 });
        writeFileSync(target, '');
      }
      pairs.push(m.source, target);
      return { ...m, source: target };
    });
    chmodSync(bundle, 0o755);
    if (pairs.length) await this.o.network.run('sh', ['-c', 'while [ $# -gt 1 ]; do mount --bind "$1" "$2" || exit 1; shift 2; done', 'sh', ...pairs]);
    return out;
  }

  async removeContainer(l: ContainerLaunch): Promise<void> {
    if (l.mounted) {
      l.mounted = false;
      await this.o.network.run('umount', ['-R', '-l', l.bundle ?? l.rootfs]).catch(() => {});
      if (l.bundle) await this.o.network.run('umount', ['-R', '-l', l.rootfs]).catch(() => {});
    }
    if (l.bundle) rmSync(l.bundle, { recursive: true, force: true });
    await l.cgroup?.remove().catch((e: Error) => this.o.log(`container cgroup: ${e.message}`));
    rmSync(l.dir, { recursive: true, force: true });
  }

  /** Unmounts every container root, removes the network namespace and the pod's directory. */
  async remove(uid: string): Promise<void> {
    const p = this.byUid.get(uid);
    this.byUid.delete(uid);
    this.ready.delete(uid);
    const sb = p ? await p.catch(() => undefined) : undefined;
    const dir = join(this.o.dir, uid);
    // Its namespaces, its non-root containers' bundles and its containers' roots: one umount (each command is a fork).
    await this.removePodFiles(uid, join(dir, 'containers') + '/');
    if (!sb?.hostNetwork) await this.o.network.deletePod(uid);
    const cg = await this.cgroupHost;
    if (cg && uid) {
      await cg.removeTree(uid).catch((e: Error) => this.o.log(`cgroups of pod ${uid}: ${e.message}`));
      if (!this.byUid.size) cg.prune();
    }
    // Mounts inside are gone (they lived in the containers' own mount namespaces, or were just unmounted).
    if (stillMounted(dir)) this.o.log(`pod directory ${dir} still has mounts: left in place`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** Mount points under any of these prefixes, deepest first (so nested mounts go before their parents). */
function mountsUnder(...prefixes: string[]): string[] {
  let text: string;
  try {
    text = readFileSync('/proc/self/mounts', 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m !== '' && prefixes.some((p) => m.startsWith(p)))
    .sort((a, b) => b.length - a.length);
}

/** Unmounts container roots a killed previous run left under dir (their processes died with it). */
export async function sweepMounts(dir: string): Promise<number> {
  const mounts = mountsUnder(dir + '/');
  if (mounts.length) await run('umount', ['-l', ...mounts]).catch(() => {});
  return mounts.length;
}

const stillMounted = (dir: string) => mountsUnder(dir + '/').length > 0;

/**
 * Creates a mount point inside root without following the image's symlinks (an absolute link
 * would lead out of the root): where a component is a symlink, nothing is made and bwrap decides.
 */
function makeMountPoint(root: string, dest: string, dir: boolean): void {
  const parts = dest.split('/').filter(Boolean);
  let cur = root;
  for (let i = 0; i < parts.length; i++) {
    cur = join(cur, parts[i]!);
    const last = i === parts.length - 1;
    let st;
    try {
      st = lstatSync(cur);
    } catch {
      if (last && !dir) writeFileSync(cur, '');
      else mkdirSync(cur);
      continue;
    }
    if (st.isSymbolicLink()) return;
  }
}

/** Whether path exists inside root, following symlinks as the container would (absolute ones relative to root). */
function existsInRoot(root: string, path: string, depth = 0): boolean {
  if (depth > 16) return false;
  const parts = path.split('/').filter(Boolean);
  let cur = '/';
  for (let i = 0; i < parts.length; i++) {
    const next = posix.join(cur, parts[i]!);
    const host = join(root, next);
    let st;
    try {
      st = lstatSync(host);
    } catch {
      return false;
    }
    if (st.isSymbolicLink()) {
      const target = readlinkSync(host);
      const resolved = target.startsWith('/') ? target : posix.join(cur, target);
      return existsInRoot(root, posix.join(resolved, ...parts.slice(i + 1)), depth + 1);
    }
    cur = next;
  }
  return existsSync(join(root, cur));
}
