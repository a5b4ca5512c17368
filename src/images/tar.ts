// Reading tar streams (tar-stream) and the compressed blobs they come in. Every layer and archive
// is read once, as a stream: gzip is recognized by its magic bytes, whatever the media type says,
// since docker-save archives name uncompressed and compressed layers alike `layer.tar`.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract, type Extract } from 'tar-stream';

/** One entry of a tar stream: its header and a readable body. */
export type Entry = Extract extends AsyncIterable<infer S> ? S : never;

/** The entries of a tar stream, in order; an entry's body must be read or resumed before the next. */
export async function* tarEntries(src: Readable): AsyncGenerator<Entry> {
  const ex = extract();
  const done = pipeline(src, ex);
  let failure: unknown;
  done.catch((e: unknown) => {
    failure = e;
  });
  try {
    for await (const entry of ex) yield entry;
  } catch (e) {
    throw failure ?? e;
  }
  await done;
}

/** Reads the rest of an entry (or any stream) into memory, refusing more than `limit` bytes. */
export async function readAll(src: Readable, limit = 64 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of src) {
    n += (c as Buffer).length;
    if (n > limit) throw new Error(`more than ${limit} bytes where a small JSON document was expected`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A pass-through that hashes what flows by; `digest()` once it has ended. */
export class Sha256Tap extends Transform {
  private readonly h: Hash = createHash('sha256');
  bytes = 0;
  private done?: string;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.h.update(chunk);
    this.bytes += chunk.length;
    this.push(chunk);
    cb();
  }
  digest(): string {
    this.done ??= `sha256:${this.h.digest('hex')}`;
    return this.done;
  }
}

export type Compression = 'gzip' | 'zstd' | 'none';

/** What a blob's first bytes say it is compressed with. */
export async function sniffCompression(path: string): Promise<Compression> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(4);
    const { bytesRead } = await fh.read(b, 0, 4, 0);
    if (bytesRead >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
    if (bytesRead === 4 && b.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
    return 'none';
  } finally {
    await fh.close();
  }
}

export interface OpenedBlob {
  /** The uncompressed content. */
  stream: Readable;
  /** Digest of the blob as stored (compressed); valid once `stream` has ended. */
  blobDigest(): string;
  /** Digest of the uncompressed content (a layer's diff ID); valid once `stream` has ended. */
  contentDigest(): string;
}

/** Opens a possibly gzipped blob file, hashing both the stored and the uncompressed bytes. */
export async function openBlob(path: string): Promise<OpenedBlob> {
  const compression = await sniffCompression(path);
  if (compression === 'zstd') throw new Error('zstd-compressed layers are not supported; use gzip or uncompressed layers');
  const outer = new Sha256Tap();
  const inner = compression === 'gzip' ? new Sha256Tap() : undefined;
  const out = new PassThrough();
  const done = inner ? pipeline(createReadStream(path), outer, createGunzip(), inner, out) : pipeline(createReadStream(path), outer, out);
  done.catch((e: unknown) => out.destroy(e as Error));
  return { stream: out, blobDigest: () => outer.digest(), contentDigest: () => (inner ?? outer).digest() };
}

/** `sha256:<hex>` of a file's bytes. */
export async function fileDigest(path: string): Promise<string> {
  const tap = new Sha256Tap();
  await pipeline(createReadStream(path), tap, new PassThrough().resume());
  return tap.digest();
}
