// A pod's volumes made on this node's disk, and the mounts of each container. Directories follow
// the kubelet's layout, <podDir>/volumes/kubernetes.io~<plugin>/<volume>:
//
//   emptyDir               a 0777 directory; medium Memory is reported as `tmpfs` (with its
//                          sizeLimit) for the runtime to mount a tmpfs there
//   hostPath               the node path itself, after the `type` check (and creation)
//   configMap, secret,     files written with the atomic writer (..data layout) so they can be
//   downwardAPI, projected updated later; always mounted read-only
//   persistentVolumeClaim  the host directory of the bound volume (ctx.claimPath);
//   ephemeral              the same, for the generated claim `<pod>-<volume>`
//
// Failures carry the kubelet's FailedMount text: `MountVolume.SetUp failed for volume "v" : …`.
import { type Stats, chmodSync, existsSync, mkdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parseQuantity } from '../../api/validation/quantity.ts';
import { type FileProjection, writeAtomic } from './atomic-writer.ts';
import type { EnvPairs } from './command.ts';
import type { ConfigMapLike, SecretLike } from './env.ts';
import { expand } from './expand.ts';
import { type NodeFacts, podFieldValue, resourceFieldValue } from './fieldpath.ts';
import type { Container, DownwardAPIFile, KeyToPath, Pod, ProjectionSource, Volume } from './types.ts';

export { etcFiles, hostsFileContent, podHostnameAndDomain, terminationLogMount, type EtcOptions } from './etc-files.ts';

type Maybe<T> = T | undefined | Promise<T | undefined>;

export interface VolumeContext extends NodeFacts {
  /** The pod's directory; volumes go under <podDir>/volumes. */
  podDir: string;
  configMap(namespace: string, name: string): Maybe<ConfigMapLike>;
  secret(namespace: string, name: string): Maybe<SecretLike>;
  /** Host directory of the volume bound to a claim; rejects with why it cannot be mounted. */
  claimPath(namespace: string, claimName: string): Promise<string>;
  /** A token for a projected serviceAccountToken source (audience "" is the API server's). */
  serviceAccountToken?(pod: Pod, audience: string, expirationSeconds: number): string | Promise<string>;
}

export type VolumeKind = 'emptyDir' | 'tmpfs' | 'hostPath' | 'configMap' | 'secret' | 'downwardAPI' | 'projected' | 'persistentVolumeClaim' | 'ephemeral';

export interface PreparedVolume {
  hostPath: string;
  /** The volume itself is read-only (API sources, a readOnly claim). */
  readOnly: boolean;
  kind: VolumeKind;
  /** tmpfs only: emptyDir.sizeLimit in bytes. */
  sizeLimitBytes?: number;
}

export interface ContainerMount {
  source: string;
  destination: string;
  readOnly: boolean;
  /** rslave (HostToContainer) or rshared (Bidirectional); absent means private. */
  propagation?: 'rslave' | 'rshared';
  /** Mount a tmpfs (an emptyDir with medium Memory) rather than bind `source`. */
  tmpfs?: boolean;
  sizeLimitBytes?: number;
}

const SUPPORTED = ['emptyDir', 'hostPath', 'configMap', 'secret', 'downwardAPI', 'projected', 'persistentVolumeClaim', 'ephemeral'] as const;
const PLUGIN_DIR: Record<string, string> = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
};
const DEFAULT_MODE = 0o644;
const NON_SOURCE_KEYS = new Set(['name']);

/** The source a volume uses (the first set key other than name). */
export function volumeSource(v: Volume): string | undefined {
  return Object.keys(v).find((k) => !NON_SOURCE_KEYS.has(k) && v[k] !== undefined && v[k] !== null);
}

export class VolumeSetupError extends Error {
  constructor(
    readonly volume: string,
    readonly detail: string,
  ) {
    super(`MountVolume.SetUp failed for volume "${volume}" : ${detail}`);
  }
}

const decode = (b64: string) => Buffer.from(b64, 'base64');
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** configmap.MakePayload: every key, or the listed items (a missing key fails unless optional). */
export function configMapPayload(cm: ConfigMapLike, items: KeyToPath[] | undefined, defaultMode: number, optional: boolean): Map<string, FileProjection> {
  const out = new Map<string, FileProjection>();
  if (!items?.length) {
    for (const [k, v] of Object.entries(cm.data ?? {})) out.set(k, { data: v, mode: defaultMode });
    for (const [k, v] of Object.entries(cm.binaryData ?? {})) out.set(k, { data: decode(v), mode: defaultMode });
    return out;
  }
  for (const it of items) {
    const s = cm.data?.[it.key];
    const b = cm.binaryData?.[it.key];
    if (s === undefined && b === undefined) {
      if (optional) continue;
      throw new Error(`configmap references non-existent config key: ${it.key}`);
    }
    out.set(it.path, { data: s ?? decode(b!), mode: it.mode ?? defaultMode });
  }
  return out;
}

