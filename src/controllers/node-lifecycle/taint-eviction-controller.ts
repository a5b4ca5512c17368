// The taint eviction controller (pkg/controller/tainteviction/taint_eviction.go): deletes pods
// from nodes with NoExecute taints they do not tolerate, at once or after their
// tolerationSeconds, recording TaintManagerEviction events. Decisions are in taint-eviction.ts;
// this file keeps the timers and acts. Scheduled deletions live in memory, as upstream's timed
// queue: after a restart every countdown starts again.
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { Client, ResourceClient } from '../../client/client.ts';
import { objectKeyOf, type Informer } from '../../client/informer.ts';
import { rfc3339, type Clock } from '../../util/clock.ts';
import type { EventRecorder } from '../runtime/event-recorder.ts';
import { WorkQueue } from '../runtime/work-queue.ts';
import { nodeNameOf, type PodsByNode } from './pods-by-node.ts';
import { planTaintEviction, type ScheduledEviction } from './taint-eviction.ts';
import { taintsOf, type Toleration } from './tolerations.ts';

interface Scheduled extends ScheduledEviction {
  uid: string;
  cancel: () => void;
}

const noExecuteKey = (node: KubeObject | undefined) =>
  JSON.stringify(
    taintsOf(node)
      .filter((t) => t.effect === 'NoExecute')
      .map((t) => [t.key, t.value ?? ''])
      .sort(),
  );

export class TaintEvictionController {
  private readonly queue: WorkQueue;
  private readonly scheduled = new Map<string, Scheduled>();
  private readonly podsApi: ResourceClient;

  constructor(
    client: Client,
    private readonly deps: { nodes: Informer; pods: Informer; podsByNode: PodsByNode; recorder: EventRecorder; clock: Clock; log: (m: string) => void },
  ) {
    this.podsApi = client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true });
    this.queue = new WorkQueue((key) => this.sync(key), { clock: deps.clock, workers: 4, log: (m) => deps.log(`taint eviction: ${m}`) });
    deps.pods.addHandlers({
      add: (p) => nodeNameOf(p) && this.queue.add(objectKeyOf(p)),
      update: (_o, p) => nodeNameOf(p) && this.queue.add(objectKeyOf(p)),
      delete: (p) => this.cancel(objectKeyOf(p), false),
    });
    deps.nodes.addHandlers({
      add: (n) => this.nodeChanged(undefined, n),
      update: (o, n) => this.nodeChanged(o, n),
      delete: (n) => this.nodeChanged(n, undefined),
    });
  }

  run(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => {
      for (const s of this.scheduled.values()) s.cancel();
      this.scheduled.clear();
    }, { once: true });
    return this.queue.run(signal);
  }

  /** Pods whose deletion is scheduled, with the time it fires (ms). */
  pending(): Map<string, number> {
    return new Map([...this.scheduled].map(([k, s]) => [k, s.fireAt]));
  }

  private nodeChanged(old: KubeObject | undefined, node: KubeObject | undefined): void {
    if (noExecuteKey(old) === noExecuteKey(node)) return;
    const name = (node ?? old)!.metadata.name!;
    for (const pod of this.deps.podsByNode.podsOn(name)) this.queue.add(objectKeyOf(pod));
  }

  private async sync(key: string): Promise<void> {
    const [ns, name] = key.split('/') as [string, string];
    const pod = this.deps.pods.get(ns, name);
    if (!pod || !nodeNameOf(pod) || pod.metadata.deletionTimestamp) return this.cancel(key, false);
    const prev = this.scheduled.get(key);
    if (prev && prev.uid !== pod.metadata.uid) this.cancel(key, false);
    const node = this.deps.nodes.get('', nodeNameOf(pod));
    const decision = planTaintEviction({
      taints: taintsOf(node),
      tolerations: ((pod.spec as { tolerations?: Toleration[] } | undefined)?.tolerations ?? []),
      now: this.deps.clock.now(),
      scheduled: this.scheduled.get(key),
    });
    switch (decision.action) {
      case 'cancel':
        return this.cancel(key, true);
      case 'keep':
        return;
      case 'delete':
        this.cancel(key, false);
        return this.evict(pod);
      case 'schedule': {
        this.cancel(key, false);
        const { createdAt, fireAt } = decision.eviction;
        const cancel = this.deps.clock.setTimer(() => {
          this.scheduled.delete(key);
          void this.evict(pod).catch((e: unknown) => {
            this.deps.log(`taint eviction: ${key}: ${(e as Error).message}`);
            this.queue.add(key);
          });
        }, fireAt - this.deps.clock.now());
        this.scheduled.set(key, { uid: pod.metadata.uid!, createdAt, fireAt, cancel });
      }
    }
  }

  private cancel(key: string, withEvent: boolean): void {
    const s = this.scheduled.get(key);
    if (!s) return;
    s.cancel();
    this.scheduled.delete(key);
    const pod = this.deps.pods.get(...(key.split('/') as [string, string]));
    if (withEvent && pod) this.deps.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
  }

  /** Marks the pod DisruptionTarget and deletes it (default grace), unless it was replaced. */
  private async evict(pod: KubeObject): Promise<void> {
    const ns = pod.metadata.namespace!;
    const name = pod.metadata.name!;
    const live = await this.podsApi.find(ns, name);
    if (!live || live.metadata.uid !== pod.metadata.uid || live.metadata.deletionTimestamp) return;
    this.deps.recorder.event(live, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${ns}/${name}`);
    const condition = {
      type: 'DisruptionTarget',
      status: 'True',
      reason: 'DeletionByTaintManager',
      message: 'Taint manager: deleting due to NoExecute taint',
      lastTransitionTime: rfc3339(this.deps.clock.now()),
    };
    try {
      await this.podsApi.patch(ns, name, 'strategic', { status: { conditions: [condition] } }, { subresource: 'status', fieldManager: 'taint-eviction-controller' });
      await this.podsApi.delete(ns, name, { preconditions: { uid: pod.metadata.uid } });
    } catch (e) {
      if (e instanceof ApiError && (e.code === 404 || e.code === 409)) return;
      throw e;
    }
  }
}
