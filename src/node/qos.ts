// Pod QoS class, as pkg/apis/core/v1/helper/qos/qos.go GetPodQOS computes it from the cpu and
// memory requests and limits of every container, init containers included.
import { parseQuantity } from '../api/validation/quantity.ts';

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

interface Resources {
  requests?: Record<string, unknown>;
  limits?: Record<string, unknown>;
}
export interface QosPodSpec {
  containers?: { resources?: Resources }[];
  initContainers?: { resources?: Resources }[];
}

const QOS_RESOURCES = ['cpu', 'memory'] as const;

/**
 * Guaranteed: every container limits cpu and memory and requests equal limits. BestEffort: no
 * container requests or limits either. Anything else is Burstable. A missing request counts as
 * its limit, as API defaulting fills it in.
 */
export function podQosClass(spec: QosPodSpec): QosClass {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const r = c.resources ?? {};
    for (const name of QOS_RESOURCES) {
      const limit = parseQuantity(r.limits?.[name]);
      const request = parseQuantity(r.requests?.[name]) ?? limit;
      if (request !== undefined && request > 0) requests.set(name, (requests.get(name) ?? 0) + request);
      if (limit !== undefined && limit > 0) limits.set(name, (limits.get(name) ?? 0) + limit);
      else guaranteed = false;
    }
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed && QOS_RESOURCES.every((n) => requests.get(n) !== undefined && Math.abs(requests.get(n)! - limits.get(n)!) < 1e-9)) return 'Guaranteed';
  return 'Burstable';
}
