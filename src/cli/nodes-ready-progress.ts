// `k8ts up` with many nodes: progress while the nodes are created, then while their agents
// report Ready, so a start with thousands of nodes shows it is moving (nothing for a few nodes).
import type { Client } from '../client/client.ts';
import { Informer } from '../client/informer.ts';
import type { KubeObject } from '../api/meta/types.ts';
import { systemClock } from '../util/clock.ts';
import { createProgress, type ProgressOptions } from './progress.ts';

/** Fewer nodes than this start too quickly to need a progress line. */
export const PROGRESS_FROM_NODES = 50;

/** The onProgress of ensureDefaultNodes: a progress line once there are enough nodes to wait for. */
export function nodeCreationProgress(opts: ProgressOptions = {}): (created: number, total: number) => void {
  let p: ReturnType<typeof createProgress> | undefined;
  return (created, total) => {
    if (total < PROGRESS_FROM_NODES) return;
    p ??= createProgress('creating nodes', total, opts);
    p.update(created, total);
    if (created === total) p.finish(`${total.toLocaleString('en-US')} nodes created`);
  };
}

const isReady = (n: KubeObject) => ((n.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** Follows the nodes until every one is Ready; resolves then (or when `signal` aborts). */
export async function nodesReadyProgress(client: Client, signal: AbortSignal, opts: ProgressOptions = {}): Promise<void> {
  const abort = new AbortController();
  signal.addEventListener('abort', () => abort.abort(), { once: true });
  const informer = new Informer(client.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false }), { clock: systemClock });
  const ready = new Set<string>();
  let total = 0;
  let progress: ReturnType<typeof createProgress> | undefined;
  const allReady = new Promise<void>((resolve) => {
    const check = () => {
      total = informer.list().length;
      if (!informer.hasSynced) return;
      if (total < PROGRESS_FROM_NODES) {
        if (ready.size === total) resolve();
        return;
      }
      progress ??= createProgress('nodes ready', total, opts);
      progress.update(ready.size, total);
      if (ready.size === total) {
        progress.finish(`all ${total.toLocaleString('en-US')} nodes Ready`);
        resolve();
      }
    };
    const seen = (n: KubeObject) => {
      if (isReady(n)) ready.add(n.metadata.name!);
      else ready.delete(n.metadata.name!);
      check();
    };
    informer.addHandlers({ add: seen, update: (_o, n) => seen(n), delete: (n) => (ready.delete(n.metadata.name!), check()) });
    void informer.waitForSync().then(check);
    abort.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  const running = informer.run(abort.signal);
  await allReady;
  abort.abort();
  await running;
}
