// `k8ts node …` against a real HTTPS listener, reached through a kubeconfig file as from another
// terminal. Commands are parsed by commander exactly as main.ts does.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenHttps } from '../../src/apiserver/https-server.ts';
import { startControlPlane, type ControlPlane } from '../../src/cli/control-plane.ts';
import { renderKubeconfig } from '../../src/cli/kubeconfig.ts';
import { registerNodeCommands } from '../../src/cli/node-commands.ts';
import { ensurePki } from '../../src/cli/pki.ts';
import type { ResourceClient } from '../../src/client/client.ts';

let cp: ControlPlane;
let http: Awaited<ReturnType<typeof listenHttps>>;
let kubeconfig: string;
let nodes: ResourceClient;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-node-cli-'));
  const pki = await ensurePki(dir);
  cp = await startControlPlane({ datastore: 'memory', token: pki.token, controllers: false });
  http = await listenHttps(cp.api, { cert: pki.certPem, key: pki.keyPem, port: 0 });
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, renderKubeconfig({ server: `https://127.0.0.1:${http.port}`, caCertPem: pki.caCertPem, token: pki.token }));
  nodes = cp.client.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false });
  for (const name of ['k8ts-control-plane', 'k8ts-worker', 'k8ts-worker2']) await nodes.create('', { apiVersion: 'v1', kind: 'Node', metadata: { name } });
});
afterAll(async () => {
  await http.close();
  await cp.stop();
});

/** Runs `k8ts node <args>`; resolves with its output lines, or the error it ends with. */
async function k8ts(...args: string[]): Promise<{ out: string[]; error?: string }> {
  const out: string[] = [];
  const program = new Command('k8ts').exitOverride();
  registerNodeCommands(program, { out: (l) => out.push(l) });
  try {
    await program.parseAsync(['node', 'k8ts', 'node', ...args, '--kubeconfig', kubeconfig]);
    return { out };
  } catch (e) {
    return { out, error: (e as Error).message };
  }
}

describe('k8ts node', () => {
  it('adds named and unnamed simulated nodes with labels, taints and capacity', async () => {
    expect(await k8ts('add', '--count', '2', '--labels', 'disktype=ssd', '--taints', 'dedicated=db:NoSchedule', '--cpu', '4', '--memory', '8Gi')).toEqual({
      out: ['node/k8ts-worker3 created', 'node/k8ts-worker4 created'],
    });
    const w3 = await nodes.get('', 'k8ts-worker3');
    expect(w3.metadata.annotations?.['node.k8ts.io/simulated']).toBe('true');
    expect(w3.metadata.labels).toMatchObject({ disktype: 'ssd', 'kubernetes.io/hostname': 'k8ts-worker3' });
    expect((w3.spec as { taints: unknown[] }).taints).toEqual([{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]);
    expect((w3.status as { capacity: unknown }).capacity).toEqual({ cpu: '4', memory: '8Gi', pods: '110' });
    expect(await k8ts('add', 'big', '--pods', '250')).toEqual({ out: ['node/big created'] });
    expect((await nodes.get('', 'big')).status).toMatchObject({ allocatable: { pods: '250', cpu: '8', memory: '16Gi' } });
  });

  it('refuses a bad taint or label and writes nothing', async () => {
    const before = (await nodes.list()).items.length;
    expect((await k8ts('add', '--taints', 'dedicated=db:NoScheduel')).error).toBe('invalid taint "dedicated=db:NoScheduel": effect must be one of NoSchedule, PreferNoSchedule, NoExecute');
    expect((await k8ts('add', '--labels', 'nope')).error).toBe('invalid label "nope": expected key=value');
    expect((await k8ts('add', 'big')).error).toBe('node "big" already exists');
    expect((await nodes.list()).items.length).toBe(before);
  });

  it('stops, starts, lists and removes', async () => {
    expect(await k8ts('stop', 'k8ts-worker3')).toEqual({ out: ['node/k8ts-worker3 stopped'] });
    expect((await nodes.get('', 'k8ts-worker3')).metadata.annotations?.['node.k8ts.io/stopped']).toBe('true');
    const list = await k8ts('list');
    expect(list.out[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+SIMULATED\s+PODS$/);
    expect(list.out.find((l) => l.startsWith('k8ts-worker3 '))).toMatch(/^k8ts-worker3\s+Unknown\s+<none>\s+yes \(stopped\)\s+0$/);
    expect(await k8ts('start', 'k8ts-worker3')).toEqual({ out: ['node/k8ts-worker3 started'] });
    expect((await nodes.get('', 'k8ts-worker3')).metadata.annotations?.['node.k8ts.io/stopped']).toBeUndefined();
    expect((await k8ts('stop', 'k8ts-worker')).error).toBe('node "k8ts-worker" is not a simulated node');
    expect(await k8ts('remove', 'k8ts-worker4', 'ghost')).toEqual({ out: ['node "k8ts-worker4" deleted'], error: 'node "ghost" not found' });
    expect(await nodes.find('', 'k8ts-worker4')).toBeUndefined();
    expect((await k8ts('start', 'ghost')).error).toBe('node "ghost" not found');
  });
});
