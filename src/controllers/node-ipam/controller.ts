// Gives nodes that join without a pod CIDR one (plan.ts). Nodes k8ts creates itself carry theirs
// from the start; remote agents' nodes wait for this controller before running pods. One queue
// key for all nodes: a pass plans every waiting node at once, so two never get the same range.
import type { Client, ResourceClient } from '../../client/client.ts';
import type { Informer } from '../../client/informer.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { Clock } from '../../util/clock.ts';
import { WorkQueue } from '../runtime/work-queue.ts';
import { planPodCidrs } from './plan.ts';

const ALL = 'nodes';

export class NodeIpamController {
  private readonly queue: WorkQueue;
  private readonly nodesApi: ResourceClient;

  constructor(
    client: Client,
    private readonly nodes: Informer,
    opts: { clock: Clock; log?: (m: string) => void },
  ) {
    this.nodesApi = client.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false });
    this.queue = new WorkQueue(() => this.sync(), { clock: opts.clock, log: (m) => opts.log?.(`node-ipam-controller: ${m}`) });
    const check = (n: KubeObject) => {
      if (!(n.spec as { podCIDR?: string } | undefined)?.podCIDR) this.queue.add(ALL);
    };
    nodes.addHandlers({ add: check, update: (_o, n) => check(n) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.queue.run(signal);
  }

  private async sync(): Promise<void> {
    for (const a of planPodCidrs(this.nodes.list())) {
      // podCIDR may be set once; the resourceVersion-less merge patch fails (422) if it was set meanwhile.
      await this.nodesApi.patch('', a.node, 'merge', { spec: { podCIDR: a.podCIDR, podCIDRs: [a.podCIDR] } });
    }
  }
}
