// Pulling one image from a registry into a staging dir: resolve the reference to a manifest
// (choosing this host's platform from an index), then fetch the config and, unless the store
// already has the image, every layer; every document and blob is checked against its digest.
// Error messages follow containerd's, which kubelet shows in ErrImagePull events.
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { checkDigest, pickPlatform, sha256 } from './archive.ts';
import { hostPlatform, MEDIA, parseImageConfig, type ImageSource, type OciIndex, type OciManifest } from './oci.ts';
import { parseReference, repositoryOf } from './reference.ts';
import { RegistryClient, RegistryError } from './registry-client.ts';
import { readAll, Sha256Tap } from './tar.ts';
import type { PullOptions } from './types.ts';

export interface FetchContext extends PullOptions {
  /** Staging dir the layers are downloaded into. */
  dir: string;
  /** Whether the store already has (the root filesystem of) an image id: its layers are not fetched. */
  have(id: string): boolean;
}

const ACCEPT = [MEDIA.ociIndex, MEDIA.ociManifest, MEDIA.dockerList, MEDIA.dockerManifest].join(', ');
const MAX_DOCUMENT = 4 << 20;

/** Fetches the image a normalized name means; the source's digestRef is `repo@<resolved manifest digest>`. */
export async function fetchImage(name: string, ctx: FetchContext): Promise<ImageSource> {
  const ref = parseReference(name);
  const client = new RegistryClient(ref.domain, ref.path, ctx);
  let top: { bytes: Buffer; digest: string };
  try {
    top = await manifest(client, ref.digest ?? (ref.tag as string));
    if (ref.digest && top.digest !== ref.digest) throw new Error(`the registry's manifest has digest ${top.digest}`);
  } catch (e) {
    const why = e instanceof RegistryError && e.status === 404 ? `${name}: not found` : (e as Error).message;
    throw new Error(`failed to resolve reference "${name}": ${why}`);
  }
  let doc = parse<OciManifest & OciIndex>(top.bytes, `manifest ${top.digest}`);
  for (let depth = 0; Array.isArray(doc.manifests); depth++) {
    const chosen = pickPlatform(doc.manifests);
    const { os, architecture } = hostPlatform();
    if (!chosen || depth > 4) throw new Error(`no match for platform in manifest ${top.digest}: not found (want ${os}/${architecture})`);
    const m = await manifest(client, chosen.digest);
    if (m.digest !== chosen.digest) throw new Error(`manifest ${chosen.digest} does not match its digest (got ${m.digest})`);
    doc = parse(m.bytes, `manifest ${chosen.digest}`);
  }
  if (!doc.config?.digest || !Array.isArray(doc.layers)) {
    throw new Error(`manifest ${top.digest} is not an image manifest (media type ${doc.mediaType ?? 'unknown'}; docker schema 1 images are not supported)`);
  }
  const configRes = await client.get(`blobs/${doc.config.digest}`);
  const configBytes = await readAll(Readable.fromWeb(configRes.body as WebReadableStream), MAX_DOCUMENT);
  checkDigest(configBytes, doc.config.digest, `config ${doc.config.digest}`);
  const config = parseImageConfig(configBytes, doc.config.digest);
  const source: ImageSource = {
    names: ref.digest ? [] : [name],
    digestRef: `${repositoryOf(ref)}@${top.digest}`,
    configDigest: doc.config.digest,
    config,
    layers: [],
  };
  if (ctx.have(source.configDigest)) return source;
  for (const [i, layer] of doc.layers.entries()) {
    const path = join(ctx.dir, `layer-${i}`);
    const res = await client.get(`blobs/${layer.digest}`);
    const tap = new Sha256Tap();
    await pipeline(Readable.fromWeb(res.body as WebReadableStream), tap, createWriteStream(path), { signal: ctx.signal });
    if (tap.digest() !== layer.digest) throw new Error(`layer ${layer.digest} does not match its digest (got ${tap.digest()})`);
    source.layers.push({ path, digest: layer.digest, name: layer.digest });
  }
  return source;
}

async function manifest(client: RegistryClient, reference: string): Promise<{ bytes: Buffer; digest: string }> {
  const res = await client.get(`manifests/${reference}`, ACCEPT);
  const bytes = await readAll(Readable.fromWeb(res.body as WebReadableStream), MAX_DOCUMENT);
  return { bytes, digest: sha256(bytes) };
}

function parse<T>(bytes: Buffer, what: string): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch (e) {
    throw new Error(`${what} is not valid JSON: ${(e as Error).message}`);
  }
}
