// pods/exec, pods/attach and pods/portforward end to end: the control plane and its HTTPS
// server in process, with a fake streaming runtime (test/fixtures/fake-streaming-runtime.ts),
// driven by the real pinned kubectl (.tools/bin/kubectl, `npm run clients`), by
// @kubernetes/client-node, and by raw WebSockets for the server's own answers.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { listenHttps } from '../../src/apiserver/https-server.ts';
import { streamingUpgrade } from '../../src/apiserver/streaming/upgrade.ts';
import { startControlPlane, type ControlPlane } from '../../src/cli/control-plane.ts';
import { writeKubeconfig } from '../../src/cli/kubeconfig.ts';
import { ensurePki, type Pki } from '../../src/cli/pki.ts';
import { FakeStreamingRuntime } from '../fixtures/fake-streaming-runtime.ts';
import { haveKubectl, kubectlBin, runKubectl, type KubectlRun } from '../fixtures/kubectl.ts';
import { eventually } from './helpers.ts';


interface Cluster {
  cp: ControlPlane;
  http: Awaited<ReturnType<typeof listenHttps>>;
  server: string;
  kubeconfig: string;
  stop(): Promise<void>;
}

let root: string;
let pki: Pki;
let fake: FakeStreamingRuntime;
let c: Cluster;
let web: Server;
/** What the upgrade handler logged (one line per upgrade). */
const upgrades: string[] = [];

async function startCluster(name: string, runtime?: FakeStreamingRuntime): Promise<Cluster> {
  const dataDir = join(root, name);
  mkdirSync(dataDir, { recursive: true });
  const cp = await startControlPlane({ datastore: 'memory', token: pki.token, runtime, defaultNodes: { workers: 1, scheduleOnControlPlane: false } });
  const http = await listenHttps(cp.api, { cert: pki.certPem, key: pki.keyPem, port: 0, onUpgrade: streamingUpgrade({ api: cp.api, pool: () => cp.pool, log: (m) => upgrades.push(m) }) });
  const server = `https://127.0.0.1:${http.port}`;
  const kubeconfig = await writeKubeconfig({ dataDir, server, caCertPem: pki.caCertPem, token: pki.token });
  return {
    cp,
    http,
    server,
    kubeconfig,
    stop: async () => {
      await http.close();
      await cp.stop();
    },
  };
}

const kubectl = (cluster: Cluster, args: string[], input?: string, env: Record<string, string> = {}): Promise<KubectlRun> => runKubectl({ kubeconfig: cluster.kubeconfig, home: root, env }, args, input);

async function createPod(cluster: Cluster, name: string, spec: Record<string, unknown>): Promise<void> {
  const pods = cluster.cp.client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true });
  await pods.create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec });
}

async function waitRunning(cluster: Cluster, name: string): Promise<void> {
  const pods = cluster.cp.client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true });
  await eventually(async () => ((await pods.get('default', name)).status as { phase?: string } | undefined)?.phase === 'Running', { what: `pod ${name} running`, timeoutMs: 15_000 });
}

/** A raw WebSocket upgrade: resolves with the open socket, or with the refusal's status and body. */
function openWs(path: string, opts: { token?: string | null; protocols?: string[] } = {}): Promise<{ ws?: WebSocket; status?: number; body?: string; protocol?: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? pki.token}`;
    const ws = new WebSocket(`wss://127.0.0.1:${c.http.port}${path}`, opts.protocols ?? ['v5.channel.k8s.io', 'v4.channel.k8s.io'], { ca: pki.caCertPem, headers });
    ws.once('open', () => resolve({ ws, protocol: ws.protocol }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    ws.once('error', reject);
  });
}

/** Collects channel messages until the server closes the socket. */
function collect(ws: WebSocket): Promise<Map<number, Buffer>> {
  const out = new Map<number, Buffer>();
  ws.on('message', (raw: Buffer) => out.set(raw[0]!, Buffer.concat([out.get(raw[0]!) ?? Buffer.alloc(0), raw.subarray(1)])));
  return new Promise((resolve) => ws.once('close', () => resolve(out)));
}

const EXEC = '/api/v1/namespaces/default/pods/box/exec';

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'k8ts-streaming-'));
  pki = await ensurePki(join(root, 'pki'));
  web = createServer((req, res) => res.end(`hello from ${req.url}\n`));
  web.listen(0, '127.0.0.1');
  await new Promise((r) => web.once('listening', r));
  fake = new FakeStreamingRuntime({ ports: { 80: (web.address() as AddressInfo).port } });
  c = await startCluster('fake', fake);
  await createPod(c, 'box', { containers: [{ name: 'main', image: 'busybox', stdin: true }] });
  await createPod(c, 'two', { containers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'busybox' }] });
  await waitRunning(c, 'box');
  await waitRunning(c, 'two');
}, 60_000);

