// Node objects for simulated nodes, as kind names and labels them: what `k8ts up` creates by
// default and what `k8ts node add` writes. The agent fills in status when it starts serving one.
import { arch as osArch } from 'node:os';
import type { KubeObject } from '../api/meta/types.ts';
import type { Client } from '../client/client.ts';
import {
  CONTROL_PLANE_NODE,
  CONTROL_PLANE_TAINT,
  CPU_ANNOTATION,
  MEMORY_ANNOTATION,
  nodeIndexFromCidr,
  PODS_ANNOTATION,
  podCidrFor,
  SIMULATED_ANNOTATION,
  workerName,
} from './contract.ts';

export const DEFAULT_CPU = '8';
export const DEFAULT_MEMORY = '16Gi';
export const DEFAULT_PODS = '110';

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface NodeObjectOptions {
  labels?: Record<string, string>;
  taints?: Taint[];
  cpu?: string;
  memory?: string;
  pods?: string;
  /** Pod CIDR index (podCidrFor) and InternalIP (nodeIpFor). */
  index: number;
  controlPlane?: boolean;
}

/** `amd64` / `arm64`, as GOARCH names them. */
export function goArch(): string {
  const a = osArch();
  return a === 'x64' ? 'amd64' : a === 'ia32' ? '386' : a;
}

/** The labels a kubelet sets on its node (pkg/kubelet/kubelet_node_status.go initialNode). */
export function kubeletLabels(name: string): Record<string, string> {
  const arch = goArch();
  return {
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
  };
}

export function createNodeObject(name: string, opts: NodeObjectOptions): KubeObject {
  const labels: Record<string, string> = { ...kubeletLabels(name), ...(opts.controlPlane ? { 'node-role.kubernetes.io/control-plane': '' } : {}), ...opts.labels };
  const annotations: Record<string, string> = { [SIMULATED_ANNOTATION]: 'true' };
  if (opts.cpu) annotations[CPU_ANNOTATION] = opts.cpu;
  if (opts.memory) annotations[MEMORY_ANNOTATION] = opts.memory;
  if (opts.pods) annotations[PODS_ANNOTATION] = opts.pods;
  const cidr = podCidrFor(opts.index);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels, annotations },
    spec: { podCIDR: cidr, podCIDRs: [cidr], ...(opts.taints?.length ? { taints: opts.taints.map((t) => ({ ...t })) } : {}) },
  };
}

/** The lowest pod CIDR index no node uses. */
export function nextNodeIndex(nodes: KubeObject[]): number {
  const used = new Set<number>();
  for (const n of nodes) {
    const i = nodeIndexFromCidr((n.spec as { podCIDR?: string } | undefined)?.podCIDR);
    if (i !== undefined) used.add(i);
  }
  let i = 0;
  while (used.has(i)) i++;
  return i;
}

export interface DefaultNodesOptions {
  /** Worker nodes besides the control plane (default 2, as `kind create cluster` with two workers). */
  workers?: number;
  /** Leave the control-plane taint off so ordinary pods may run there. */
  scheduleOnControlPlane?: boolean;
  cpu?: string;
  memory?: string;
  pods?: string;
  /** Told how many of the missing nodes are created so far (a start with thousands takes seconds). */
  onProgress?: (created: number, total: number) => void;
  /** Instead of the kind-style set: these nodes (a cluster config file's), each made for its pod CIDR index. */
  custom?: { name: string; object: (index: number) => KubeObject }[];
}

/**
 * Creates k8ts-control-plane and k8ts-worker, k8ts-worker2, … unless they exist (a restart keeps
 * what the store has). Returns the names.
 */
export async function ensureDefaultNodes(client: Client, opts: DefaultNodesOptions = {}): Promise<string[]> {
  const nodes = client.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false });
  const wanted = opts.custom ? opts.custom.map((c) => c.name) : [CONTROL_PLANE_NODE, ...Array.from({ length: opts.workers ?? 2 }, (_, i) => workerName(i))];
  const custom = new Map(opts.custom?.map((c) => [c.name, c.object]));
  const existing = (await nodes.list()).items;
  const names = new Set(existing.map((n) => n.metadata.name));
  const used = new Set<number>();
  for (const n of existing) {
    const i = nodeIndexFromCidr((n.spec as { podCIDR?: string } | undefined)?.podCIDR);
    if (i !== undefined) used.add(i);
  }
  // Indexes decided up front (the i-th name keeps index i when free), so creates can overlap.
  let free = 0;
  const missing: { name: string; index: number; controlPlane: boolean }[] = [];
  for (const [i, name] of wanted.entries()) {
    if (names.has(name)) continue;
    let index = i;
    if (used.has(index)) {
      while (used.has(free)) free++;
      index = free;
    }
    used.add(index);
    missing.push({ name, index, controlPlane: i === 0 });
  }
  let created = 0;
  opts.onProgress?.(0, missing.length);
  let next = 0;
  const worker = async () => {
    while (next < missing.length) {
      const { name, index, controlPlane } = missing[next++]!;
      const make = custom.get(name);
      const obj = make ? make(index) : createNodeObject(name, {
        index,
        controlPlane,
        taints: controlPlane && !opts.scheduleOnControlPlane ? [{ ...CONTROL_PLANE_TAINT }] : undefined,
        cpu: opts.cpu,
        memory: opts.memory,
        pods: opts.pods,
      });
      await nodes.create('', obj);
      opts.onProgress?.(++created, missing.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, missing.length) }, worker));
  return wanted;
}