/** secret.MakePayload. */
export function secretPayload(secret: SecretLike, items: KeyToPath[] | undefined, defaultMode: number, optional: boolean): Map<string, FileProjection> {
  const out = new Map<string, FileProjection>();
  if (!items?.length) {
    for (const [k, v] of Object.entries(secret.data ?? {})) out.set(k, { data: decode(v), mode: defaultMode });
    return out;
  }
  for (const it of items) {
    const v = secret.data?.[it.key];
    if (v === undefined) {
      if (optional) continue;
      throw new Error(`secret references non-existent secret key: ${it.key}`);
    }
    out.set(it.path, { data: decode(v), mode: it.mode ?? defaultMode });
  }
  return out;
}

/** downwardapi.CollectData: each item's field or resource value. */
export function downwardAPIPayload(pod: Pod, items: DownwardAPIFile[] | undefined, defaultMode: number, node: NodeFacts): Map<string, FileProjection> {
  const out = new Map<string, FileProjection>();
  const errs: string[] = [];
  for (const it of items ?? []) {
    try {
      let data: string;
      if (it.fieldRef) data = podFieldValue(pod, it.fieldRef.fieldPath, node);
      else if (it.resourceFieldRef) {
        const name = it.resourceFieldRef.containerName ?? '';
        const c = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((x) => x.name === name);
        if (!c) throw new Error(`container ${name} not found`);
        data = resourceFieldValue(pod, c, it.resourceFieldRef, node);
      } else continue;
      out.set(posix.normalize(it.path), { data, mode: it.mode ?? defaultMode });
    } catch (e) {
      errs.push(errText(e));
    }
  }
  if (errs.length) throw new Error(aggregate(errs));
  return out;
}

/** utilerrors.NewAggregate's text. */
const aggregate = (errs: string[]) => (errs.length === 1 ? errs[0]! : `[${errs.join(', ')}]`);

async function projectedPayload(pod: Pod, sources: ProjectionSource[], defaultMode: number, ctx: VolumeContext): Promise<Map<string, FileProjection>> {
  const ns = pod.metadata.namespace ?? 'default';
  const out = new Map<string, FileProjection>();
  const errs: string[] = [];
  const merge = (m: Map<string, FileProjection>) => m.forEach((v, k) => out.set(k, v));
  for (const src of sources) {
    try {
      if (src.configMap) {
        const { name = '', items, optional = false } = src.configMap;
        const cm = await ctx.configMap(ns, name);
        if (!cm && !optional) throw new Error(`configmap "${name}" not found`);
        merge(configMapPayload(cm ?? {}, items, defaultMode, optional));
      } else if (src.secret) {
        const { name = '', items, optional = false } = src.secret;
        const s = await ctx.secret(ns, name);
        if (!s && !optional) throw new Error(`secret "${name}" not found`);
        merge(secretPayload(s ?? {}, items, defaultMode, optional));
      } else if (src.downwardAPI) {
        merge(downwardAPIPayload(pod, src.downwardAPI.items, defaultMode, ctx));
      } else if (src.serviceAccountToken) {
        const t = src.serviceAccountToken;
        if (!ctx.serviceAccountToken) throw new Error('service account token sources are not supported on this node');
        const token = await ctx.serviceAccountToken(pod, t.audience ?? '', t.expirationSeconds ?? 3600);
        // With an fsGroup the kubelet writes 0600 and relies on the ownership change for group read.
        const mode = pod.spec?.securityContext?.fsGroup !== undefined ? 0o600 : defaultMode;
        out.set(t.path, { data: token, mode });
      }
    } catch (e) {
      errs.push(errText(e));
    }
  }
  if (errs.length) throw new Error(aggregate(errs));
  return out;
}