afterAll(async () => {
  await c?.stop();
  fake?.close();
  web?.close();
  rmSync(root, { recursive: true, force: true });
});

describe.runIf(haveKubectl)('kubectl exec', () => {
  it('prints the command output', async () => {
    upgrades.length = 0;
    const r = await kubectl(c, ['exec', 'box', '--', 'echo', 'hi']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('hi\n');
    expect(r.code).toBe(0);
    expect(upgrades).toEqual(['exec default/box over WebSocket v5.channel.k8s.io']);
  });

  it('separates stderr and propagates the exit code', async () => {
    const r = await kubectl(c, ['exec', 'box', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toContain('err\n');
    expect(r.stderr).toContain('command terminated with exit code 3');
    expect(r.code).toBe(3);
  });

  it('feeds stdin with -i and ends it at EOF', async () => {
    const r = await kubectl(c, ['exec', '-i', 'box', '--', 'cat'], 'line one\nline two\n');
    expect(r.stdout).toBe('line one\nline two\n');
    expect(r.code).toBe(0);
  });

  it('runs in the container asked for with -c', async () => {
    const r = await kubectl(c, ['exec', 'two', '-c', 'b', '--', 'echo', 'from b']);
    expect(r.stdout).toBe('from b\n');
    const call = fake.calls.at(-1)!;
    const pod = await c.cp.client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true }).get('default', 'two');
    const statuses = (pod.status as { containerStatuses: { name: string; containerID: string }[] }).containerStatuses;
    expect(call.id).toBe(statuses.find((s) => s.name === 'b')!.containerID);
  });

  it('reports a command that cannot start', async () => {
    const r = await kubectl(c, ['exec', 'box', '--', '/no/such/command']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('failed to exec in container');
  });

  it('refuses a container that is not running, as the kubelet does', async () => {
    const pods = c.cp.client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true });
    await pods.create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'slow', annotations: { 'sim.k8ts.io/start-seconds': '600' } }, spec: { containers: [{ name: 'main', image: 'busybox' }] } });
    await eventually(async () => ((await pods.get('default', 'slow')).spec as { nodeName?: string }).nodeName, { what: 'slow scheduled' });
    const r = await kubectl(c, ['exec', 'slow', '--', 'true']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unable to upgrade connection: container not found ("main")');
  });

  it('refuses a pod that is not there', async () => {
    const r = await kubectl(c, ['exec', 'nope', '--', 'true']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('pods "nope" not found');
  });
});

describe.runIf(haveKubectl)('kubectl exec over SPDY (KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false)', () => {
  const spdy = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' };

  it('prints output and propagates the exit code', async () => {
    upgrades.length = 0;
    const r = await kubectl(c, ['exec', 'box', '--', 'sh', '-c', 'echo out; echo err >&2; exit 4'], undefined, spdy);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toContain('err\n');
    expect(r.stderr).toContain('command terminated with exit code 4');
    expect(r.code).toBe(4);
    expect(upgrades).toEqual(['exec default/box over SPDY/3.1']);
  });

  it('feeds stdin to EOF', async () => {
    const r = await kubectl(c, ['exec', '-i', 'box', '--', 'cat'], 'over spdy\n', spdy);
    expect(r.stdout).toBe('over spdy\n');
    expect(r.code).toBe(0);
  });
});

