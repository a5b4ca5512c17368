import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusyboxImage, busyboxUnavailable, type ImageBlobs } from '../../test/fixtures/busybox-image.ts';
import { DiskImageStore } from '../images/store.ts';
import { humanSize, listImages, loadImages, removeImages } from './image-commands.ts';

it('prints sizes as crictl does', () => {
  expect([0, 999, 1000, 1234, 4_271_234, 1_500_000_000].map(humanSize)).toEqual(['0B', '999B', '1kB', '1.23kB', '4.27MB', '1.5GB']);
});

const skip = busyboxUnavailable();
if (skip) console.warn(`skipping image command tests: ${skip}`);

describe.skipIf(skip)('k8ts image', () => {
  let work: string;
  let archive: string;
  let blobs: ImageBlobs;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'k8ts-image-cli-'));
    archive = join(work, 'busybox.tar');
    blobs = await buildBusyboxImage(archive, { format: 'oci', tag: 'busybox:1.36' });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const capture = () => {
    const lines: string[] = [];
    return { lines, io: { out: (l: string) => lines.push(l) } };
  };
  const hex = () => blobs.id.slice(7, 20);

  it('loads, lists and removes', async () => {
    const store = DiskImageStore.inDataDir(join(work, 'data'));
    const load = capture();
    await loadImages(store, [archive], load.io);
    expect(load.lines).toEqual([`Loaded image: docker.io/library/busybox:1.36 (${hex()})`]);
    const list = capture();
    listImages(store, list.io);
    expect(list.lines[0]).toMatch(/^IMAGE\s+TAG\s+IMAGE ID\s+SIZE$/);
    expect(list.lines[1]).toMatch(new RegExp(`^docker.io/library/busybox\\s+1.36\\s+${hex()}\\s+\\d(\\.\\d+)?MB$`));
    const rm = capture();
    expect(() => removeImages(store, ['busybox:1.36', 'nosuch'], rm.io)).toThrow('no such image "nosuch" present');
    expect(rm.lines).toEqual(['Deleted: docker.io/library/busybox:1.36']);
    expect(store.list()).toEqual([]);
  });

  it('works from the command line on a data dir another store reads', () => {
    const dataDir = join(work, 'shared');
    const server = DiskImageStore.inDataDir(dataDir);
    const k8ts = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'main.ts'), 'image', ...args, '--data-dir', dataDir], { encoding: 'utf8', timeout: 60_000 });
    const load = k8ts('load', archive);
    // A quick load prints no progress, only what it read.
    expect(load.stderr).toBe('read busybox.tar (1.0 MiB)\n');
    expect(load.stdout).toContain('Loaded image: docker.io/library/busybox:1.36');
    expect(server.find('busybox:1.36')?.id).toBe(blobs.id);
    const bad = k8ts('load', join(work, 'missing.tar'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(`k8ts: failed to load image archive ${join(work, 'missing.tar')}: no such file`);
    expect(k8ts('rm', 'busybox:1.36').stdout).toBe('Deleted: docker.io/library/busybox:1.36\n');
    expect(server.find('busybox:1.36')).toBeUndefined();
  }, 90_000);
});