/** checkType for a hostPath volume (pkg/volume/hostpath), creating what *OrCreate asks for. */
export function checkHostPathType(path: string, type: string | undefined): void {
  const st = () => {
    try {
      return statSync(path);
    } catch {
      return undefined;
    }
  };
  const fail = (what: string) => new Error(`hostPath type check failed: ${path} is not ${what}`);
  const t = type ?? '';
  if (t === '') return;
  // The *OrCreate types create a missing path, then check an existing one like the plain type.
  if (t === 'DirectoryOrCreate' && !st()) {
    mkdirSync(path, { recursive: true, mode: 0o755 });
    return;
  }
  if (t === 'FileOrCreate' && !st()) {
    writeFileSync(path, '', { flag: 'a', mode: 0o644 });
    return;
  }
  const checks: Record<string, [string, (s: Stats) => boolean]> = {
    DirectoryOrCreate: ['a directory', (s) => s.isDirectory()],
    Directory: ['a directory', (s) => s.isDirectory()],
    FileOrCreate: ['a file', (s) => s.isFile()],
    File: ['a file', (s) => s.isFile()],
    Socket: ['a socket file', (s) => s.isSocket()],
    CharDevice: ['a character device', (s) => s.isCharacterDevice()],
    BlockDevice: ['a block device', (s) => s.isBlockDevice()],
  };
  const check = checks[t];
  if (!check) throw new Error(`${t} is an invalid volume type`);
  const stats = st();
  if (!stats || !check[1](stats)) throw fail(check[0]);
}

const hasBacksteps = (p: string) => p.split('/').includes('..');

async function prepareOne(pod: Pod, v: Volume, kind: string, ctx: VolumeContext): Promise<PreparedVolume> {
  const ns = pod.metadata.namespace ?? 'default';
  const dir = () => join(ctx.podDir, 'volumes', PLUGIN_DIR[kind]!, v.name);
  switch (kind) {
    case 'emptyDir': {
      const hostPath = dir();
      mkdirSync(hostPath, { recursive: true });
      chmodSync(hostPath, 0o777);
      if (v.emptyDir?.medium === 'Memory') {
        const size = parseQuantity(v.emptyDir.sizeLimit);
        return { hostPath, readOnly: false, kind: 'tmpfs', ...(size ? { sizeLimitBytes: Math.ceil(size) } : {}) };
      }
      return { hostPath, readOnly: false, kind: 'emptyDir' };
    }
    case 'hostPath': {
      const p = v.hostPath!.path;
      if (hasBacksteps(p)) throw new Error(`invalid HostPath \`${p}\`: must not contain '..'`);
      checkHostPathType(p, v.hostPath!.type);
      return { hostPath: p, readOnly: false, kind: 'hostPath' };
    }
    case 'configMap': {
      const { name = '', items, defaultMode = DEFAULT_MODE, optional = false } = v.configMap!;
      const cm = await ctx.configMap(ns, name);
      if (!cm && !optional) throw new Error(`configmap "${name}" not found`);
      const hostPath = dir();
      writeAtomic(hostPath, configMapPayload(cm ?? {}, items, defaultMode, optional));
      return { hostPath, readOnly: true, kind: 'configMap' };
    }
    case 'secret': {
      const { secretName = '', items, defaultMode = DEFAULT_MODE, optional = false } = v.secret!;
      const s = await ctx.secret(ns, secretName);
      if (!s && !optional) throw new Error(`secret "${secretName}" not found`);
      const hostPath = dir();
      writeAtomic(hostPath, secretPayload(s ?? {}, items, defaultMode, optional));
      return { hostPath, readOnly: true, kind: 'secret' };
    }
    case 'downwardAPI': {
      const hostPath = dir();
      writeAtomic(hostPath, downwardAPIPayload(pod, v.downwardAPI!.items, v.downwardAPI!.defaultMode ?? DEFAULT_MODE, ctx));
      return { hostPath, readOnly: true, kind: 'downwardAPI' };
    }
    case 'projected': {
      const hostPath = dir();
      writeAtomic(hostPath, await projectedPayload(pod, v.projected!.sources ?? [], v.projected!.defaultMode ?? DEFAULT_MODE, ctx));
      return { hostPath, readOnly: true, kind: 'projected' };
    }
    case 'persistentVolumeClaim': {
      const hostPath = await ctx.claimPath(ns, v.persistentVolumeClaim!.claimName);
      return { hostPath, readOnly: v.persistentVolumeClaim!.readOnly === true, kind: 'persistentVolumeClaim' };
    }
    case 'ephemeral': {
      const hostPath = await ctx.claimPath(ns, `${pod.metadata.name ?? ''}-${v.name}`);
      return { hostPath, readOnly: false, kind: 'ephemeral' };
    }
  }
  throw new Error(`unsupported volume type ${kind}`);
}

/** Volumes whose source this node cannot set up, as `name (source)`. */
export function unsupportedVolumes(pod: Pod): string[] {
  return (pod.spec?.volumes ?? []).flatMap((v) => {
    const kind = volumeSource(v);
    return kind && (SUPPORTED as readonly string[]).includes(kind) ? [] : [`${v.name} (${kind ?? 'no source'})`];
  });
}

