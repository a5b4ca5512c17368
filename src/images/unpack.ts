// One image's layers, checked and applied in order into a new root filesystem directory.
import { mkdir } from 'node:fs/promises';
import { RootfsBuilder } from './layer.ts';
import type { ImageSource } from './oci.ts';
import { openBlob } from './tar.ts';

/**
 * Builds `dest` (which must not exist) from the source's layers and returns its size. Each layer's
 * blob digest (when known) and uncompressed digest (the config's diff ID) are checked as it is
 * read; on any failure `dest` is left half-made for the caller to discard.
 */
export async function unpackImage(src: ImageSource, dest: string): Promise<number> {
  const { diffIds } = src.config;
  if (diffIds.length !== src.layers.length) {
    throw new Error(`the image config lists ${diffIds.length} layers (rootfs.diff_ids) but the manifest has ${src.layers.length}`);
  }
  await mkdir(dest, { mode: 0o755 });
  const builder = new RootfsBuilder(dest);
  for (const [i, layer] of src.layers.entries()) {
    const what = `layer ${i + 1} of ${src.layers.length} (${layer.name})`;
    const blob = await openBlob(layer.path);
    try {
      await builder.applyLayer(blob.stream);
    } catch (e) {
      throw new Error(`${what}: ${(e as Error).message}`);
    } finally {
      blob.stream.destroy();
    }
    if (layer.digest && blob.blobDigest() !== layer.digest) {
      throw new Error(`${what} does not match its digest: want ${layer.digest}, got ${blob.blobDigest()}`);
    }
    if (blob.contentDigest() !== diffIds[i]) {
      throw new Error(`${what} does not match the config's diff ID: want ${diffIds[i]}, got ${blob.contentDigest()}`);
    }
  }
  return builder.finish();
}
