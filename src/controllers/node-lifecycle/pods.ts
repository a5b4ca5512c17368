// Pod status changes the node controllers make (pkg/controller/util/node MarkPodsNotReady,
// pkg/api/v1/pod UpdatePodCondition): pure, from a cached pod to the pod to write.
import type { KubeObject } from '../../api/meta/types.ts';
import { conditionsOf, type Condition } from './tolerations.ts';

/**
 * The pod with its Ready condition set to False (lastTransitionTime now), or undefined when it
 * has no Ready condition or it is already False — only an existing Ready condition is changed.
 */
export function podMarkedNotReady(pod: KubeObject, now: string): KubeObject | undefined {
  const conditions = conditionsOf(pod);
  const i = conditions.findIndex((c) => c.type === 'Ready');
  if (i < 0 || conditions[i]!.status === 'False') return undefined;
  const next = structuredClone(pod) as KubeObject;
  const list = (next.status as { conditions: Condition[] }).conditions;
  list[i] = { ...list[i]!, status: 'False', lastTransitionTime: now };
  return next;
}

export const isTerminating = (obj: KubeObject) => !!obj.metadata.deletionTimestamp;
