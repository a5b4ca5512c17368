// Which pod CIDR each node without one gets: upstream's node IPAM controller with
// --allocate-node-cidrs (pkg/controller/nodeipam, the range allocator), over the /24s podCidrFor
// numbers. Nodes are served in name order and take the lowest free index, so one pass over one
// informer never hands two nodes the same range.
import type { KubeObject } from '../../api/meta/types.ts';
import { nodeIndexFromCidr, podCidrFor } from '../../node/contract.ts';

export interface CidrAssignment {
  node: string;
  podCIDR: string;
}

const cidrOf = (n: KubeObject) => (n.spec as { podCIDR?: string } | undefined)?.podCIDR;

export function planPodCidrs(nodes: readonly KubeObject[]): CidrAssignment[] {
  const used = new Set<number>();
  for (const n of nodes) {
    const i = nodeIndexFromCidr(cidrOf(n));
    if (i !== undefined) used.add(i);
  }
  const out: CidrAssignment[] = [];
  let next = 0;
  const waiting = nodes.filter((n) => !cidrOf(n) && !n.metadata.deletionTimestamp).map((n) => n.metadata.name!).sort();
  for (const node of waiting) {
    while (used.has(next)) next++;
    used.add(next);
    out.push({ node, podCIDR: podCidrFor(next) });
  }
  return out;
}
