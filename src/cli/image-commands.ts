// `k8ts image load|list|rm`: the node image store of a data dir, on disk, whether or not a
// cluster runs on it (the store is safe to share between processes). Output follows crictl's.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { createProgress, formatBytes } from './progress.ts';
import { DiskImageStore } from '../images/store.ts';
import { splitName } from '../images/reference.ts';
import type { StoredImage } from '../images/types.ts';

export interface ImageCommandIo {
  out(line: string): void;
}

const stdoutIo: ImageCommandIo = { out: (line) => process.stdout.write(`${line}\n`) };

/** Loads every image of each archive, printing the names it now answers to (and, when asked, progress). */
export async function loadImages(store: DiskImageStore, archives: string[], io: ImageCommandIo = stdoutIo, opts: { progress?: boolean } = {}): Promise<StoredImage[]> {
  const loaded: StoredImage[] = [];
  for (const a of archives) {
    const size = opts.progress ? ((await stat(a).catch(() => undefined))?.size ?? 0) : 0;
    const bar = size ? createProgress(`reading ${basename(a)}`, size, { unit: 'bytes' }) : undefined;
    let images: StoredImage[];
    try {
      images = await store.load(a, bar && ((n) => bar.update(n)));
    } finally {
      bar?.finish(`read ${basename(a)} (${formatBytes(size)})`);
    }
    for (const img of images) {
      loaded.push(img);
      if (img.names.length === 0) io.out(`Loaded image ID: ${img.id}`);
      for (const n of img.names) io.out(`Loaded image: ${n} (${shortId(img.id)})`);
    }
  }
  return loaded;
}

/** `crictl images`: one row per name (unnamed images as <none>), sorted. */
export function listImages(store: DiskImageStore, io: ImageCommandIo = stdoutIo): void {
  const rows: string[][] = [];
  for (const img of store.list()) {
    const size = humanSize(img.size);
    if (img.names.length === 0) rows.push(['<none>', '<none>', shortId(img.id), size]);
    for (const n of img.names) rows.push([...splitName(n), shortId(img.id), size]);
  }
  rows.sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]) || a[2].localeCompare(b[2]));
  for (const line of table([['IMAGE', 'TAG', 'IMAGE ID', 'SIZE'], ...rows])) io.out(line);
}

/** `crictl rmi`: removes each image; unknown ones are reported together after the others are gone. */
export function removeImages(store: DiskImageStore, refs: string[], io: ImageCommandIo = stdoutIo): void {
  const failed: string[] = [];
  for (const ref of refs) {
    const img = store.find(ref);
    let removed = false;
    try {
      removed = img !== undefined && store.remove(img.id);
    } catch (e) {
      failed.push((e as Error).message.replace(`"${img!.id}"`, `"${ref}"`));
      continue;
    }
    if (!removed) {
      failed.push(`no such image "${ref}" present`);
      continue;
    }
    for (const n of img!.names.length ? img!.names : [img!.id]) io.out(`Deleted: ${n}`);
  }
  if (failed.length) throw new Error(failed.join('\n'));
}

/** The 13 characters crictl shows of an id. */
export const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 13);

/** Decimal size with three significant digits, as crictl (go-units HumanSizeWithPrecision) prints it. */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(3))}${units[i]}`;
}

/** Columns padded like Go's tabwriter (min width 20, padding 3), as crictl's tables. */
function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(20, ...rows.map((r) => r[c].length + 3)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('').trimEnd());
}

/** Adds the `image` command group to the k8ts program; `defaultDataDir` is `k8ts up`'s. */
export function registerImageCommands(program: Command, defaultDataDir: string, io: ImageCommandIo = stdoutIo): void {
  const image = program.command('image').description("Load, list and remove images in a data dir's node image store (directly on disk)");
  const storeOf = (o: { dataDir: string }) => DiskImageStore.inDataDir(o.dataDir);
  image
    .command('load <archives...>')
    .description('Load images from `docker save` or OCI image layout archives (.tar or .tar.gz)')
    .option('--data-dir <dir>', 'the cluster data dir', defaultDataDir)
    .action(async (archives: string[], o: { dataDir: string }) => {
      await loadImages(storeOf(o), archives, io, { progress: io === stdoutIo });
    });
  image
    .command('list')
    .alias('ls')
    .description('List the images in the store')
    .option('--data-dir <dir>', 'the cluster data dir', defaultDataDir)
    .action((o: { dataDir: string }) => listImages(storeOf(o), io));
  image
    .command('rm <refs...>')
    .description('Remove images by name, digest reference or id')
    .option('--data-dir <dir>', 'the cluster data dir', defaultDataDir)
    .action((refs: string[], o: { dataDir: string }) => removeImages(storeOf(o), refs, io));
}
