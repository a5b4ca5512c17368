// Image archives as `docker save` and OCI tools write them. The archive (possibly gzipped) is
// unpacked as plain files into a staging directory, then read as either
//  - docker save: manifest.json = [{ Config, RepoTags, Layers }] (docker ≥ 25 writes an OCI layout
//    beside it; manifest.json is read first since its RepoTags are full names), or
//  - an OCI image layout: oci-layout, index.json (possibly nesting indexes), blobs/sha256/<hex>,
//    named by `io.containerd.image.name` or a full `org.opencontainers.image.ref.name`.
// Every blob whose name or descriptor gives a digest is checked; layers against the config's
// diff IDs as well, when they are unpacked (unpack.ts).
import { createReadStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { normalizeImage } from './reference.ts';
import { pathParts } from './root-path.ts';
import { sniffCompression, tarEntries } from './tar.ts';
import { hostPlatform, MEDIA, parseImageConfig, type ImageSource, type OciDescriptor, type OciIndex, type OciManifest } from './oci.ts';

/** The files of an unpacked archive, with its symlinks and hard links resolved by name. */
class ArchiveFiles {
  readonly aliases = new Map<string, string>();
  readonly files = new Set<string>();
  constructor(readonly dir: string) {}

  /** The path on disk of the file an archive path names (through its links); throws when absent. */
  path(name: string): string {
    let rel = pathParts(name).join('/');
    for (let hops = 0; !this.files.has(rel); hops++) {
      const next = this.aliases.get(rel);
      if (next === undefined || hops > 16) throw new Error(`the archive has no file "${name}"`);
      rel = next;
    }
    return join(this.dir, rel);
  }

  has(name: string): boolean {
    try {
      this.path(name);
      return true;
    } catch {
      return false;
    }
  }

  async json<T>(name: string, digest?: string): Promise<{ value: T; bytes: Buffer }> {
    const bytes = await readFile(this.path(name));
    if (digest) checkDigest(bytes, digest, name);
    try {
      return { value: JSON.parse(bytes.toString('utf8')) as T, bytes };
    } catch (e) {
      throw new Error(`${name} is not valid JSON: ${(e as Error).message}`);
    }
  }
}

export function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function checkDigest(bytes: Buffer, want: string, what: string): void {
  if (!/^sha256:[0-9a-f]{64}$/.test(want)) throw new Error(`${what}: unsupported digest "${want}" (want sha256:<hex>)`);
  const got = sha256(bytes);
  if (got !== want) throw new Error(`${what} does not match its digest: want ${want}, got ${got}`);
}

/** Unpacks an archive's files into `dir` (which must exist) and says which images it holds. */
export async function readArchive(archivePath: string, dir: string, onRead?: (bytes: number) => void): Promise<ImageSource[]> {
  const files = new ArchiveFiles(dir);
  const compressed = (await sniffCompression(archivePath)) === 'gzip';
  const raw = createReadStream(archivePath);
  if (onRead) {
    let read = 0;
    raw.on('data', (chunk) => onRead((read += chunk.length)));
  }
  const src: Readable = compressed ? raw.pipe(createGunzip()) : raw;
  try {
    await extractFiles(src, files);
  } catch (e) {
    throw new Error(`not a readable tar archive (docker save or OCI layout): ${(e as Error).message}`);
  }
  if (files.has('manifest.json')) return dockerImages(files);
  if (files.has('index.json')) return ociImages(files);
  throw new Error('neither manifest.json (docker save) nor index.json (OCI image layout) is in the archive');
}

async function extractFiles(src: Readable, files: ArchiveFiles): Promise<void> {
  let entries = 0;
  for await (const entry of tarEntries(src)) {
    entries++;
    const h = entry.header;
    const parts = pathParts(h.name);
    const rel = parts.join('/');
    if (h.type === 'file' || h.type === 'contiguous-file') {
      if (parts.length === 0) throw new Error(`file entry "${h.name}" has no name`);
      const abs = join(files.dir, rel);
      await mkdir(dirname(abs), { recursive: true });
      await pipeline(entry, createWriteStream(abs));
      files.files.add(rel);
      files.aliases.delete(rel);
      continue;
    }
    if (h.type === 'symlink' && h.linkname) {
      const base = (h.linkname.startsWith('/') ? [] : parts.slice(0, -1)).join('/');
      files.aliases.set(rel, pathParts(`${base}/${h.linkname}`).join('/'));
    } else if (h.type === 'link' && h.linkname) {
      files.aliases.set(rel, pathParts(h.linkname).join('/'));
    }
    entry.resume();
  }
  if (entries === 0) throw new Error('the archive is empty');
}

interface DockerManifestEntry {
  Config?: string;
  RepoTags?: string[] | null;
  Layers?: string[];
}

async function dockerImages(files: ArchiveFiles): Promise<ImageSource[]> {
  const { value: entries } = await files.json<DockerManifestEntry[]>('manifest.json');
  if (!Array.isArray(entries) || entries.length === 0) throw new Error('manifest.json lists no images');
  const out: ImageSource[] = [];
  for (const [i, e] of entries.entries()) {
    if (typeof e?.Config !== 'string' || !Array.isArray(e.Layers)) throw new Error(`manifest.json entry ${i} has no Config or Layers`);
    const configBytes = await readFile(files.path(e.Config));
    // Config and layer files are named by their digest in every docker save format but the oldest layer dirs.
    const named = nameDigest(e.Config);
    if (named) checkDigest(configBytes, named, e.Config);
    const layers = e.Layers.map((l) => ({ path: files.path(l), digest: nameDigest(l), name: l }));
    out.push({ names: (e.RepoTags ?? []).map(normalizeImage), configDigest: sha256(configBytes), config: parseImageConfig(configBytes, e.Config), layers });
  }
  return out;
}

/** `sha256:<hex>` of a file named `blobs/sha256/<hex>` or `<hex>.json`, else undefined. */
function nameDigest(path: string): string | undefined {
  const m = /(?:^|\/)(?:sha256\/)?([0-9a-f]{64})(?:\.json)?$/.exec(path);
  return m ? `sha256:${m[1]}` : undefined;
}

const blobPath = (d: OciDescriptor) => {
  const m = /^(sha256):([0-9a-f]{64})$/.exec(d.digest ?? '');
  if (!m) throw new Error(`descriptor digest "${d.digest}" is not sha256:<64 hex digits>`);
  return `blobs/${m[1]}/${m[2]}`;
};

async function ociImages(files: ArchiveFiles): Promise<ImageSource[]> {
  if (files.has('oci-layout')) {
    const { value } = await files.json<{ imageLayoutVersion?: string }>('oci-layout');
    if (value.imageLayoutVersion !== '1.0.0') throw new Error(`oci-layout: unsupported imageLayoutVersion "${value.imageLayoutVersion}"`);
  }
  const { value: index } = await files.json<OciIndex>('index.json');
  if (!Array.isArray(index.manifests) || index.manifests.length === 0) throw new Error('index.json lists no manifests');
  const out: ImageSource[] = [];
  for (const d of index.manifests) {
    const name = nameOf(d);
    const manifest = await resolveManifest(files, d, 0);
    const configBytes = await readFile(files.path(blobPath(manifest.config)));
    checkDigest(configBytes, manifest.config.digest, `config ${manifest.config.digest}`);
    const layers = manifest.layers.map((l) => ({ path: files.path(blobPath(l)), digest: l.digest, name: l.digest }));
    const source: ImageSource = { names: name ? [name] : [], configDigest: manifest.config.digest, config: parseImageConfig(configBytes, 'config'), layers };
    // One image listed under several names (tags) is loaded once, with all of them.
    const same = out.find((s) => s.configDigest === source.configDigest);
    if (same) same.names.push(...source.names.filter((n) => !same.names.includes(n)));
    else out.push(source);
  }
  return out;
}

function nameOf(d: OciDescriptor): string | undefined {
  const a = d.annotations ?? {};
  const full = a['io.containerd.image.name'];
  if (full) return normalizeImage(full);
  const ref = a['org.opencontainers.image.ref.name'];
  // A bare tag (`1.36`) names no repository: the image is loaded without a name.
  if (ref && (ref.includes('/') || ref.includes(':'))) return normalizeImage(ref);
  return undefined;
}

/** The image manifest a descriptor leads to, choosing this host's platform in an index. */
async function resolveManifest(files: ArchiveFiles, d: OciDescriptor, depth: number): Promise<OciManifest & { digest: string }> {
  if (depth > 4) throw new Error('indexes nest more than 4 deep');
  const { value } = await files.json<OciManifest & OciIndex>(blobPath(d), d.digest);
  const mediaType = value.mediaType ?? d.mediaType;
  if (mediaType === MEDIA.ociIndex || mediaType === MEDIA.dockerList || Array.isArray(value.manifests)) {
    const present = (value.manifests ?? []).filter((m) => files.has(blobPath(m)));
    const chosen = pickPlatform(present);
    if (!chosen) throw new Error(`index ${d.digest} has no manifest for ${hostPlatform().os}/${hostPlatform().architecture} in the archive`);
    return resolveManifest(files, chosen, depth + 1);
  }
  if (!value.config?.digest || !Array.isArray(value.layers)) throw new Error(`manifest ${d.digest} has no config or layers`);
  return { ...value, digest: d.digest };
}

/** The host's platform from an index's entries (an entry without platform fits any); attestations are skipped. */
export function pickPlatform(ms: OciDescriptor[]): OciDescriptor | undefined {
  const { os, architecture } = hostPlatform();
  const candidates = ms.filter((m) => m.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest');
  return (
    candidates.find((m) => m.platform?.os === os && m.platform?.architecture === architecture) ??
    candidates.find((m) => !m.platform)
  );
}