describe('exec over raw WebSockets', () => {
  it('negotiates v5 and ends with a Success status on channel 3', async () => {
    const { ws, protocol } = await openWs(`${EXEC}?command=echo&command=raw&stdout=true`);
    expect(protocol).toBe('v5.channel.k8s.io');
    const out = await collect(ws!);
    expect(out.get(1)!.toString()).toBe('raw\n');
    expect(JSON.parse(out.get(3)!.toString())).toMatchObject({ status: 'Success' });
  });

  it('reports a non-zero exit as NonZeroExitCode with an ExitCode cause', async () => {
    const { ws } = await openWs(`${EXEC}?command=sh&command=-c&command=exit%207&stdout=true`);
    const status = JSON.parse((await collect(ws!)).get(3)!.toString());
    expect(status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '7' }] } });
  });

  it('speaks the base64 protocol', async () => {
    const { ws, protocol } = await openWs(`${EXEC}?command=echo&command=b64&stdout=true`, { protocols: ['v4.base64.channel.k8s.io'] });
    expect(protocol).toBe('v4.base64.channel.k8s.io');
    const texts: string[] = [];
    ws!.on('message', (m: Buffer) => texts.push(m.toString()));
    await new Promise((r) => ws!.once('close', r));
    const stdout = texts.filter((t) => t[0] === '1').map((t) => Buffer.from(t.slice(1), 'base64').toString()).join('');
    expect(stdout).toBe('b64\n');
  });

  it('passes terminal resizes to the session', async () => {
    const { ws } = await openWs(`${EXEC}?command=sleep&command=0.3&stdin=true&tty=true&stdout=true`);
    ws!.send(Buffer.concat([Buffer.from([4]), Buffer.from(JSON.stringify({ Width: 120, Height: 40 }))]));
    await collect(ws!);
    expect(fake.calls.at(-1)!.resizes).toEqual([[120, 40]]);
  });

  it('answers an unauthenticated upgrade with 401', async () => {
    const r = await openWs(`${EXEC}?command=true&stdout=true`, { token: null });
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body!)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });

  it('refuses before upgrading, as the apiserver and kubelet do', async () => {
    const noStreams = await openWs(`${EXEC}?command=true`);
    expect(noStreams).toMatchObject({ status: 400, body: 'you must specify at least 1 of stdin, stdout, stderr' });
    const badContainer = await openWs(`${EXEC}?command=true&stdout=true&container=nope`);
    expect(badContainer.status).toBe(400);
    expect(JSON.parse(badContainer.body!)).toMatchObject({ reason: 'BadRequest', message: 'container nope is not valid for pod box' });
    const choose = await openWs('/api/v1/namespaces/default/pods/two/exec?command=true&stdout=true');
    expect(JSON.parse(choose.body!).message).toBe('a container name must be specified for pod two, choose one of: [a b]');
    const missing = await openWs('/api/v1/namespaces/default/pods/ghost/exec?command=true&stdout=true');
    expect(missing.status).toBe(404);
  });
});

/** Starts `kubectl port-forward`, resolves with the local port once it forwards, and a stop function. */
async function portForward(cluster: Cluster, args: string[], env: Record<string, string> = {}): Promise<{ port: number; stop(): Promise<string> }> {
  const child = spawn(kubectlBin, ['--kubeconfig', cluster.kubeconfig, 'port-forward', ...args], { env: { ...process.env, HOME: root, ...env } });
  let out = '';
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('close', () => reject(new Error(`kubectl port-forward ended: ${out}`)));
  });
  return {
    port,
    stop: () =>
      new Promise((resolve) => {
        child.once('close', () => resolve(out));
        child.kill('SIGINT');
      }),
  };
}

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    }).once('error', reject);
  });
}

