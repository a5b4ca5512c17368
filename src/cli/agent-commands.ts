// `k8ts agent` (node agents in a process of their own, joined to a cluster with a token) and
// `k8ts token create|list|delete` (more join tokens, as kubeadm's bootstrap tokens).
import { hostname } from 'node:os';
import { Command } from 'commander';
import { startAgent } from '../agent/agent.ts';
import { BOOTSTRAP_PREFIX, BOOTSTRAP_TOKEN_TYPE, generateJoinToken, joinTokenSecret } from '../agent/join-tokens.ts';
import type { Client } from '../client/client.ts';
import { DEFAULT_CPU, DEFAULT_MEMORY, DEFAULT_PODS } from '../node/node-object.ts';
import { checkNodeName, checkQuantity, parseLabels, parseTaints, positiveInt, UsageError } from './node-args.ts';
import { kubeconfigOption, tableLines, withClient } from './node-commands.ts';

export interface AgentCommandOptions {
  server: string;
  token: string;
  name?: string;
  count: string;
  labels?: string;
  taints?: string;
  cpu: string;
  memory: string;
  pods: string;
  verbose?: boolean;
}

/** The node names an agent runs: --name, or --name-1 … --name-N with --count N. */
export function agentNodeNames(name: string, count: number): string[] {
  checkNodeName(name);
  if (count === 1) return [name];
  const names = Array.from({ length: count }, (_, i) => `${name}-${i + 1}`);
  names.forEach(checkNodeName);
  return names;
}

/** Parses a duration such as 24h, 90m, 30s or 0 (never expires); undefined means never. */
export function parseTtl(v: string): number | undefined {
  const m = /^(\d+)(s|m|h|d)?$/.exec(v.trim());
  if (!m) throw new UsageError(`--ttl must be a duration such as 24h, 30m or 0 (never expires), not "${v}"`);
  const n = Number(m[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 's') as 's']!;
  return n === 0 ? undefined : n;
}

const secretsOf = (c: Client) => c.resource({ apiVersion: 'v1', resource: 'secrets', namespaced: true });

export function registerAgentCommands(program: Command): void {
  program
    .command('agent')
    .description('Run node agents in this process, joined to a running cluster (as a k3s agent)')
    .requiredOption('--server <url>', 'the API server, https://host:port; several servers of the cluster separated by commas (the agent fails over between them)')
    .requiredOption('--token <token>', "a join token: a server's <data-dir>/token, or one from `k8ts token create`")
    .option('--name <node>', 'node name (with --count N: the prefix of <name>-1 … <name>-N)', hostname().toLowerCase())
    .option('--count <n>', 'how many nodes this agent runs', '1')
    .option('--labels <k=v,…>', 'labels for the nodes')
    .option('--taints <key[=value]:Effect,…>', 'taints for the nodes')
    .option('--cpu <quantity>', 'cpu capacity per node', DEFAULT_CPU)
    .option('--memory <quantity>', 'memory capacity per node', DEFAULT_MEMORY)
    .option('--pods <n>', 'pod capacity per node', DEFAULT_PODS)
    .option('-v, --verbose', 'log agent activity to stderr', false)
    .action(async (o: AgentCommandOptions) => {
      const nodes = agentNodeNames(o.name ?? hostname().toLowerCase(), positiveInt('--count', o.count));
      checkQuantity('--cpu', o.cpu);
      checkQuantity('--memory', o.memory);
      positiveInt('--pods', o.pods);
      const log = o.verbose ? (m: string) => process.stderr.write(`k8ts agent: ${m}\n`) : (m: string) => { if (/internal error/.test(m)) process.stderr.write(`k8ts agent: ${m}\n`); };
      const agent = await startAgent({
        server: o.server,
        token: o.token.trim(),
        nodes,
        node: { labels: parseLabels(o.labels ?? ''), taints: parseTaints(o.taints ?? ''), cpu: o.cpu, memory: o.memory, pods: o.pods },
        log,
      });
      process.stdout.write(`k8ts agent: joined ${o.server}; running ${nodes.length === 1 ? `node ${nodes[0]}` : `nodes ${nodes[0]} … ${nodes.at(-1)} (${nodes.length})`}\n`);
      const stop = async (signal: string) => {
        process.stdout.write(`k8ts agent: ${signal} received, stopping\n`);
        await agent.stop();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
    });

  const token = program.command('token').description('Join tokens for `k8ts agent` (bootstrap tokens in kube-system)');
  token
    .command('create')
    .description('Create a join token and print it')
    .option('--ttl <duration>', 'how long it stays valid (0: forever)', '24h')
    .option('--description <text>', 'what the token is for')
    .addOption(kubeconfigOption())
    .action(async (o: { ttl: string; description?: string; kubeconfig?: string }) => {
      const ttl = parseTtl(o.ttl);
      const value = generateJoinToken();
      await withClient(o, (c) => secretsOf(c).create('kube-system', joinTokenSecret(value, { expires: ttl === undefined ? undefined : Date.now() + ttl, description: o.description })));
      process.stdout.write(`${value}\n`);
    });
  token
    .command('list')
    .description('List join tokens with their expiry')
    .addOption(kubeconfigOption())
    .action(async (o: { kubeconfig?: string }) =>
      withClient(o, async (c) => {
        const rows = [['TOKEN ID', 'EXPIRES', 'DESCRIPTION']];
        for (const s of (await secretsOf(c).list('kube-system')).items) {
          if ((s as { type?: string }).type !== BOOTSTRAP_TOKEN_TYPE) continue;
          const data = (s as { data?: Record<string, string> }).data ?? {};
          const field = (k: string) => (data[k] ? Buffer.from(data[k], 'base64').toString('utf8') : '');
          rows.push([field('token-id'), field('expiration') || '<never>', field('description')]);
        }
        for (const line of tableLines(rows)) process.stdout.write(`${line}\n`);
      }),
    );
  token
    .command('delete <id>')
    .description('Delete a join token (agents that joined with it keep their credentials)')
    .addOption(kubeconfigOption())
    .action(async (id: string, o: { kubeconfig?: string }) =>
      withClient(o, async (c) => {
        const tokenId = id.split('.')[0]!;
        if ((await secretsOf(c).delete('kube-system', `${BOOTSTRAP_PREFIX}${tokenId}`)) === undefined) throw new Error(`no join token with id "${tokenId}"`);
        process.stdout.write(`token ${tokenId} deleted\n`);
      }),
    );
}

