// NodeResourcesFit filter (pkg/scheduler/framework/plugins/noderesources/fit.go fitsRequest):
// the pod count, then cpu, memory, ephemeral storage and scalar resources against allocatable
// minus what the node's pods (assumed ones included) already request. Every shortfall is a
// reason; a request larger than the whole node is unresolvable (preemption cannot help).
import type { NodeInfo } from '../node-info.ts';
import type { PodInfo } from '../pod-info.ts';
import type { Status } from '../types.ts';

export function resourcesFitFilter(pi: PodInfo, ni: NodeInfo): Status | undefined {
  let reasons: string[] | undefined;
  let unresolvableHit = false;
  const fail = (reason: string, unresolvableNow: boolean) => {
    (reasons ??= []).push(reason);
    if (unresolvableNow) unresolvableHit = true;
  };
  const alloc = ni.allocatable;
  const used = ni.requested;
  if (ni.pods.size + 1 > alloc.pods) fail('Too many pods', false);
  const r = pi.requests;
  if (r.milliCpu > 0 && r.milliCpu > alloc.milliCpu - used.milliCpu) fail('Insufficient cpu', r.milliCpu > alloc.milliCpu);
  if (r.memory > 0 && r.memory > alloc.memory - used.memory) fail('Insufficient memory', r.memory > alloc.memory);
  if (r.ephemeralStorage > 0 && r.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) {
    fail('Insufficient ephemeral-storage', r.ephemeralStorage > alloc.ephemeralStorage);
  }
  if (r.scalar) {
    for (const [name, q] of r.scalar) {
      if (q <= 0) continue;
      const total = alloc.scalar?.get(name) ?? 0;
      if (q > total - (used.scalar?.get(name) ?? 0)) fail(`Insufficient ${name}`, q > total);
    }
  }
  if (!reasons) return undefined;
  return { code: unresolvableHit ? 'UnschedulableAndUnresolvable' : 'Unschedulable', reasons };
}
