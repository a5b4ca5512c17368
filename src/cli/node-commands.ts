// `k8ts node add|remove|stop|start|list`: simulated nodes of a running cluster, managed through
// the API with the kubeconfig, so they work from any terminal. The control plane's node pool runs
// an agent for every Node carrying the simulated annotation; these commands only write Nodes.
import { Command, Option } from 'commander';
import { ApiError } from '../api/errors.ts';
import type { KubeObject } from '../api/meta/types.ts';
import type { Client } from '../client/client.ts';
import { SIMULATED_ANNOTATION, STOPPED_ANNOTATION } from '../node/contract.ts';
import { createNodeObject, DEFAULT_CPU, DEFAULT_MEMORY, DEFAULT_PODS, nextNodeIndex } from '../node/node-object.ts';
import { checkNodeName, checkQuantity, nextWorkerNames, parseLabels, parseTaints, positiveInt, UsageError } from './node-args.ts';
import { kubeconfigPath, remoteClient } from './remote-client.ts';

export interface NodeCommandIo {
  out(line: string): void;
}

const stdoutIo: NodeCommandIo = { out: (line) => process.stdout.write(`${line}\n`) };

export interface AddOptions {
  name?: string;
  labels?: string;
  taints?: string;
  cpu?: string;
  memory?: string;
  pods?: string;
  count?: string;
}

const nodesOf = (client: Client) => client.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false });
const notFound = (name: string) => new Error(`node "${name}" not found`);

/** Validates everything, then creates the nodes (status capacity/allocatable set at once). */
export async function addNodes(client: Client, o: AddOptions, io: NodeCommandIo = stdoutIo): Promise<string[]> {
  const labels = parseLabels(o.labels ?? '');
  const taints = parseTaints(o.taints ?? '');
  const cpu = o.cpu ?? DEFAULT_CPU;
  const memory = o.memory ?? DEFAULT_MEMORY;
  checkQuantity('--cpu', cpu);
  checkQuantity('--memory', memory);
  const pods = String(positiveInt('--pods', o.pods ?? DEFAULT_PODS));
  const count = positiveInt('--count', o.count ?? '1');
  if (o.name !== undefined) {
    checkNodeName(o.name);
    if (count > 1) throw new UsageError('a node name can only be given with --count 1');
  }
  const api = nodesOf(client);
  const existing = [...(await api.list()).items];
  if (o.name !== undefined && existing.some((n) => n.metadata.name === o.name)) throw new Error(`node "${o.name}" already exists`);
  const names = o.name !== undefined ? [o.name] : nextWorkerNames(existing, count);
  const resources = { cpu, memory, pods };
  for (const name of names) {
    const obj = createNodeObject(name, { index: nextNodeIndex(existing), labels, taints, cpu, memory, pods });
    const created = await api.create('', obj);
    existing.push(created);
    // Create clears status; the agent posts the full one when it starts serving the node, and
    // this write loses (409) when it got there first.
    await api.updateStatus('', { ...created, status: { capacity: resources, allocatable: resources } }).catch((e: unknown) => {
      if (!(e instanceof ApiError && e.code === 409)) throw e;
    });
    io.out(`node/${name} created`);
  }
  return names;
}

/** Deletes each node; missing ones are reported together after the others are gone. */
export async function removeNodes(client: Client, names: string[], io: NodeCommandIo = stdoutIo): Promise<void> {
  const api = nodesOf(client);
  const missing: string[] = [];
  for (const name of names) {
    if (!(await api.find('', name))) {
      missing.push(name);
      continue;
    }
    await api.delete('', name);
    io.out(`node "${name}" deleted`);
  }
  if (missing.length) throw new Error(missing.map((n) => notFound(n).message).join('\n'));
}

/** Sets (stop) or clears (start) the stopped annotation of a simulated node. */
export async function setStopped(client: Client, name: string, stopped: boolean, io: NodeCommandIo = stdoutIo): Promise<void> {
  const api = nodesOf(client);
  const node = await api.find('', name);
  if (!node) throw notFound(name);
  if (node.metadata.annotations?.[SIMULATED_ANNOTATION] === undefined) throw new Error(`node "${name}" is not a simulated node`);
  await api.patch('', name, 'merge', { metadata: { annotations: { [STOPPED_ANNOTATION]: stopped ? 'true' : null } } });
  io.out(`node/${name} ${stopped ? 'stopped' : 'started'}`);
}

