// Pod requests and node allocatable as the scheduler counts them
// (k8s.io/component-helpers/resource PodRequests; pkg/scheduler/framework/types.go Resource;
// pkg/scheduler/util/pod_resources.go defaults for the non-zero requests used in scoring).
import { milliValue, value } from './quantity.ts';
import type { Container, Node, Pod, ResourceList } from './types.ts';

export interface Resources {
  milliCpu: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended resources, hugepages and other scalar resources; absent when there are none. */
  scalar?: Map<string, number>;
}

export interface Allocatable extends Resources {
  pods: number;
}

/** Scoring treats a container without a cpu or memory request as asking for these (schedutil). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export const emptyResources = (): Resources => ({ milliCpu: 0, memory: 0, ephemeralStorage: 0 });

/** Scalar resources: extended (domain-prefixed) names and hugepages (schedutil.IsScalarResourceName). */
function isScalar(name: string): boolean {
  return name.startsWith('hugepages-') || name.startsWith('attachable-volumes-') || name.includes('/');
}

/** Adds a ResourceList into r (Resource.Add). Unparsable quantities count as zero. */
export function addList(r: Resources, list: ResourceList | undefined): void {
  if (!list) return;
  for (const [name, q] of Object.entries(list)) {
    if (name === 'cpu') r.milliCpu += milliValue(q) ?? 0;
    else if (name === 'memory') r.memory += value(q) ?? 0;
    else if (name === 'ephemeral-storage') r.ephemeralStorage += value(q) ?? 0;
    else if (isScalar(name)) {
      r.scalar ??= new Map();
      r.scalar.set(name, (r.scalar.get(name) ?? 0) + (value(q) ?? 0));
    }
  }
}

function add(a: Resources, b: Resources): Resources {
  const out: Resources = { milliCpu: a.milliCpu + b.milliCpu, memory: a.memory + b.memory, ephemeralStorage: a.ephemeralStorage + b.ephemeralStorage };
  if (a.scalar || b.scalar) {
    out.scalar = new Map(a.scalar);
    for (const [k, v] of b.scalar ?? []) out.scalar.set(k, (out.scalar.get(k) ?? 0) + v);
  }
  return out;
}

function max(a: Resources, b: Resources): Resources {
  const out: Resources = { milliCpu: Math.max(a.milliCpu, b.milliCpu), memory: Math.max(a.memory, b.memory), ephemeralStorage: Math.max(a.ephemeralStorage, b.ephemeralStorage) };
  if (a.scalar || b.scalar) {
    out.scalar = new Map(a.scalar);
    for (const [k, v] of b.scalar ?? []) out.scalar.set(k, Math.max(out.scalar.get(k) ?? 0, v));
  }
  return out;
}

function containerRequests(c: Container, nonZero: boolean): Resources {
  const r = emptyResources();
  const requests = c.resources?.requests;
  addList(r, requests);
  if (nonZero) {
    if (requests?.cpu === undefined) r.milliCpu = DEFAULT_MILLI_CPU_REQUEST;
    if (requests?.memory === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * The pod's effective request: the sum of its containers, or the largest init container if that
 * is more, plus overhead. Restartable (sidecar) init containers keep running, so they add to the
 * sum and to every later init container's peak. With nonZero, a container that omits its cpu or
 * memory request counts the scoring defaults instead.
 */
export function podRequests(pod: Pod, opts: { nonZero?: boolean } = {}): Resources {
  const nonZero = opts.nonZero ?? false;
  let reqs = emptyResources();
  for (const c of pod.spec?.containers ?? []) reqs = add(reqs, containerRequests(c, nonZero));
  let sidecars = emptyResources();
  let initPeak = emptyResources();
  for (const c of pod.spec?.initContainers ?? []) {
    let r = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      reqs = add(reqs, r);
      sidecars = add(sidecars, r);
      r = sidecars;
    } else r = add(r, sidecars);
    initPeak = max(initPeak, r);
  }
  reqs = max(reqs, initPeak);
  if (pod.spec?.overhead) addList(reqs, pod.spec.overhead);
  return reqs;
}

/** The node's allocatable resources (status.allocatable, falling back to capacity). */
export function nodeAllocatable(node: Node): Allocatable {
  const list = node.status?.allocatable ?? node.status?.capacity ?? {};
  const r = emptyResources();
  addList(r, list);
  return { ...r, pods: value(list.pods) ?? 0 };
}
