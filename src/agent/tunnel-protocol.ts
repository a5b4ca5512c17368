// The reverse connections ("tunnels") through which the API server reaches remote node agents,
// so an agent behind NAT still serves logs, exec, attach and port-forward (upstream's apiserver
// dials the kubelet; k3s and Konnectivity reverse the direction as here).
//
// An agent opens `GET /k8ts/v1/tunnel` over TLS with `Connection: Upgrade`, `Upgrade: k8ts-tunnel`
// and the credentials of a group of its nodes: the first in Authorization, the rest in
// X-K8ts-Node-Credentials. Each credential names one node, so the server knows the agent runs
// every node it claims. On 101 the roles reverse: the server sends one kubelet request (a log
// GET or an exec/attach/portforward upgrade) down the connection, and the agent answers it as a
// kubelet would. A connection carries exactly one request; the agent keeps a few idle ones open
// per group and replaces each as it is used, so there is no multiplexer to write or get wrong.
// Pure values and decisions; the I/O is in tunnel-client.ts and tunnel-server.ts.
import { bearerToken } from '../auth/authenticate.ts';

export const TUNNEL_PATH = '/k8ts/v1/tunnel';
export const TUNNEL_UPGRADE = 'k8ts-tunnel';
/** Node credentials beyond the one in Authorization, comma-separated. */
export const CREDENTIALS_HEADER = 'x-k8ts-node-credentials';
/** Set by the server that holds a node's tunnels, so other servers can send requests there. */
export const TUNNEL_SERVER_ANNOTATION = 'node.k8ts.io/tunnel-server';
/**
 * On a request one server passes to another (the one holding the agent's tunnels): the sender's
 * name. A request that carries it is never passed on again, so stale annotations cannot loop.
 */
export const FORWARDED_BY_HEADER = 'x-k8ts-forwarded-by';

/** Where to dial a server named by tunnelServerName: `host:port`, `[v6]:port`; undefined otherwise. */
export function serverEndpoint(name: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(name);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port > 0 && port < 65536)) return undefined;
  return { host: m[1] ?? m[2]!, port };
}

/**
 * Nodes per tunnel group. A connection carries the group's credentials in its headers (about
 * 80 bytes each), so 32 stay far below Node's 16 KiB header limit, and an agent of many nodes
 * keeps few idle connections: 2 per group.
 */
export const GROUP_SIZE = 32;
export const IDLE_PER_GROUP = 2;

/**
 * How a server names itself on the Nodes whose tunnels it holds: the address it serves on, so a
 * user told to go there can; a wildcard host becomes the machine's name.
 */
export function tunnelServerName(serverAddress: string, machine: string): string {
  const m = /^(.*):(\d+)$/.exec(serverAddress);
  const host = m ? m[1]! : serverAddress;
  const wildcard = host === '0.0.0.0' || host === '::' || host === '[::]' || host === '';
  return wildcard ? (m ? `${machine}:${m[2]}` : machine) : serverAddress;
}

/** The groups an agent opens tunnels for, in node order. */
export function tunnelGroups(nodes: readonly string[], size = GROUP_SIZE): string[][] {
  const groups: string[][] = [];
  for (let i = 0; i < nodes.length; i += size) groups.push(nodes.slice(i, i + size));
  return groups;
}

/** The credentials of one connection's headers, in the order the group names its nodes. */
export function credentialHeaders(tokens: readonly string[]): Record<string, string> {
  return { authorization: `Bearer ${tokens[0]}`, ...(tokens.length > 1 ? { [CREDENTIALS_HEADER]: tokens.slice(1).join(', ') } : {}) };
}

/** Every credential a tunnel request carries: Authorization's bearer token, then the header's list. */
export function credentialsOf(headers: Record<string, string | string[] | undefined>): string[] {
  const bearer = bearerToken(headers['authorization'] === undefined ? undefined : String(headers['authorization']));
  const more = String(headers[CREDENTIALS_HEADER] ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  return [...(bearer ? [bearer] : []), ...more];
}

/** How long a slot waits before dialling again after `failures` consecutive failures: 0.5 s doubling to 30 s. */
export function redialDelayMs(failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(500 * 2 ** (failures - 1), 30_000);
}

/**
 * A connection that closed before it was used counts as a failure when it lived less than this:
 * a server refusing or dropping tunnels at once must not be dialled in a tight loop, while one a
 * NAT dropped after a long idle time is replaced at once.
 */
export const SHORT_LIVED_MS = 10_000;

/** TCP keep-alive on tunnels, both ends, so a vanished peer is noticed. */
export const KEEPALIVE_MS = 30_000;
