// NodeResourcesFit filter (pkg/scheduler/framework/plugins/noderesources/fit.go fitsRequest):
// the pod count, then cpu, memory, ephemeral storage and scalar resources against allocatable
// minus what the node's pods (assumed ones included) already request. Every shortfall is a
// reason; a request larger than the whole node is unresolvable (preemption cannot help).
import type { NodeInfo } from '../node-info.ts';
import type { PodInfo } from '../pod-info.ts';
import type { Status } from '../types.ts';

// Hot path (every node of every cycle): no closures or allocations unless the node fails.
export function resourcesFitFilter(pi: PodInfo, ni: NodeInfo): Status | undefined {
  const r = pi.requests;
  const tooMany = ni.podCount + 1 > ni.allocPods;
  const cpu = r.milliCpu > 0 && r.milliCpu > ni.allocCpu - ni.reqCpu;
  const mem = r.memory > 0 && r.memory > ni.allocMemory - ni.reqMemory;
  const eph = r.ephemeralStorage > 0 && r.ephemeralStorage > ni.allocEphemeral - ni.reqEphemeral;
  let scalarShort: string[] | undefined;
  let scalarUnresolvable = false;
  if (r.scalar) {
    const alloc = ni.allocatable;
    const used = ni.requested;
    for (const [name, q] of r.scalar) {
      if (q <= 0) continue;
      const total = alloc.scalar?.get(name) ?? 0;
      if (q > total - (used.scalar?.get(name) ?? 0)) {
        (scalarShort ??= []).push(`Insufficient ${name}`);
        if (q > total) scalarUnresolvable = true;
      }
    }
  }
  if (!tooMany && !cpu && !mem && !eph && !scalarShort) return undefined;
  const alloc = ni.allocatable;
  const reasons: string[] = [];
  if (tooMany) reasons.push('Too many pods');
  if (cpu) reasons.push('Insufficient cpu');
  if (mem) reasons.push('Insufficient memory');
  if (eph) reasons.push('Insufficient ephemeral-storage');
  if (scalarShort) reasons.push(...scalarShort);
  const unresolvableHit =
    (cpu && r.milliCpu > alloc.milliCpu) || (mem && r.memory > alloc.memory) || (eph && r.ephemeralStorage > alloc.ephemeralStorage) || scalarUnresolvable;
  return { code: unresolvableHit ? 'UnschedulableAndUnresolvable' : 'Unschedulable', reasons };
}
