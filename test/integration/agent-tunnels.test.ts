// Logs, exec and port-forward of pods on a remote agent's node, through the API server and the
// tunnels the agent opens to it (src/agent/tunnel-*.ts): the control plane served over HTTPS in
// process, an agent started with startAgent on a fake streaming runtime, driven by raw HTTPS and
// WebSocket requests and, when it is installed, the real pinned kubectl.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:https';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startAgent, type RunningAgent } from '../../src/agent/agent.ts';
import { TUNNEL_PATH, TUNNEL_SERVER_ANNOTATION, TUNNEL_UPGRADE } from '../../src/agent/tunnel-protocol.ts';
import { listenHttps } from '../../src/apiserver/https-server.ts';
import { streamingUpgrade } from '../../src/apiserver/streaming/upgrade.ts';
import { startControlPlane, type ControlPlane } from '../../src/cli/control-plane.ts';
import { writeKubeconfig } from '../../src/cli/kubeconfig.ts';
import { ensurePki } from '../../src/cli/pki.ts';
import { FakeStreamingRuntime } from '../fixtures/fake-streaming-runtime.ts';
import { freePort } from '../fixtures/registry.ts';
import { openBackend, type Backend } from '../../src/store/index.ts';
import { haveKubectl, kubectlBin, runKubectl } from '../fixtures/kubectl.ts';
import { eventually } from './helpers.ts';


let root: string;
let cp: ControlPlane;
let http: Awaited<ReturnType<typeof listenHttps>>;
let pki: Awaited<ReturnType<typeof ensurePki>>;
let agent: RunningAgent;
let fake: FakeStreamingRuntime;
let echo: Server;
let kubeconfig: string;
let serverA: string;
let backend: Backend;

const pods = () => cp.client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true });
const nodes = () => cp.client.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false });

/** A GET with the admin token; resolves once the answer is complete (or `until` has seen enough of it). */
function get(path: string, o: { token?: string; headers?: Record<string, string>; until?: (body: string) => boolean; port?: number } = {}): Promise<{ status: number; body: string; ended: boolean }> {
  return new Promise((resolve, reject) => {
    const r = request(`https://127.0.0.1:${o.port ?? http.port}${path}`, { ca: pki.caCertPem, headers: { authorization: `Bearer ${o.token ?? pki.token}`, ...o.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => {
        body += d;
        if (o.until?.(body)) {
          resolve({ status: res.statusCode!, body, ended: false });
          r.destroy();
        }
      });
      res.once('end', () => resolve({ status: res.statusCode!, body, ended: true }));
    });
    r.once('error', reject);
    r.end();
  });
}

/** A WebSocket to a pod subresource: its messages by channel once the server closes it. */
function channels(path: string, protocol: string, send: (ws: WebSocket) => void = () => {}): Promise<Map<number, Buffer>> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${http.port}${path}`, [protocol], { ca: pki.caCertPem, headers: { authorization: `Bearer ${pki.token}` } });
    const out = new Map<number, Buffer>();
    ws.on('message', (raw: Buffer) => out.set(raw[0]!, Buffer.concat([out.get(raw[0]!) ?? Buffer.alloc(0), raw.subarray(1)])));
    ws.once('open', () => send(ws));
    ws.once('close', () => resolve(out));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

const kubectl = (args: string[], input?: string) => runKubectl({ kubeconfig, home: root }, args, input);

async function runningPod(name: string, node = 'edge-1'): Promise<void> {
  await pods().create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeSelector: { 'kubernetes.io/hostname': node }, containers: [{ name: 'c', image: 'busybox' }] } });
  await eventually(async () => ((await pods().get('default', name)).status as { phase?: string }).phase === 'Running', { what: `pod ${name} Running`, timeoutMs: 15_000 });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'k8ts-tunnels-'));
  pki = await ensurePki(join(root, 'pki'));
  echo = createServer((s) => s.pipe(s));
  echo.listen(0, '127.0.0.1');
  await new Promise((r) => echo.once('listening', r));
  fake = new FakeStreamingRuntime({ ports: { 80: (echo.address() as AddressInfo).port } });
  // A dialable name, so that a second server on the same store can pass requests on to this one.
  const port = await freePort();
  serverA = `127.0.0.1:${port}`;
  backend = await openBackend('memory');
  cp = await startControlPlane({ backend, token: pki.token, caCertPem: pki.caCertPem, serverAddress: serverA });
  http = await listenHttps(cp.api, { cert: pki.certPem, key: pki.keyPem, port, onUpgrade: streamingUpgrade({ api: cp.api, pool: () => cp.pool, remote: cp.tunnels }) });
  kubeconfig = await writeKubeconfig({ dataDir: root, server: `https://127.0.0.1:${http.port}`, caCertPem: pki.caCertPem, token: pki.token });
  agent = await startAgent({ server: `https://127.0.0.1:${http.port}`, token: pki.token, nodes: ['edge-1'], runtime: fake });
  await eventually(() => agent.tunnels.connected(), { what: 'the agent tunnels open' });
  await runningPod('box');
});
afterAll(async () => {
  await agent?.stop();
  fake?.close();
  await http?.close();
  await cp?.stop();
  echo?.close();
});

