// What a container process is started as: argv, working directory and user. The kubelet expands
// `$(VAR)` in command and args (kubecontainer.ExpandContainerCommandAndArgs) and passes the user
// it derives (kuberuntime determineEffectiveSecurityContext, verifyRunAsNonRoot); containerd then
// merges them with the image config (WithProcessArgs, WithUser, WithAdditionalGIDs).
import type { ImageConfig } from '../../images/types.ts';
import { expand, mappingFor } from './expand.ts';
import type { Container, Pod, PodSecurityContext, SecurityContext } from './types.ts';

export type EnvPairs = readonly (readonly [string, string])[];

/**
 * The argv: `command` replaces the image's Entrypoint and drops its Cmd; `args` alone replace Cmd.
 * `$(VAR)` references resolve against `env` (the kubelet's variables, not the image's).
 */
export function containerArgv(
  container: Pick<Container, 'command' | 'args'>,
  image: Pick<ImageConfig, 'entrypoint' | 'cmd'>,
  env: EnvPairs = [],
): string[] {
  const mapping = mappingFor(new Map(env.map(([k, v]) => [k, v])));
  let command = (container.command ?? []).map((c) => expand(c, mapping));
  let args = (container.args ?? []).map((a) => expand(a, mapping));
  if (command.length === 0) {
    if (args.length === 0) args = [...(image.cmd ?? [])];
    // An Entrypoint of [""] means "reset" (docker's convention), not a program named "".
    const ep = image.entrypoint ?? [];
    if (!(ep.length === 1 && ep[0] === '')) command = [...ep];
  }
  if (command.length === 0 && args.length === 0) throw new Error('no command specified');
  return [...command, ...args];
}

export function workingDir(container: Pick<Container, 'workingDir'>, image: Pick<ImageConfig, 'workingDir'>): string {
  return container.workingDir || image.workingDir || '/';
}

/** The container's security context over the pod's (DetermineEffectiveSecurityContext). */
export function effectiveSecurityContext(pod: Pod, container: Container): SecurityContext {
  const p: PodSecurityContext = pod.spec?.securityContext ?? {};
  const c: SecurityContext = container.securityContext ?? {};
  return {
    runAsUser: c.runAsUser ?? p.runAsUser,
    runAsGroup: c.runAsGroup ?? p.runAsGroup,
    runAsNonRoot: c.runAsNonRoot ?? p.runAsNonRoot,
    readOnlyRootFilesystem: c.readOnlyRootFilesystem,
  };
}

const isNumeric = (s: string) => /^[0-9]+$/.test(s);

/**
 * runAsNonRoot against the user the container would run as; the kubelet's messages
 * (CreateContainerConfigError). An image without a user runs as root.
 */
export function verifyRunAsNonRoot(pod: Pod, container: Container, imageUser = ''): string | undefined {
  const sc = effectiveSecurityContext(pod, container);
  if (!sc.runAsNonRoot) return undefined;
  const who = `${pod.metadata.name ?? ''}_${pod.metadata.namespace ?? ''}(${pod.metadata.uid ?? ''})`;
  if (sc.runAsUser !== undefined) {
    return sc.runAsUser === 0 ? `container's runAsUser breaks non-root policy (pod: "${who}", container: ${container.name})` : undefined;
  }
  const user = imageUser.split(':')[0]!;
  if (user === '' || (isNumeric(user) && Number(user) === 0)) {
    return `container has runAsNonRoot and image will run as root (pod: "${who}", container: ${container.name})`;
  }
  if (!isNumeric(user)) {
    return `container has runAsNonRoot and image has non-numeric user (${user}), cannot verify user is non-root (pod: "${who}", container: ${container.name})`;
  }
  return undefined;
}

/**
 * The user string the runtime receives: runAsUser, else the image user without its group (the
 * kubelet passes only the user part; no user at all means uid 0), then `:runAsGroup` when set.
 */
export function userSpec(pod: Pod, container: Container, imageUser = ''): string {
  const sc = effectiveSecurityContext(pod, container);
  const user = sc.runAsUser !== undefined ? String(sc.runAsUser) : imageUser.split(':')[0] || '0';
  return sc.runAsGroup !== undefined ? `${user}:${sc.runAsGroup}` : user;
}

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** /etc/passwd lines `name:x:uid:gid:gecos:home:shell`; malformed lines are skipped. */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(':');
    if (f.length < 4 || line.startsWith('#') || !isNumeric(f[2]!) || !isNumeric(f[3]!)) continue;
    out.push({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '', shell: f[6] ?? '' });
  }
  return out;
}

/** /etc/group lines `name:x:gid:member,member`. */
export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(':');
    if (f.length < 3 || line.startsWith('#') || !isNumeric(f[2]!)) continue;
    out.push({ name: f[0]!, gid: Number(f[2]), members: (f[3] ?? '').split(',').filter(Boolean) });
  }
  return out;
}

export interface ProcessUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  /** The passwd entry's home, when the user was found there (HOME default). */
  home?: string;
}

export interface RootfsFiles {
  /** The rootfs's /etc/passwd text, when it has one. */
  passwd?: string;
  /** The rootfs's /etc/group text. */
  group?: string;
}

/**
 * Resolves the user as containerd's WithUser does: a numeric uid missing from /etc/passwd runs
 * with gid 0; a name must be found (`no users found`), a group name too (`no groups found`).
 * Supplementary groups: the user's memberships in /etc/group, then the pod's supplementalGroups
 * and fsGroup.
 */
export function resolveUser(pod: Pod, container: Container, imageUser: string | undefined, files: RootfsFiles = {}): ProcessUser {
  const spec = userSpec(pod, container, imageUser ?? '');
  const passwd = parsePasswd(files.passwd ?? '');
  const groups = parseGroup(files.group ?? '');
  let uid: number;
  let gid = 0;
  let entry: PasswdEntry | undefined;
  const [u, g] = spec.split(':', 2) as [string, string | undefined];
  if (isNumeric(u)) {
    uid = Number(u);
    entry = passwd.find((e) => e.uid === uid);
    if (g === undefined) gid = entry?.gid ?? 0;
  } else {
    entry = passwd.find((e) => e.name === u);
    if (!entry) throw new Error('no users found');
    uid = entry.uid;
    if (g === undefined) gid = entry.gid;
  }
  if (g !== undefined) {
    if (isNumeric(g)) gid = Number(g);
    else {
      const ge = groups.find((e) => e.name === g);
      if (!ge) throw new Error('no groups found');
      gid = ge.gid;
    }
  }
  const additional: number[] = [];
  const add = (n: number) => {
    if (!additional.includes(n)) additional.push(n);
  };
  const name = entry?.name;
  if (name) for (const g of groups) if (g.members.includes(name)) add(g.gid);
  const psc = pod.spec?.securityContext ?? {};
  for (const g of psc.supplementalGroups ?? []) add(g);
  if (psc.fsGroup !== undefined) add(psc.fsGroup);
  return { uid, gid, additionalGids: additional, ...(entry?.home ? { home: entry.home } : {}) };
}
