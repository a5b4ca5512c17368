// A full (unpaginated) list of 10,000 realistic pods over HTTPS: each pod is created through the
// API and then given a kubelet-style Running status, so the listed objects are about 2.4 KB each,
// plus the managedFields the server records (as upstream's does).
import { join } from 'node:path';
import { KEEP_ORPHAN_PODS, pod, podOwner, podStatus, type Owner } from './fixtures.ts';
import { removeDir, tempDir } from './lib/cleanup.ts';
import { closedLoop } from './lib/load.ts';
import { withCpu, withK8ts } from './lib/k8ts-process.ts';
import type { RawHttpClient } from './lib/raw-http.ts';
import { measured, type Results, type Target } from './lib/result.ts';
import { median, round2 } from './lib/stats.ts';

export const LIST_TARGET: Target = { op: '<', value: 150 };

export interface ListPodsOptions {
  pods?: number;
  concurrency?: number;
  /** Timed lists (the median is reported), after one untimed list. */
  lists?: number;
  maxMs?: number;
  signal?: AbortSignal;
  cpuProfDir?: string;
}

const NS = 'bench-list';

/** Creates a namespace and the object that owns the benchmark's pods in it (see podOwner). */
export async function createNamespaceAndOwner(client: RawHttpClient, namespace: string): Promise<Owner> {
  await client.expect(client.build('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } })));
  const res = await client.expect(client.build('POST', `/api/v1/namespaces/${namespace}/configmaps`, JSON.stringify(podOwner('web-7d9c6b5f4c'))));
  const meta = (JSON.parse(res.body.toString('utf8')) as { metadata: Owner }).metadata;
  return { name: meta.name, uid: meta.uid };
}

export async function benchListPods(opts: ListPodsOptions = {}): Promise<Results> {
  const n = opts.pods ?? 10_000;
  const lists = opts.lists ?? 5;
  const signal = opts.signal;
  const root = tempDir('k8ts-bench-list-');
  try {
    return await withK8ts({ dataDir: join(root, 'data'), signal, cpuProfDir: opts.cpuProfDir, env: KEEP_ORPHAN_PODS }, async (k) => {
      const client = k.raw(opts.concurrency ?? 32);
      try {
        const owner = await createNamespaceAndOwner(client, NS);
        const setup = await withCpu(k, () =>
          closedLoop({
            total: n,
            concurrency: opts.concurrency ?? 32,
            maxMs: opts.maxMs ?? 90_000,
            signal,
            op: async (i) => {
              const name = `web-7d9c6b5f4c-${String(i).padStart(5, '0')}`;
              await client.expect(client.build('POST', `/api/v1/namespaces/${NS}/pods`, JSON.stringify(pod(name, i, owner))));
              await client.expect(client.build('PATCH', `/api/v1/namespaces/${NS}/pods/${name}/status`, JSON.stringify(podStatus(i)), 'application/merge-patch+json'));
            },
          }),
        );
        if (setup.done !== n) throw new Error(`Pod setup failed: created ${setup.done} of ${n} pods before the time cap`);

        const list = client.build('GET', `/api/v1/namespaces/${NS}/pods`);
        const first = await client.expect(list);
        const items = (JSON.parse(first.body.toString('utf8')) as { items: { metadata: object }[] }).items;
        if (items.length !== n) throw new Error(`List failed: got ${items.length} pods, expected ${n}`);
        const podBytes = JSON.stringify(items[0]).length;
        const withoutManagedFields = JSON.stringify({ ...items[0], metadata: { ...items[0]!.metadata, managedFields: undefined } }).length;
        const samples: number[] = [];
        const { cpu } = await withCpu(k, async () => {
          for (let i = 0; i < lists; i++) {
            signal?.throwIfAborted();
            const t = performance.now();
            const res = await client.expect(list);
            samples.push(performance.now() - t);
            if (res.body.length !== first.body.length) throw new Error('List failed: the list changed between samples');
          }
          return {};
        });
        return {
          listPods: measured(median(samples), 'ms', LIST_TARGET, {
            pods: n,
            samples: samples.map(round2),
            responseMiB: round2(first.body.length / 2 ** 20),
            podBytes,
            podBytesWithoutManagedFields: withoutManagedFields,
            cpu,
            setupSeconds: round2(setup.seconds),
            setupCpu: setup.cpu,
            note: 'full list, no limit; time to the last byte of the response, JSON parse not included',
          }),
          rssAfterList: measured(k.rssMiB(), 'MiB', undefined, { pods: n }),
        };
      } finally {
        client.close();
      }
    });
  } finally {
    removeDir(root);
  }
}
