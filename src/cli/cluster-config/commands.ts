// `k8ts config apply FILE`: the running cluster (through its kubeconfig) converges to the file.
import type { Command } from 'commander';
import { kubeconfigOption, withClient } from '../node-commands.ts';
import { applyClusterConfig, readClusterConfig } from './apply.ts';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('Cluster config files (apiVersion: k8ts.io/v1alpha1, kind: Cluster)');
  config
    .command('apply <file>')
    .description('Converge the running cluster to a changed config file: nodes added, removed, relabelled, retainted, resized; prints each change')
    .addOption(kubeconfigOption())
    .option('--dry-run', 'print what would change, change nothing', false)
    .action(async (file: string, o: { kubeconfig?: string; dryRun: boolean }) => {
      const c = readClusterConfig(file);
      await withClient(o, (client) => applyClusterConfig(client, c, { dryRun: o.dryRun, out: (l) => process.stdout.write(`${l}\n`) }));
    });
}
