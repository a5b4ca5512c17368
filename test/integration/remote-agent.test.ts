// Remote node agents over HTTPS: joining with the cluster token or a created join token, running
// pods on their node, and held by NodeRestriction to their own node, lease and pods.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/meta/types.ts';
import { startAgent, type RunningAgent } from '../../src/agent/agent.ts';
import { generateJoinToken, joinTokenSecret } from '../../src/agent/join-tokens.ts';
import { issueNodeToken } from '../../src/agent/node-credentials.ts';
import { listenHttps } from '../../src/apiserver/https-server.ts';
import { startControlPlane, type ControlPlane } from '../../src/cli/control-plane.ts';
import { ensurePki } from '../../src/cli/pki.ts';
import { Client } from '../../src/client/client.ts';
import { httpsTransport } from '../../src/client/https-transport.ts';
import { eventually } from './helpers.ts';

let cp: ControlPlane;
let http: Awaited<ReturnType<typeof listenHttps>>;
let pki: Awaited<ReturnType<typeof ensurePki>>;
let server: string;
const agents: RunningAgent[] = [];
const closers: (() => void)[] = [];

const ready = (n: KubeObject | undefined) => ((n?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

function clientAs(token: string): Client {
  const t = httpsTransport({ server, caPem: pki.caCertPem, token });
  closers.push(() => t.close());
  return new Client(t);
}

beforeAll(async () => {
  pki = await ensurePki(mkdtempSync(join(tmpdir(), 'k8ts-agent-')));
  cp = await startControlPlane({ datastore: 'memory', token: pki.token, caCertPem: pki.caCertPem });
  http = await listenHttps(cp.api, { cert: pki.certPem, key: pki.keyPem, port: 0 });
  server = `https://127.0.0.1:${http.port}`;
});
afterAll(async () => {
  for (const a of agents) await a.stop();
  for (const c of closers) c();
  await http.close();
  await cp.stop();
});

describe('remote node agents', () => {
  const nodes = () => cp.client.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false });
  const pods = () => cp.client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true });

  it('joins with the cluster token, gets a pod CIDR, turns Ready and runs the pods scheduled to it', async () => {
    agents.push(await startAgent({ server, token: pki.token, nodes: ['edge-1'] }));
    const node = await eventually(async () => {
      const n = await nodes().find('', 'edge-1');
      return ready(n) ? n : undefined;
    }, { what: 'edge-1 Ready' });
    expect((node.spec as { podCIDR?: string }).podCIDR).toMatch(/^10\.244\.\d+\.0\/24$/);
    expect(node.metadata.annotations?.['node.k8ts.io/simulated']).toBeUndefined();
    await pods().create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'on-edge' }, spec: { nodeSelector: { 'kubernetes.io/hostname': 'edge-1' }, containers: [{ name: 'c', image: 'busybox' }] } });
    const pod = await eventually(async () => {
      const p = await pods().get('default', 'on-edge');
      return (p.status as { phase?: string }).phase === 'Running' ? p : undefined;
    }, { what: 'the pod Running on edge-1' });
    expect((pod.spec as { nodeName?: string }).nodeName).toBe('edge-1');
    // The status came from edge-1's own credential: the control plane runs no agent for it.
    expect(cp.pool?.agent('edge-1')).toBeUndefined();
  });

  it('holds a node to its own Node, Lease and pods', async () => {
    const edge = clientAs(issueNodeToken(pki.token, 'edge-1'));
    const other = clientAs(issueNodeToken(pki.token, 'edge-2'));
    const forbidden = async (p: Promise<unknown>) => {
      const e = await p.then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).code).toBe(403);
      return (e as ApiError).message;
    };
    const edgeNode = await edge.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false }).get('', 'edge-1');
    // Another node may read it, not write it.
    expect(await forbidden(other.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false }).updateStatus('', edgeNode))).toBe('nodes "edge-1" is forbidden: node "edge-2" is not allowed to modify node "edge-1"');
    await forbidden(other.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false }).create('', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'edge-9' } }));
    const pod = await edge.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true }).get('default', 'on-edge');
    await forbidden(other.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true }).updateStatus('default', pod));
    await forbidden(other.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true }).delete('default', 'on-edge'));
    await forbidden(edge.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true }).create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sneaky' }, spec: { containers: [{ name: 'c', image: 'x' }] } }));
    await forbidden(edge.resource({ apiVersion: 'apps/v1', resource: 'deployments', namespaced: true }).list('default'));
    // Nor may it touch the controllers' leadership.
    await forbidden(edge.resource({ apiVersion: 'coordination.k8s.io/v1', resource: 'leases', namespaced: true }).list('kube-system'));
    // Its own pod's status is its to write.
    await edge.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true }).updateStatus('default', pod);
    // A forged credential is no credential.
    const forged = clientAs(`${issueNodeToken(pki.token, 'edge-1').slice(0, -4)}AAAA`);
    const e = await forged.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false }).list().catch((err: unknown) => err);
    expect((e as ApiError).code).toBe(401);
  });

  it('joins with a created join token; a wrong, unknown or expired one is refused with what to do', async () => {
    const secrets = cp.client.resource({ apiVersion: 'v1', resource: 'secrets', namespaced: true });
    const good = generateJoinToken();
    await secrets.create('kube-system', joinTokenSecret(good, { expires: Date.now() + 3_600_000 }));
    const expired = generateJoinToken();
    await secrets.create('kube-system', joinTokenSecret(expired, { expires: Date.now() - 1000 }));
    await expect(startAgent({ server, token: 'not-the-token', nodes: ['edge-x'] })).rejects.toThrow(/could not prove it knows the join token/);
    await expect(startAgent({ server, token: generateJoinToken(), nodes: ['edge-x'] })).rejects.toThrow(/does not know this join token/);
    await expect(startAgent({ server, token: expired, nodes: ['edge-x'] })).rejects.toThrow(/does not know this join token/);
    agents.push(await startAgent({ server, token: good, nodes: ['edge-2', 'edge-3'] }));
    await eventually(async () => ready(await nodes().find('', 'edge-2')) && ready(await nodes().find('', 'edge-3')), { what: 'edge-2 and edge-3 Ready' });
    const cidrs = new Set((await nodes().list()).items.map((n) => (n.spec as { podCIDR?: string }).podCIDR));
    expect(cidrs.size).toBe((await nodes().list()).items.length);
  });
});
