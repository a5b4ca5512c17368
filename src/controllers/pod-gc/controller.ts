// The pod garbage collector (pkg/controller/podgc/gc_controller.go): a pass every 20 s, plus one
// when a node is deleted and its quarantine ends, so pods of a removed node go soon after.
// Deletions are forced (grace 0) with a uid precondition, as upstream; decisions are in plan.ts.
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { Client, ResourceClient } from '../../client/client.ts';
import type { Informer } from '../../client/informer.ts';
import { rfc3339, type Clock } from '../../util/clock.ts';
import { gcStatusPatch, planPodGc, type PodGcOptions } from './plan.ts';

export interface PodGcControllerOptions extends Partial<PodGcOptions> {
  clock: Clock;
  /** Shared informers; the caller runs them. */
  informers: { pods: Informer; nodes: Informer };
  log?: (m: string) => void;
  /** Period of the pass (upstream gcCheckPeriod 20 s). */
  periodMs?: number;
}

/** Test and demo overrides: K8TS_POD_GC_QUARANTINE_MS (how long a deleted node's pods wait, upstream 40 s). */
export function podGcEnv(env: NodeJS.ProcessEnv = process.env): Pick<PodGcControllerOptions, 'quarantineMs'> {
  const v = env.K8TS_POD_GC_QUARANTINE_MS;
  return v !== undefined && v !== '' && Number.isFinite(Number(v)) ? { quarantineMs: Number(v) } : {};
}

export class PodGcController {
  private readonly podsApi: ResourceClient;
  private readonly nodesApi: ResourceClient;
  private missingSince = new Map<string, number>();
  private pass: Promise<void> = Promise.resolve();
  private readonly o: PodGcOptions & { periodMs: number };
  private readonly log: (m: string) => void;
  private signal?: AbortSignal;

  constructor(
    client: Client,
    private readonly opts: PodGcControllerOptions,
  ) {
    this.podsApi = client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true });
    this.nodesApi = client.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false });
    this.log = opts.log ?? (() => {});
    this.o = { terminatedThreshold: opts.terminatedThreshold ?? 12_500, quarantineMs: opts.quarantineMs ?? 40_000, periodMs: opts.periodMs ?? 20_000 };
    opts.informers.nodes.addHandlers({
      delete: (node) => {
        // The quarantine starts now, not at the next pass, so the pass after it finds the pods.
        if (!this.missingSince.has(node.metadata.name!)) this.missingSince.set(node.metadata.name!, this.opts.clock.now());
        if (this.signal?.aborted === false) this.opts.clock.setTimer(() => void this.gc(), this.o.quarantineMs + 1);
      },
    });
  }

  /** Runs a pass every period until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    this.signal = signal;
    await Promise.all([this.opts.informers.pods.waitForSync(), this.opts.informers.nodes.waitForSync()]);
    await new Promise<void>((resolve) => {
      let cancel = () => {};
      const tick = () => {
        if (signal.aborted) return;
        void this.gc().finally(() => {
          if (!signal.aborted) cancel = this.opts.clock.setTimer(tick, this.o.periodMs);
        });
      };
      signal.addEventListener('abort', () => {
        cancel();
        resolve();
      }, { once: true });
      tick();
    });
    await this.pass;
  }

  /** One pass, after any pass under way; exposed for tests. */
  gc(): Promise<void> {
    this.pass = this.pass.then(() => this.gcOnce()).catch((e: unknown) => this.log(`pod gc: ${(e as Error).message}`));
    return this.pass;
  }

  private async gcOnce(): Promise<void> {
    const nodes = new Map(this.opts.informers.nodes.list().map((n) => [n.metadata.name!, n] as const));
    const plan = planPodGc({ pods: this.opts.informers.pods.list(), nodes, missingSince: this.missingSince, now: this.opts.clock.now(), opts: this.o });
    this.missingSince = plan.missingSince;
    // The cache may lag a node's re-creation: confirm each orphaned node is really gone.
    const gone = new Set<string>();
    for (const name of plan.orphanNodes) {
      if (await this.nodesApi.find('', name)) this.missingSince.delete(name);
      else gone.add(name);
    }
    const now = rfc3339(this.opts.clock.now());
    for (const { pod, reason } of plan.deletes) {
      if (reason === 'orphaned' && !gone.has((pod.spec as { nodeName: string }).nodeName)) continue;
      await this.delete(pod, gcStatusPatch(pod, reason, now)).catch((e: unknown) => this.log(`pod gc: deleting ${pod.metadata.namespace}/${pod.metadata.name}: ${(e as Error).message}`));
    }
  }

  private async delete(pod: KubeObject, status: Record<string, unknown> | undefined): Promise<void> {
    const ns = pod.metadata.namespace!;
    const name = pod.metadata.name!;
    try {
      if (status) await this.podsApi.patch(ns, name, 'strategic', status, { subresource: 'status', fieldManager: 'pod-garbage-collector' });
      await this.podsApi.delete(ns, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    } catch (e) {
      if (e instanceof ApiError && (e.code === 404 || e.code === 409)) return;
      throw e;
    }
  }
}