/** Sets up every volume of the pod; rejects with the first failure (nothing is undone). */
export async function prepareVolumes(pod: Pod, ctx: VolumeContext): Promise<Map<string, PreparedVolume>> {
  const unsupported = unsupportedVolumes(pod);
  if (unsupported.length) throw new Error(`unsupported volume types: ${unsupported.join(', ')}`);
  const out = new Map<string, PreparedVolume>();
  for (const v of pod.spec?.volumes ?? []) {
    try {
      out.set(v.name, await prepareOne(pod, v, volumeSource(v)!, ctx));
    } catch (e) {
      throw e instanceof VolumeSetupError ? e : new VolumeSetupError(v.name, errText(e));
    }
  }
  return out;
}

/** kubecontainer.ExpandContainerVolumeMounts: every referenced variable must be set and non-empty. */
export function expandSubPathExpr(expr: string, env: EnvPairs): string {
  const vars = new Map(env.map(([k, v]) => [k, v]));
  const missing = new Set<string>();
  const out = expand(expr, (name) => {
    const v = vars.get(name);
    if (!v) missing.add(name);
    return v ?? '';
  });
  if (missing.size) throw new Error(`missing value for ${[...missing].sort().join(', ')}`);
  return out;
}

const PROPAGATION: Record<string, ContainerMount['propagation'] | null> = { None: null, HostToContainer: 'rslave', Bidirectional: 'rshared' };

const depth = (p: string) => posix.normalize(p).split('/').filter(Boolean).length;

function within(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith('/') ? root : `${root}/`);
}

/**
 * A container's mounts (the kubelet's makeMounts): each volumeMount with its subPath (created as
 * a directory when missing, never leaving the volume), then `extra` mounts (/etc/hosts and the
 * like) unless the container mounts something at that path itself. Sorted so a parent is mounted
 * before what is mounted inside it.
 */
export function containerMounts(container: Container, volumes: ReadonlyMap<string, PreparedVolume>, env: EnvPairs = [], extra: readonly ContainerMount[] = []): ContainerMount[] {
  const out: ContainerMount[] = [];
  for (const m of container.volumeMounts ?? []) {
    const vol = volumes.get(m.name);
    if (!vol) throw new Error(`cannot find volume "${m.name}" to mount into container "${container.name}"`);
    const subPath = m.subPathExpr ? expandSubPathExpr(m.subPathExpr, env) : (m.subPath ?? '');
    let source = vol.hostPath;
    if (subPath) {
      if (subPath.startsWith('/')) throw new Error(`error SubPath \`${subPath}\` must not be an absolute path`);
      if (hasBacksteps(subPath)) throw new Error(`unable to provision SubPath \`${subPath}\`: must not contain '..'`);
      const target = join(vol.hostPath, subPath);
      const root = realpathSync(vol.hostPath);
      if (!existsSync(target)) {
        try {
          // A symlink inside the volume could point the new directory elsewhere; check first.
          const parent = realpathSync(nearestExisting(target));
          if (!within(root, parent)) throw new Error('escape');
          mkdirSync(target, { recursive: true, mode: statSync(vol.hostPath).mode & 0o7777 });
        } catch {
          throw new Error(`failed to create subPath directory for volumeMount "${m.name}" of container "${container.name}"`);
        }
      }
      source = realpathSync(target);
      if (!within(root, source)) throw new Error(`failed to prepare subPath for volumeMount "${m.name}" of container "${container.name}"`);
    }
    const prop = PROPAGATION[m.mountPropagation ?? 'None'];
    if (prop === undefined) throw new Error(`invalid MountPropagation mode: "${m.mountPropagation}"`);
    const destination = posix.normalize(m.mountPath.startsWith('/') ? m.mountPath : `/${m.mountPath}`);
    const mount: ContainerMount = { source, destination, readOnly: m.readOnly === true || vol.readOnly };
    if (prop) mount.propagation = prop;
    if (vol.kind === 'tmpfs' && !subPath) {
      mount.tmpfs = true;
      if (vol.sizeLimitBytes) mount.sizeLimitBytes = vol.sizeLimitBytes;
    }
    out.push(mount);
  }
  const taken = new Set(out.map((m) => m.destination));
  for (const e of extra) if (!taken.has(posix.normalize(e.destination))) out.push({ ...e });
  // Stable: equal depths keep the container's order.
  return out.map((m, i) => [m, i] as const).sort(([a, i], [b, j]) => depth(a.destination) - depth(b.destination) || i - j).map(([m]) => m);
}

function nearestExisting(p: string): string {
  let cur = p;
  while (!existsSync(cur)) {
    const up = posix.dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  return cur;
}
