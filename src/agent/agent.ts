// `k8ts agent`: node agents in a process of their own, on this machine or another, joined to a
// cluster over HTTPS as k3s agents are. It joins with a join token, then each node's agent acts
// with that node's credential (system:node:<name>), so NodeRestriction holds it to its own Node,
// Lease and pods. Nodes are created without a pod CIDR; the controller manager's node IPAM gives
// one, and an agent starts serving its node once it has it. The API server reaches the agent's
// pods (logs, exec, attach, port-forward) through tunnels the agent opens (tunnel-client.ts).
import { Agent } from 'node:https';
import { hostname } from 'node:os';
import type { KubeObject } from '../api/meta/types.ts';
import { Client, createIfAbsent } from '../client/client.ts';
import { httpsTransport } from '../client/https-transport.ts';
import { AGENT_ANNOTATION, SIMULATED_ANNOTATION } from '../node/contract.ts';
import { createNodeObject, type NodeObjectOptions } from '../node/node-object.ts';
import { NodePool } from '../node/node-pool.ts';
import type { ContainerRuntime } from '../node/runtime.ts';
import type { Clock } from '../util/clock.ts';
import { joinCluster, type Joined } from './join-client.ts';
import { neverSent, ServerList } from '../client/server-list.ts';
import { kubeletServer } from './kubelet-server.ts';
import { openTunnels, type TunnelClient } from './tunnel-client.ts';


export interface AgentOptions {
  /** The API server, https://host:port; several servers of the cluster separated by commas. */
  server: string;
  token: string;
  /** Names of the nodes this agent runs. */
  nodes: string[];
  node?: Omit<NodeObjectOptions, 'index' | 'controlPlane'>;
  clock?: Clock;
  log?: (m: string) => void;
  /** Cluster DNS settings for pods' resolv.conf. */
  dns?: ConstructorParameters<typeof NodePool>[0]['dns'];
  /** The container runtime (default: simulated). */
  runtime?: ContainerRuntime;
  /** Idle tunnels kept open per group of nodes (default 2). */
  idleTunnels?: number;
}

export interface RunningAgent {
  pool: NodePool;
  caCertPem: string;
  /** The reverse connections the API server reaches this agent's pods through. */
  tunnels: TunnelClient;
  stop(): Promise<void>;
}

/** The Node an agent registers: a kubelet's labels, no pod CIDR yet, marked as this agent's. */
export function agentNodeObject(name: string, node: AgentOptions['node'] = {}): KubeObject {
  const obj = createNodeObject(name, { ...node, index: 0 });
  delete obj.metadata.annotations![SIMULATED_ANNOTATION];
  obj.metadata.annotations![AGENT_ANNOTATION] = hostname();
  obj.spec = { ...(node.taints?.length ? { taints: node.taints.map((t) => ({ ...t })) } : {}) };
  return obj;
}

export async function startAgent(o: AgentOptions): Promise<RunningAgent> {
  // One list for joining, requests and tunnels: a server that cannot be reached is passed over.
  const servers = ServerList.parse(o.server);
  const joined = await joinAny(servers, { token: o.token, nodes: o.nodes });
  // One connection pool for all of this agent's nodes; each request carries its node's token.
  const connections = new Agent({ keepAlive: true, maxSockets: 32, ca: joined.caCertPem });
  const clients = new Map(o.nodes.map((n) => [n, new Client(httpsTransport({ server: servers, caPem: joined.caCertPem, token: joined.tokens[n]!, agent: connections }), { userAgent: `kubelet/v1.35.0 (${n})` })]));
  const first = clients.get(o.nodes[0]!)!;
  const names = new Set(o.nodes);
  for (const [name, client] of clients) {
    // Registered before (an agent restarting): its Node, pods and claims are as it left them.
    await createIfAbsent(client.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false }).create('', agentNodeObject(name, o.node)));
  }
  const pool = new NodePool({
    client: first,
    clientFor: (n) => clients.get(n) ?? first,
    serves: (n) => names.has(n.metadata.name!) && !!(n.spec as { podCIDR?: string } | undefined)?.podCIDR,
    clock: o.clock,
    log: o.log,
    dns: o.dns,
    runtime: o.runtime,
  });
  await pool.start();
  // Logs, exec, attach and port-forward: the API server reaches this agent through connections
  // the agent opens, so an agent behind NAT serves them too.
  const tunnels = openTunnels({ servers, caPem: joined.caCertPem, tokens: joined.tokens, kubelet: kubeletServer({ pool, log: o.log }), idle: o.idleTunnels, log: o.log });
  return {
    pool,
    caCertPem: joined.caCertPem,
    tunnels,
    stop: async () => {
      tunnels.close();
      await pool.stop();
      connections.destroy();
    },
  };
}

/** Joins through the first server that answers; a server that refuses the token ends it. */
async function joinAny(servers: ServerList, o: { token: string; nodes: string[] }): Promise<Joined> {
  for (let tries = 1; ; tries++) {
    const server = servers.current();
    try {
      return await joinCluster({ server, ...o });
    } catch (e) {
      if (!neverSent((e as Error).cause) || tries >= servers.size) throw e;
      servers.failed(server);
    }
  }
}
