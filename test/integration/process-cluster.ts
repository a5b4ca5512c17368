// What the process runtime's integration tests share: whether this machine can run them (and why
// not), and an in-process cluster with the busybox test image loaded and its nodes added.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../src/cli/control-plane.ts';
import { addNodes } from '../../src/cli/node-commands.ts';
import { ensurePki } from '../../src/cli/pki.ts';
import { checkHost } from '../../src/process/process-runtime.ts';
import { buildBusyboxImage, busyboxUnavailable } from '../fixtures/busybox-image.ts';
import { eventually } from './helpers.ts';

export const IMAGE = 'busybox:1.36';

/** What this machine lacks for the process runtime (empty: nothing). */
export async function processRuntimeMissing(): Promise<string[]> {
  if (process.platform !== 'linux') return ['Linux'];
  const busybox = busyboxUnavailable();
  return [...(await checkHost()), ...(busybox ? [busybox] : [])];
}

/** A busybox container that is never pulled. */
export const container = (name: string, extra: Record<string, unknown> = {}) => ({ name, image: IMAGE, imagePullPolicy: 'IfNotPresent', ...extra });

/** Starts a process-runtime cluster for the enclosing describe block, with these nodes. */
export function useProcessCluster(o: { nodes: string[]; datastore?: 'sqlite' | 'memory' }): () => ControlPlane {
  let cp: ControlPlane | undefined;
  let dataDir: string | undefined;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'k8ts-proc-'));
    // Pods mount the cluster CA (kube-root-ca.crt) with their service account token, as under k8ts up.
    const { caCertPem } = await ensurePki(dataDir);
    cp = await startControlPlane({ datastore: o.datastore ?? 'sqlite', dataDir, processRuntime: true, dns: { host: '127.0.0.1', port: 0 }, caCertPem });
    const archive = join(dataDir, 'busybox.tar');
    await buildBusyboxImage(archive, { format: 'docker', tag: IMAGE });
    await cp.processCluster!.images.load(archive);
    for (const name of o.nodes) await addNodes(cp.client, { name }, { out: () => {} });
  }, 60_000);
  afterAll(async () => {
    await cp?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  return () => cp!;
}

/** helpers.ts's eventually with what to say first and a 20 s default (pods start real processes here). */
export const until = <T>(what: string, f: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000): Promise<T> => eventually(f, { what, timeoutMs });
