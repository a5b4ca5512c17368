// The last-change trigger time of a Service's endpoints (pkg/controller/util/endpoint
// trigger_time_tracker.go): the earliest change not yet published, where a change is a pod's
// Ready transition or the Service's creation. Each sync publishes the minimum among the pods
// whose trigger time moved since the previous sync; the first sync of a Service publishes none.
// Pods are remembered by object, so a sync of thousands of unchanged pods only compares them.
import type { KubeObject } from '../../api/meta/types.ts';
import { podTriggerTime } from './pods.ts';

interface PodState {
  pod: KubeObject;
  t: number | undefined;
  /** The sync that last saw the pod. */
  gen: number;
}

interface ServiceState {
  pods: Map<string, PodState>;
  service: number;
  gen: number;
}

export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  /** The trigger time to publish for this sync (ms), undefined for none; remembers this state. */
  compute(key: string, svc: KubeObject, pods: Iterable<KubeObject>): number | undefined {
    let st = this.states.get(key);
    const known = st !== undefined;
    if (!st) this.states.set(key, (st = { pods: new Map(), service: 0, gen: 0 }));
    const gen = ++st.gen;
    let min: number | undefined;
    let seen = 0;
    for (const pod of pods) {
      seen++;
      const name = pod.metadata.name!;
      const prev = st.pods.get(name);
      if (prev && prev.pod === pod) {
        prev.gen = gen;
        continue;
      }
      const t = podTriggerTime(pod);
      if (t !== undefined && (prev?.t === undefined || t > prev.t) && (min === undefined || t < min)) min = t;
      if (prev) {
        prev.pod = pod;
        prev.t = t;
        prev.gen = gen;
      } else st.pods.set(name, { pod, t, gen });
    }
    // Pods not selected any more are forgotten: selected again later, they count as changed.
    if (st.pods.size > seen) for (const [name, p] of st.pods) if (p.gen !== gen) st.pods.delete(name);
    const created = svc.metadata.creationTimestamp ? Date.parse(svc.metadata.creationTimestamp) : NaN;
    const service = Number.isNaN(created) ? 0 : created;
    if (service > st.service && (min === undefined || service < min)) min = service;
    st.service = service;
    return known ? min : undefined;
  }

  /**
   * As compute, for a sync that knows which pods changed since the last one (the pod by name, or
   * undefined for a pod no longer selected); the others are as they were.
   */
  computeChanges(key: string, svc: KubeObject, changes: Iterable<[string, KubeObject | undefined]>): number | undefined {
    const st = this.states.get(key);
    if (!st) return this.compute(key, svc, []);
    let min: number | undefined;
    for (const [name, pod] of changes) {
      const prev = st.pods.get(name);
      if (!pod) {
        st.pods.delete(name);
        continue;
      }
      if (prev && prev.pod === pod) continue;
      const t = podTriggerTime(pod);
      if (t !== undefined && (prev?.t === undefined || t > prev.t) && (min === undefined || t < min)) min = t;
      if (prev) {
        prev.pod = pod;
        prev.t = t;
        prev.gen = st.gen;
      } else st.pods.set(name, { pod, t, gen: st.gen });
    }
    const created = svc.metadata.creationTimestamp ? Date.parse(svc.metadata.creationTimestamp) : NaN;
    const service = Number.isNaN(created) ? 0 : created;
    if (service > st.service && (min === undefined || service < min)) min = service;
    st.service = service;
    return min;
  }

  delete(key: string): void {
    this.states.delete(key);
  }
}
