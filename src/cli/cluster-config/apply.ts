// `k8ts up --config FILE` and `k8ts config apply FILE`: the file's settings become `up`'s options
// (flags given on the command line win), its nodes the ones a new cluster starts with, and on a
// running cluster `config apply` converges the nodes, printing each change as kubectl does.
import { readFileSync } from 'node:fs';
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta/types.ts';
import type { Client } from '../../client/client.ts';
import { nextNodeIndex } from '../../node/node-object.ts';
import { nodeCapacity } from '../../node/node-status.ts';
import { parseClusterConfig, type ClusterConfig } from './parse.ts';
import { nodeObjectFor, planNodes } from './plan.ts';

export function readClusterConfig(path: string): ClusterConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read cluster config ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return parseClusterConfig(text, path);
}

/** `up` options the file sets, for those not given as flags (`given` says which were). */
export function upOptionsFrom(c: ClusterConfig, given: (flag: string) => boolean): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const set = (flag: string, v: unknown) => {
    if (v !== undefined && !given(flag)) o[flag] = v;
  };
  set('name', c.name);
  set('host', c.networking.apiServerAddress);
  set('port', c.networking.apiServerPort);
  set('dnsPort', c.networking.dnsPort);
  set('clusterDomain', c.networking.dnsDomain);
  set('serviceCidr', c.networking.serviceSubnet);
  set('datastore', c.datastore);
  set('runtime', c.runtime);
  set('timeScale', c.timeScale);
  set('scheduleOnControlPlane', c.features.scheduleOnControlPlane);
  return o;
}

/** The nodes a new cluster starts with, made from the file (undefined: the default set). */
export function customNodes(c: ClusterConfig, scheduleOnControlPlane: boolean): { name: string; object: (index: number) => KubeObject }[] | undefined {
  return c.nodes?.map((n) => ({ name: n.name, object: (index: number) => nodeObjectFor(n, index, scheduleOnControlPlane) }));
}

const NODES = { apiVersion: 'v1', resource: 'nodes', namespaced: false } as const;

/** Converges the running cluster's nodes to the file; returns the lines it printed. */
export async function applyClusterConfig(client: Client, c: ClusterConfig, o: { dryRun?: boolean; out?: (l: string) => void } = {}): Promise<string[]> {
  const lines: string[] = [];
  const say = (l: string) => {
    lines.push(l);
    o.out?.(l);
  };
  const dry = o.dryRun ? ' (dry run)' : '';
  if (!c.nodes) {
    say('the file lists no nodes: the nodes are left as they are');
    return lines;
  }
  const api = client.resource(NODES);
  const existing = [...(await api.list()).items];
  const plan = planNodes(c.nodes, existing, c.features.scheduleOnControlPlane ?? false);
  for (const name of plan.remove) {
    if (!o.dryRun) await api.delete('', name).catch((e: unknown) => {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
    });
    say(`node/${name} deleted${dry}`);
  }
  for (const n of plan.create) {
    const obj = nodeObjectFor(n, nextNodeIndex(existing), c.features.scheduleOnControlPlane ?? false);
    if (!o.dryRun) {
      const created = await api.create('', obj);
      existing.push(created);
      const resources = nodeCapacity(created);
      // The agent posts the full status when it starts serving the node; this one may lose to it.
      await api.updateStatus('', { ...created, status: { capacity: resources, allocatable: resources } }).catch((e: unknown) => {
        if (!(e instanceof ApiError && e.code === 409)) throw e;
      });
    } else existing.push(obj);
    say(`node/${n.name} created${dry}`);
  }
  for (const ch of plan.change) {
    if (!o.dryRun) {
      const patched = await api.patch('', ch.name, 'merge', ch.patch);
      // The node reports a new capacity at once rather than at its next status report.
      if (ch.what.includes('capacity changed')) {
        const resources = nodeCapacity(patched);
        await api.patch('', ch.name, 'merge', { status: { capacity: resources, allocatable: resources } }, { subresource: 'status' }).catch(() => undefined);
      }
    }
    say(`node/${ch.name} ${ch.what.join(', ')}${dry}`);
  }
  for (const name of plan.unchanged) say(`node/${name} unchanged`);
  const fixed = [c.networking.apiServerAddress, c.networking.apiServerPort, c.networking.dnsPort, c.networking.dnsDomain, c.networking.serviceSubnet, c.datastore, c.runtime, c.timeScale].some((v) => v !== undefined);
  if (fixed) say('networking, datastore, runtime and timeScale are set when a cluster starts: they take effect at its next `k8ts up --config` (ports, datastore and CIDRs stay for its life)');
  return lines;
}
