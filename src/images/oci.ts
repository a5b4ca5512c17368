// The OCI image spec's documents (and docker's v2 equivalents) as far as the store reads them.
import { arch } from 'node:os';
import type { ImageConfig } from './types.ts';

export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export interface OciDescriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  annotations?: Record<string, string>;
  platform?: { os?: string; architecture?: string; variant?: string };
}

export interface OciIndex {
  schemaVersion?: number;
  mediaType?: string;
  manifests?: OciDescriptor[];
}

export interface OciManifest {
  schemaVersion?: number;
  mediaType?: string;
  config: OciDescriptor;
  layers: OciDescriptor[];
}

/** One image found in an archive or a registry, before it is unpacked. */
export interface ImageSource {
  names: string[];
  digestRef?: string;
  /** `sha256:` of the config bytes: the image id. */
  configDigest: string;
  config: ParsedConfig;
  /** Layer blobs on disk, in order; `digest` is the blob's own digest where the format gives it. */
  layers: { path: string; digest?: string; name: string }[];
}

export interface ParsedConfig {
  config: ImageConfig;
  diffIds: string[];
  os?: string;
  architecture?: string;
}

/** The host as image platforms name it (Node's `x64` is `amd64`). */
export function hostPlatform(): { os: string; architecture: string } {
  const a = arch();
  const architecture = a === 'x64' ? 'amd64' : a === 'ia32' ? '386' : a === 'ppc64' ? 'ppc64le' : a;
  return { os: 'linux', architecture };
}

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? [...v] : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The parts of an image config JSON the store keeps; throws when it has no rootfs.diff_ids. */
export function parseImageConfig(bytes: Buffer, what: string): ParsedConfig {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`image config ${what} is not valid JSON: ${(e as Error).message}`);
  }
  const rootfs = doc?.rootfs as { diff_ids?: unknown } | undefined;
  const diffIds = strings(rootfs?.diff_ids);
  if (!diffIds) throw new Error(`image config ${what} has no rootfs.diff_ids`);
  const c = (doc.config ?? {}) as Record<string, unknown>;
  const config: ImageConfig = {};
  const entrypoint = strings(c.Entrypoint);
  const cmd = strings(c.Cmd);
  const env = strings(c.Env);
  if (entrypoint) config.entrypoint = entrypoint;
  if (cmd) config.cmd = cmd;
  if (env) config.env = env;
  if (str(c.WorkingDir)) config.workingDir = str(c.WorkingDir);
  if (str(c.User)) config.user = str(c.User);
  return { config, diffIds, os: str(doc.os), architecture: str(doc.architecture) };
}
