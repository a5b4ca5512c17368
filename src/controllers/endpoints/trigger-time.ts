// The last-change trigger time of a Service's endpoints (pkg/controller/util/endpoint
// trigger_time_tracker.go): the earliest change not yet published, where a change is a pod's
// Ready transition or the Service's creation. Each sync publishes the minimum among the pods
// whose trigger time moved since the previous sync; the first sync of a Service publishes none.
import type { KubeObject } from '../../api/meta/types.ts';
import { podTriggerTime } from './pods.ts';

interface ServiceState {
  pods: Map<string, number>;
  service: number;
}

// Parsing every selected pod's timestamp on every sync shows in a Service of thousands of pods.
const parsed = new WeakMap<KubeObject, number | null>();
function triggerOf(pod: KubeObject): number | undefined {
  let t = parsed.get(pod);
  if (t === undefined) parsed.set(pod, (t = podTriggerTime(pod) ?? null));
  return t ?? undefined;
}

export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  /** The trigger time to publish for this sync (ms), undefined for none; remembers this state. */
  compute(key: string, svc: KubeObject, pods: Iterable<KubeObject>): number | undefined {
    const prev = this.states.get(key);
    const next: ServiceState = { pods: new Map(), service: 0 };
    let min: number | undefined;
    for (const pod of pods) {
      const t = triggerOf(pod);
      if (t === undefined) continue;
      next.pods.set(pod.metadata.name!, t);
      if (t > (prev?.pods.get(pod.metadata.name!) ?? -Infinity) && (min === undefined || t < min)) min = t;
    }
    const created = svc.metadata.creationTimestamp ? Date.parse(svc.metadata.creationTimestamp) : NaN;
    next.service = Number.isNaN(created) ? 0 : created;
    if (next.service > (prev?.service ?? 0) && (min === undefined || next.service < min)) min = next.service;
    this.states.set(key, next);
    return prev ? min : undefined;
  }

  delete(key: string): void {
    this.states.delete(key);
  }
}