/** kubectl's node status column: Ready/NotReady/Unknown, plus SchedulingDisabled when cordoned. */
export function nodeStatus(node: KubeObject): string {
  const ready = ((node.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === 'Ready');
  const parts = [ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown'];
  if ((node.spec as { unschedulable?: boolean } | undefined)?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

export function nodeRoles(node: KubeObject): string {
  const roles = Object.keys(node.metadata.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .filter((r) => r !== '')
    .sort();
  return roles.length ? roles.join(',') : '<none>';
}

/** NAME STATUS ROLES SIMULATED PODS, pods counted as bound and not terminated. */
export async function listNodes(client: Client, io: NodeCommandIo = stdoutIo): Promise<void> {
  const nodes = (await nodesOf(client).list()).items.sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
  const pods = (await client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true }).list()).items;
  const count = new Map<string, number>();
  for (const p of pods) {
    const node = (p.spec as { nodeName?: string } | undefined)?.nodeName;
    const phase = (p.status as { phase?: string } | undefined)?.phase;
    if (node && phase !== 'Succeeded' && phase !== 'Failed') count.set(node, (count.get(node) ?? 0) + 1);
  }
  const rows = [['NAME', 'STATUS', 'ROLES', 'SIMULATED', 'PODS']];
  for (const n of nodes) {
    const a = n.metadata.annotations ?? {};
    const simulated = a[SIMULATED_ANNOTATION] === undefined ? 'no' : a[STOPPED_ANNOTATION] !== undefined ? 'yes (stopped)' : 'yes';
    rows.push([n.metadata.name!, nodeStatus(n), nodeRoles(n), simulated, String(count.get(n.metadata.name!) ?? 0)]);
  }
  for (const line of tableLines(rows)) io.out(line);
}

/** Rows as kubectl prints tables: columns padded to their widest cell plus three spaces. */
export function tableLines(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd());
}

/** Runs fn with a client for the kubeconfig's cluster, closing its connections afterwards. */
export async function withClient<T>(o: { kubeconfig?: string }, fn: (client: Client) => Promise<T>): Promise<T> {
  const { client, close } = await remoteClient(kubeconfigPath(o.kubeconfig));
  try {
    return await fn(client);
  } finally {
    close();
  }
}

export const kubeconfigOption = () => new Option('--kubeconfig <path>', 'kubeconfig of the cluster (default $KUBECONFIG, else .k8ts/kubeconfig)');

/** Adds the `node` command group to the k8ts program. */
export function registerNodeCommands(program: Command, io: NodeCommandIo = stdoutIo): void {
  const node = program.command('node').description('Add, remove, stop, start and list the simulated nodes of a running cluster');
  node
    .command('add [name]')
    .description('Create simulated nodes (unnamed ones continue k8ts-worker, k8ts-worker2, …)')
    .option('--labels <k=v,…>', 'labels for the nodes')
    .option('--taints <key[=value]:Effect,…>', 'taints for the nodes')
    .option('--cpu <quantity>', 'cpu capacity', DEFAULT_CPU)
    .option('--memory <quantity>', 'memory capacity', DEFAULT_MEMORY)
    .option('--pods <n>', 'pod capacity', DEFAULT_PODS)
    .option('--count <n>', 'how many nodes to add', '1')
    .addOption(kubeconfigOption())
    .action(async (name: string | undefined, o: AddOptions & { kubeconfig?: string }) => {
      // Arguments are checked before connecting, so a bad one is reported even with no cluster.
      parseLabels(o.labels ?? '');
      parseTaints(o.taints ?? '');
      await withClient(o, (c) => addNodes(c, { ...o, name }, io));
    });
  node
    .command('remove <names...>')
    .alias('rm')
    .description('Delete nodes; their pods are removed as on a real cluster')
    .addOption(kubeconfigOption())
    .action(async (names: string[], o: { kubeconfig?: string }) => withClient(o, (c) => removeNodes(c, names, io)));
  node
    .command('stop <name>')
    .description("Stop a simulated node's agent: no heartbeats, no pod updates (a crashed kubelet)")
    .addOption(kubeconfigOption())
    .action(async (name: string, o: { kubeconfig?: string }) => withClient(o, (c) => setStopped(c, name, true, io)));
  node
    .command('start <name>')
    .description('Start a stopped simulated node again')
    .addOption(kubeconfigOption())
    .action(async (name: string, o: { kubeconfig?: string }) => withClient(o, (c) => setStopped(c, name, false, io)));
  node
    .command('list')
    .alias('ls')
    .description('List nodes with their status, roles and pod counts')
    .addOption(kubeconfigOption())
    .action(async (o: { kubeconfig?: string }) => withClient(o, (c) => listNodes(c, io)));
}