describe.runIf(haveKubectl)('kubectl port-forward', () => {
  it('forwards HTTP through SPDY tunnelled over WebSocket', async () => {
    upgrades.length = 0;
    const pf = await portForward(c, ['pod/box', '0:80']);
    try {
      expect(await httpGet(pf.port, '/one')).toEqual({ status: 200, body: 'hello from /one\n' });
      // Each connection is a new stream pair on the same session.
      expect(await httpGet(pf.port, '/two')).toEqual({ status: 200, body: 'hello from /two\n' });
    } finally {
      await pf.stop();
    }
    expect(upgrades).toEqual(['portforward default/box over WebSocket SPDY/3.1+portforward.k8s.io']);
  });

  it('forwards over a direct SPDY/3.1 upgrade', async () => {
    upgrades.length = 0;
    const pf = await portForward(c, ['pod/box', '0:80'], { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' });
    try {
      expect(await httpGet(pf.port, '/spdy')).toEqual({ status: 200, body: 'hello from /spdy\n' });
    } finally {
      await pf.stop();
    }
    expect(upgrades).toEqual(['portforward default/box over SPDY/3.1']);
  });

  it('reports a port nothing listens on', async () => {
    const pf = await portForward(c, ['pod/box', '0:81']);
    const failed = await httpGet(pf.port, '/').catch((e: Error) => e);
    expect(failed).toBeInstanceOf(Error);
    const out = await pf.stop();
    expect(out).toContain('error forwarding port 81 to pod box');
  });
});

describe('port-forward over channel WebSockets', () => {
  it('prefixes each channel with its port and carries the data', async () => {
    const { ws, protocol } = await openWs('/api/v1/namespaces/default/pods/box/portforward?ports=80', { protocols: ['v4.channel.k8s.io'] });
    expect(protocol).toBe('v4.channel.k8s.io');
    const got: Buffer[] = [];
    ws!.on('message', (m: Buffer) => got.push(m));
    ws!.send(Buffer.concat([Buffer.from([0]), Buffer.from('GET /ws HTTP/1.0\r\n\r\n')]));
    await new Promise((r) => ws!.once('close', r));
    expect(got[0]).toEqual(Buffer.from([0, 80, 0]));
    expect(got[1]).toEqual(Buffer.from([1, 80, 0]));
    const data = Buffer.concat(got.slice(2).filter((m) => m[0] === 0).map((m) => m.subarray(1))).toString();
    expect(data).toContain('hello from /ws');
  });

  it('wants ports', async () => {
    const r = await openWs('/api/v1/namespaces/default/pods/box/portforward', { protocols: ['v4.channel.k8s.io'] });
    expect(r).toMatchObject({ status: 400, body: 'query parameter "port" is required' });
  });
});

describe.runIf(haveKubectl)('kubectl attach and cp', () => {
  it('attaches to the main process with -i', async () => {
    const r = await kubectl(c, ['attach', '-i', 'box'], 'ping\n');
    expect(r.stdout).toContain('ping\n');
    expect(r.code).toBe(0);
    expect(fake.calls.at(-1)).toMatchObject({ op: 'attach', options: { stdin: true, stdout: true } });
  });

  it('copies a file into the container and back (exec with tar)', async () => {
    const src = join(root, 'cp-src.txt');
    const dir = join(root, 'cp-container');
    mkdirSync(dir);
    writeFileSync(src, 'copied through exec\n');
    const into = await kubectl(c, ['cp', src, `box:${dir}/inside.txt`]);
    expect(into.stderr).toBe('');
    expect(readFileSync(join(dir, 'inside.txt'), 'utf8')).toBe('copied through exec\n');
    const back = join(root, 'cp-back.txt');
    const out = await kubectl(c, ['cp', `box:${dir}/inside.txt`, back]);
    expect(out.code).toBe(0);
    expect(readFileSync(back, 'utf8')).toBe('copied through exec\n');
  });
});

describe('@kubernetes/client-node', () => {
  async function kubeConfig() {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    return kc;
  }

  it('Exec streams output and reports the exit status', async () => {
    const { Exec } = await import('@kubernetes/client-node');
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exec = new Exec(await kubeConfig());
    const status = await new Promise<{ status?: string; reason?: string; details?: { causes?: { message?: string }[] } }>((resolve, reject) => {
      exec.exec('default', 'box', 'main', ['sh', '-c', 'echo to-out; echo to-err >&2; exit 2'], stdout, stderr, null, false, resolve).catch(reject);
    });
    expect(out).toBe('to-out\n');
    expect(err).toBe('to-err\n');
    expect(status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ message: '2' }] } });
  });

  it('PortForward carries a connection to the pod port', async () => {
    const { PortForward } = await import('@kubernetes/client-node');
    const output = new PassThrough();
    const input = new PassThrough();
    let got = '';
    output.on('data', (d: Buffer) => (got += d.toString()));
    const ws = (await new PortForward(await kubeConfig()).portForward('default', 'box', [80], output, null, input)) as WebSocket;
    input.write('GET /client-node HTTP/1.0\r\n\r\n');
    await eventually(() => got.includes('hello from /client-node'), { what: 'the forwarded answer' });
    ws.close();
  });
});

describe.runIf(haveKubectl)('a runtime without streaming', () => {
  let sim: Cluster;
  beforeAll(async () => {
    sim = await startCluster('simulated');
    await createPod(sim, 'quiet', { containers: [{ name: 'main', image: 'busybox' }] });
    await waitRunning(sim, 'quiet');
  }, 60_000);
  afterAll(async () => {
    await sim?.stop();
  });

  it('answers exec and port-forward with the runtime message', async () => {
    const exec = await kubectl(sim, ['exec', 'quiet', '--', 'true']);
    expect(exec.code).toBe(1);
    expect(exec.stderr).toContain('exec is not supported by the simulated runtime of node k8ts-worker');
    const pf = await kubectl(sim, ['port-forward', 'pod/quiet', '0:80']);
    expect(pf.code).toBe(1);
    expect(pf.stderr).toContain('port forwarding is not supported by the simulated runtime');
  });
});
