// The generic ephemeral volume controller: pods with `ephemeral` volumes are queued by key, and
// each sync creates the claims planEphemeralClaims asks for (the garbage collector removes them
// with their pod through the owner reference).
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { Client, ResourceClient } from '../../client/client.ts';
import { objectKeyOf, type Informer } from '../../client/informer.ts';
import type { Clock } from '../../util/clock.ts';
import { EventRecorder } from '../runtime/event-recorder.ts';
import { WorkQueue } from '../runtime/work-queue.ts';
import { planEphemeralClaims } from './plan.ts';

export interface EphemeralControllerOptions {
  clock: Clock;
  /** Shared informers; the caller runs them. */
  pods: Informer;
  claims: Informer;
  log?: (m: string) => void;
}

const hasEphemeral = (p: KubeObject) => ((p.spec as { volumes?: { ephemeral?: unknown }[] } | undefined)?.volumes ?? []).some((v) => v.ephemeral);

export class EphemeralVolumeController {
  private readonly queue: WorkQueue;
  private readonly claimsApi: ResourceClient;
  private readonly recorder: EventRecorder;

  constructor(client: Client, private readonly opts: EphemeralControllerOptions) {
    const log = opts.log ?? (() => {});
    this.claimsApi = client.resource({ apiVersion: 'v1', resource: 'persistentvolumeclaims', namespaced: true });
    this.recorder = new EventRecorder(client, { component: 'ephemeral_volume' }, opts.clock, log);
    this.queue = new WorkQueue((key) => this.sync(key), { clock: opts.clock, workers: 1, log: (m) => log(`ephemeral: ${m}`) });
    const onPod = (p: KubeObject) => {
      if (hasEphemeral(p)) this.queue.add(objectKeyOf(p));
    };
    opts.pods.addHandlers({ add: onPod, update: (_o, p) => onPod(p) });
    // A claim deleted under a live pod is made again.
    opts.claims.addHandlers({
      delete: (c) => {
        const owner = (c.metadata.ownerReferences ?? []).find((r) => r.controller && r.kind === 'Pod');
        if (owner) this.queue.add(`${c.metadata.namespace}/${owner.name}`);
      },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.queue.run(signal);
  }

  private async sync(key: string): Promise<void> {
    await Promise.all([this.opts.pods.waitForSync(), this.opts.claims.waitForSync()]);
    const [ns, name] = key.split('/') as [string, string];
    const pod = this.opts.pods.get(ns, name);
    if (!pod) return;
    for (const step of planEphemeralClaims(pod, (n) => this.opts.claims.get(ns, n))) {
      if (step.kind === 'notOwner') {
        this.recorder.event(pod, 'Warning', 'FailedBinding', step.message);
        continue;
      }
      try {
        await this.claimsApi.create(ns, step.claim);
      } catch (e) {
        if (e instanceof ApiError && e.code === 409) continue;
        this.recorder.event(pod, 'Warning', 'FailedBinding', `create PVC ${step.claim.metadata.name}: ${(e as Error).message}`);
        throw e;
      }
    }
  }
}
