// Per-node aggregate the filters and scores read (pkg/scheduler/framework/types.go NodeInfo):
// allocatable, the sum of requests of the pods on the node (assumed ones included), host ports in
// use, taints split by effect, and the node's pods with (anti-)affinity. Kept up to date
// incrementally, so a scheduling cycle never re-sums a node's pods.
import type { HostPort, PodInfo } from './pod-info.ts';
import { nodeAllocatable, type Allocatable, type Resources } from './resources.ts';
import type { Node, Taint } from './types.ts';

export class NodeInfo {
  node!: Node;
  name: string;
  labels: Record<string, string> = {};
  allocatable!: Allocatable;
  unschedulable = false;
  /** NoSchedule and NoExecute taints (the filter's concern). */
  hardTaints: Taint[] = [];
  /** PreferNoSchedule taints (the score's concern). */
  softTaints: Taint[] = [];
  readonly requested: Resources = { milliCpu: 0, memory: 0, ephemeralStorage: 0 };
  nonZeroCpu = 0;
  nonZeroMemory = 0;
  readonly pods = new Map<string, PodInfo>();
  /** Host ports in use: `protocol/port` → host IPs. */
  readonly usedPorts = new Map<string, string[]>();
  /** Pods with any (anti-)affinity term, and those with required anti-affinity. */
  readonly podsWithAffinity = new Set<PodInfo>();
  readonly podsWithRequiredAntiAffinity = new Set<PodInfo>();
  /** Pod count per ownerReferences[0] UID (default topology spreading). */
  readonly ownerCounts = new Map<string, number>();
  // Flat copies of the numbers every cycle reads for every node (fit filter and resource
  // scores), so the hot loop touches one object per node.
  allocCpu = 0;
  allocMemory = 0;
  allocEphemeral = 0;
  allocPods = 0;
  reqCpu = 0;
  reqMemory = 0;
  reqEphemeral = 0;
  podCount = 0;

  constructor(node: Node) {
    this.name = node.metadata.name!;
    this.setNode(node);
  }

  setNode(node: Node): void {
    this.node = node;
    this.labels = node.metadata.labels ?? {};
    this.allocatable = nodeAllocatable(node);
    this.allocCpu = this.allocatable.milliCpu;
    this.allocMemory = this.allocatable.memory;
    this.allocEphemeral = this.allocatable.ephemeralStorage;
    this.allocPods = this.allocatable.pods;
    this.unschedulable = !!node.spec?.unschedulable;
    const taints = node.spec?.taints ?? [];
    this.hardTaints = taints.filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
    this.softTaints = taints.filter((t) => t.effect === 'PreferNoSchedule');
  }

  addPod(pi: PodInfo): void {
    if (this.pods.has(pi.uid)) this.removePod(pi.uid);
    this.pods.set(pi.uid, pi);
    this.update(pi, 1);
  }

  removePod(uid: string): PodInfo | undefined {
    const pi = this.pods.get(uid);
    if (!pi) return undefined;
    this.pods.delete(uid);
    this.update(pi, -1);
    return pi;
  }

  private update(pi: PodInfo, sign: 1 | -1): void {
    const r = pi.requests;
    this.requested.milliCpu += sign * r.milliCpu;
    this.requested.memory += sign * r.memory;
    this.requested.ephemeralStorage += sign * r.ephemeralStorage;
    this.reqCpu = this.requested.milliCpu;
    this.reqMemory = this.requested.memory;
    this.reqEphemeral = this.requested.ephemeralStorage;
    this.podCount += sign;
    if (r.scalar) {
      const mine = (this.requested.scalar ??= new Map());
      for (const [k, v] of r.scalar) mine.set(k, (mine.get(k) ?? 0) + sign * v);
    }
    this.nonZeroCpu += sign * pi.nonZeroCpu;
    this.nonZeroMemory += sign * pi.nonZeroMemory;
    for (const hp of pi.hostPorts) this.updatePort(hp, sign);
    const hasAffinity = pi.requiredAffinity.length + pi.requiredAntiAffinity.length + pi.preferredAffinity.length + pi.preferredAntiAffinity.length > 0;
    if (hasAffinity) sign > 0 ? this.podsWithAffinity.add(pi) : this.podsWithAffinity.delete(pi);
    if (pi.requiredAntiAffinity.length) sign > 0 ? this.podsWithRequiredAntiAffinity.add(pi) : this.podsWithRequiredAntiAffinity.delete(pi);
    if (pi.ownerUid) {
      const n = (this.ownerCounts.get(pi.ownerUid) ?? 0) + sign;
      if (n > 0) this.ownerCounts.set(pi.ownerUid, n);
      else this.ownerCounts.delete(pi.ownerUid);
    }
  }

  private updatePort(hp: HostPort, sign: 1 | -1): void {
    const key = `${hp.protocol}/${hp.port}`;
    const ips = this.usedPorts.get(key) ?? [];
    if (sign > 0) ips.push(hp.ip);
    else {
      const i = ips.indexOf(hp.ip);
      if (i >= 0) ips.splice(i, 1);
    }
    if (ips.length) this.usedPorts.set(key, ips);
    else this.usedPorts.delete(key);
  }
}