describe('pods on a remote agent, through its tunnels', () => {
  it('serves logs, and records the server that holds the tunnels on the Node', async () => {
    const logs = await get('/api/v1/namespaces/default/pods/box/log');
    expect(logs.status).toBe(200);
    expect(logs.body).toContain('k8ts-sim: container c started (image busybox)');
    // The agent's own checks, answered as it answers them.
    const bad = await get('/api/v1/namespaces/default/pods/box/log?container=nope');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).message).toBe('container nope is not valid for pod box');
    await eventually(async () => (await nodes().get('', 'edge-1')).metadata.annotations?.[TUNNEL_SERVER_ANNOTATION] === serverA, { what: 'the tunnel server annotation' });
  });

  it('follows logs as they come, until the container ends', async () => {
    await runningPod('followed');
    let seen = '';
    let opened!: () => void;
    const streaming = new Promise<void>((r) => (opened = r));
    const followed = get('/api/v1/namespaces/default/pods/followed/log?follow=true', {
      until: (body) => {
        seen = body;
        if (body.includes('started')) opened();
        return false;
      },
    });
    await streaming;
    expect(seen).not.toContain('shutting down');
    await pods().delete('default', 'followed');
    const done = await followed;
    expect(done).toMatchObject({ status: 200, ended: true });
    expect(done.body).toMatch(/started[\s\S]*received SIGTERM, shutting down/);
  });

  it('execs with stdout and the exit code, over WebSocket channels', async () => {
    const out = await channels('/api/v1/namespaces/default/pods/box/exec?command=sh&command=-c&command=echo%20hi%3B%20exit%203&stdout=true&stderr=true', 'v5.channel.k8s.io');
    expect(out.get(1)?.toString()).toBe('hi\n');
    const status = JSON.parse(out.get(3)!.toString()) as { reason: string; details: { causes: { message: string }[] } };
    expect(status.reason).toBe('NonZeroExitCode');
    expect(status.details.causes[0]!.message).toBe('3');
    expect(fake.calls.at(-1)).toMatchObject({ op: 'exec', command: ['sh', '-c', 'echo hi; exit 3'] });
  });

  it('forwards a port over WebSocket channels', async () => {
    const out = await channels('/api/v1/namespaces/default/pods/box/portforward?ports=80', 'v4.channel.k8s.io', (ws) => {
      ws.once('message', () => ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('ping through the tunnel')])));
      let got = '';
      ws.on('message', (raw: Buffer) => {
        if (raw[0] === 0 && raw.length > 3) got += raw.subarray(1).toString();
        if (got === 'ping through the tunnel') ws.close();
      });
    });
    expect(out.get(0)!.subarray(2).toString()).toBe('ping through the tunnel');
  });

  it.skipIf(!haveKubectl)('kubectl logs and exec (stdin, stdout, exit code) reach the agent', async () => {
    const logs = await kubectl(['logs', 'box']);
    expect(logs.stderr).toBe('');
    expect(logs.stdout).toContain('k8ts-sim: container c started');
    const cat = await kubectl(['exec', '-i', 'box', '--', 'cat'], 'through the tunnel\n');
    expect(cat).toMatchObject({ code: 0, stdout: 'through the tunnel\n' });
    const failed = await kubectl(['exec', 'box', '--', 'sh', '-c', 'exit 7']);
    expect(failed.code).toBe(7);
  });

  it.skipIf(!haveKubectl)('kubectl port-forward reaches the pod port through the agent', async () => {
    const pf = spawn(kubectlBin, ['--kubeconfig', kubeconfig, 'port-forward', 'pod/box', ':80'], { env: { ...process.env, HOME: root, KUBECACHEDIR: join(root, 'cache') } });
    try {
      let printed = '';
      pf.stdout.on('data', (d: Buffer) => (printed += d.toString()));
      const local = await eventually(() => /Forwarding from 127\.0\.0\.1:(\d+) -> 80/.exec(printed)?.[1], { what: 'kubectl port-forward listening' });
      const answer = await new Promise<string>((resolve, reject) => {
        const s = connect(Number(local), '127.0.0.1', () => s.write('echo me'));
        let got = '';
        s.on('data', (d: Buffer) => {
          got += d.toString();
          if (got === 'echo me') {
            s.destroy();
            resolve(got);
          }
        });
        s.once('error', reject);
      });
      expect(answer).toBe('echo me');
    } finally {
      pf.kill('SIGTERM');
    }
  });

  it('passes requests for an agent connected to another server on to that server (logs, exec)', async () => {
    // A second API server on the same store, serving only: the agent's tunnels stay with the first.
    const shared = new Proxy(backend, { get: (t, p) => (p === 'close' ? async () => {} : typeof Reflect.get(t, p) === 'function' ? (Reflect.get(t, p) as (...a: unknown[]) => unknown).bind(t) : Reflect.get(t, p)) });
    const cpB = await startControlPlane({ backend: shared, token: pki.token, caCertPem: pki.caCertPem, serverAddress: '127.0.0.1:1', controllers: false });
    const httpB = await listenHttps(cpB.api, { cert: pki.certPem, key: pki.keyPem, port: 0, onUpgrade: streamingUpgrade({ api: cpB.api, pool: () => cpB.pool, remote: cpB.tunnels }) });
    try {
      const viaB = (path: string) => get(path, { port: httpB.port });
      const logs = await viaB('/api/v1/namespaces/default/pods/box/log');
      expect(logs.status).toBe(200);
      expect(logs.body).toContain('k8ts-sim: container c started (image busybox)');
      // The agent's own refusal comes back through both servers.
      const bad = await viaB('/api/v1/namespaces/default/pods/box/log?container=nope');
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.body).message).toBe('container nope is not valid for pod box');
      if (haveKubectl) {
        const kubeconfigB = await writeKubeconfig({ dataDir: mkdtempSync(join(tmpdir(), 'k8ts-kc-b-')), server: `https://127.0.0.1:${httpB.port}`, caCertPem: pki.caCertPem, token: pki.token });
        const exec = await runKubectl({ kubeconfig: kubeconfigB, home: root }, ['exec', 'box', '--', 'echo', 'through-b']);
        expect(exec.stdout).toContain('through-b');
      }
    } finally {
      await httpB.close();
      await cpB.stop();
    }
  });

  it('answers 503 naming a server it cannot reach, and refuses tunnels without node credentials', async () => {
    await nodes().create('', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'far-1', annotations: { 'node.k8ts.io/agent': 'elsewhere', [TUNNEL_SERVER_ANNOTATION]: 'server-b' } } });
    await pods().create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'far' }, spec: { nodeName: 'far-1', containers: [{ name: 'c', image: 'busybox' }] } });
    const far = await get('/api/v1/namespaces/default/pods/far/log');
    expect(far.status).toBe(503);
    expect(JSON.parse(far.body).message).toBe('the node agent of far-1 is connected to API server server-b, which cannot be dialled by that name: send the request to it');
    await nodes().patch('', 'far-1', 'merge', { metadata: { annotations: { [TUNNEL_SERVER_ANNOTATION]: '127.0.0.1:1' } } });
    const down = await get('/api/v1/namespaces/default/pods/far/log');
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body).message).toMatch(new RegExp(`^the node agent of far-1 is connected to API server 127\\.0\\.0\\.1:1, which this server \\(${serverA.replace(/\./g, '\\.')}\\) cannot reach: .*ECONNREFUSED`));
    // A request another server passed on is not passed on again.
    const looped = await get('/api/v1/namespaces/default/pods/far/log', { headers: { 'x-k8ts-forwarded-by': 'elsewhere' } });
    expect(looped.status).toBe(503);
    expect(JSON.parse(looped.body).message).toContain('send the request to 127.0.0.1:1');
    const refused = await get(TUNNEL_PATH, { headers: { connection: 'Upgrade', upgrade: TUNNEL_UPGRADE } });
    expect(refused.status).toBe(401);
  });

  it('opens its tunnels again when the server comes back', async () => {
    const port = http.port;
    await http.close();
    await eventually(() => !agent.tunnels.connected(), { what: 'the tunnels gone with the server' });
    http = await listenHttps(cp.api, { cert: pki.certPem, key: pki.keyPem, port, onUpgrade: streamingUpgrade({ api: cp.api, pool: () => cp.pool, remote: cp.tunnels }) });
    await eventually(() => agent.tunnels.connected(), { what: 'the tunnels open again', timeoutMs: 15_000 });
    expect((await get('/api/v1/namespaces/default/pods/box/log')).body).toContain('container c started');
  });
});
