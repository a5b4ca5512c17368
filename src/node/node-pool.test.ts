// The node pool in process on fake time: Node objects with the simulated annotation get agents,
// leases and Ready status; pods bound to them run, get ready, crash, and are deleted as a kubelet
// would handle them; logs and exec are answered from the runtime.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/meta/types.ts';
import { GIT_VERSION } from '../apiserver/version.ts';
import { startControlPlane, type ControlPlane } from '../cli/control-plane.ts';
import type { ResourceClient } from '../client/client.ts';
import { FakeClock } from '../util/clock.ts';
import { NODE_LEASE_NAMESPACE, STOPPED_ANNOTATION } from './contract.ts';
import { createNodeObject, ensureDefaultNodes } from './node-object.ts';
import { NodePool } from './node-pool.ts';
import { servePodSubresource } from './pod-subresource.ts';
import { SIM } from './sim-annotations.ts';
import { SimulatedRuntime } from './simulated-runtime.ts';
import { TimerWheel } from './timer-wheel.ts';

let clock: FakeClock;
let cp: ControlPlane;
let pool: NodePool;
let pods: ResourceClient;
let nodes: ResourceClient;
let leases: ResourceClient;
let events: ResourceClient;

const flush = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};
/** Moves fake time forward in steps, letting the in-process API answer between them. */
async function advance(ms: number, step = 100): Promise<void> {
  await flush();
  for (let t = 0; t < ms; t += step) {
    clock.advance(Math.min(step, ms - t));
    await flush();
  }
}

beforeEach(async () => {
  clock = new FakeClock(Date.UTC(2026, 0, 1));
  cp = await startControlPlane({ datastore: 'memory', controllers: false, clock });
  pool = new NodePool({ client: cp.client, clock, startDelayMs: { min: 100, max: 100 }, pullDelayMs: { min: 0, max: 0 }, workers: 4 });
  await pool.start();
  pods = cp.client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true });
  nodes = cp.client.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false });
  leases = cp.client.resource({ apiVersion: 'coordination.k8s.io/v1', resource: 'leases', namespaced: true });
  events = cp.client.resource({ apiVersion: 'v1', resource: 'events', namespaced: true });
  await nodes.create('', createNodeObject('k8ts-worker', { index: 1 }));
  await advance(100);
});

afterEach(async () => {
  await pool.stop();
  await cp.stop();
});

const pod = (name: string, extra: { annotations?: Record<string, string>; spec?: Record<string, unknown>; container?: Record<string, unknown> } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, annotations: extra.annotations },
  spec: { nodeName: 'k8ts-worker', containers: [{ name: 'nginx', image: 'nginx', ...extra.container }], ...extra.spec },
});
type Status = { phase?: string; podIP?: string; conditions?: { type: string; status: string; reason?: string }[]; containerStatuses?: { state: Record<string, any>; lastState: Record<string, any>; restartCount: number; ready: boolean }[] };
const statusOf = async (name: string) => ((await pods.get('default', name)).status ?? {}) as Status;
const condition = (s: Status, type: string) => s.conditions?.find((c) => c.type === type);

describe('node agent', () => {
  it('registers status and a lease, and renews the lease every 10 s', async () => {
    const node = await nodes.get('', 'k8ts-worker');
    const status = node.status as any;
    expect(status.conditions.find((c: any) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' });
    expect(status.capacity).toMatchObject({ cpu: '8', memory: '16Gi', pods: '110' });
    expect(status.addresses).toEqual([{ type: 'InternalIP', address: '172.18.0.3' }, { type: 'Hostname', address: 'k8ts-worker' }]);
    expect(status.nodeInfo).toMatchObject({ kubeletVersion: GIT_VERSION, containerRuntimeVersion: 'k8ts-sim://0.1.0', operatingSystem: 'linux' });
    expect((node.spec as any).podCIDR).toBe('10.244.1.0/24');
    const lease = await leases.get(NODE_LEASE_NAMESPACE, 'k8ts-worker');
    expect(lease.spec).toMatchObject({ holderIdentity: 'k8ts-worker', leaseDurationSeconds: 40 });
    const first = (lease.spec as any).renewTime;
    await advance(10_000, 1000);
    const renewed = (await leases.get(NODE_LEASE_NAMESPACE, 'k8ts-worker')).spec as any;
    expect(Date.parse(renewed.renewTime)).toBeGreaterThan(Date.parse(first));
  });

  it('stops heartbeating while the stopped annotation is set and resumes when it goes', async () => {
    await nodes.patch('', 'k8ts-worker', 'merge', { metadata: { annotations: { [STOPPED_ANNOTATION]: 'true' } } });
    await advance(100);
    const before = ((await leases.get(NODE_LEASE_NAMESPACE, 'k8ts-worker')).spec as any).renewTime;
    await advance(30_000, 1000);
    expect(((await leases.get(NODE_LEASE_NAMESPACE, 'k8ts-worker')).spec as any).renewTime).toBe(before);
    await nodes.patch('', 'k8ts-worker', 'merge', { metadata: { annotations: { [STOPPED_ANNOTATION]: null } } });
    await advance(100);
    expect(((await leases.get(NODE_LEASE_NAMESPACE, 'k8ts-worker')).spec as any).renewTime).not.toBe(before);
  });

  it('creates the default kind-style nodes', async () => {
    await ensureDefaultNodes(cp.client, { workers: 2 });
    await advance(100);
    const list = (await nodes.list()).items;
    expect(list.map((n) => n.metadata.name).sort()).toEqual(['k8ts-control-plane', 'k8ts-worker', 'k8ts-worker2']);
    const cpNode = list.find((n) => n.metadata.name === 'k8ts-control-plane')!;
    expect((cpNode.spec as any).taints).toEqual([{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]);
    expect(cpNode.metadata.labels).toMatchObject({ 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/hostname': 'k8ts-control-plane' });
    expect(((cpNode.status as any).conditions as any[]).find((c) => c.type === 'Ready').status).toBe('True');
  });
});

describe('pod lifecycle', () => {
  it('goes ContainerCreating → Running → Ready with a kubelet’s events', async () => {
    await pods.create('default', pod('web'));
    await flush();
    let s = await statusOf('web');
    expect(s.phase).toBe('Pending');
    expect(s.containerStatuses?.[0]?.state).toEqual({ waiting: { reason: 'ContainerCreating' } });
    expect(condition(s, 'PodReadyToStartContainers')?.status).toBe('True');
    expect(s.podIP).toBe('10.244.1.2');
    await advance(100);
    s = await statusOf('web');
    expect(s.phase).toBe('Running');
    expect(condition(s, 'Ready')?.status).toBe('True');
    expect(s.containerStatuses?.[0]).toMatchObject({ ready: true, restartCount: 0, state: { running: {} } });
    const reasons = (await events.list('default')).items.filter((e: any) => e.involvedObject.name === 'web').map((e: any) => `${e.reason}: ${e.message}`);
    expect(reasons).toEqual(expect.arrayContaining(['Pulling: Pulling image "nginx"', 'Created: Created container: nginx', 'Started: Started container nginx']));
    expect(reasons.some((r) => r.startsWith('Pulled: Successfully pulled image "nginx" in'))).toBe(true);
  });

  it('gives a host-network pod the node’s address and runs hostPID and hostPath pods', async () => {
    const hostPath = { volumes: [{ name: 'logs', hostPath: { path: '/var/log', type: 'Directory' } }] };
    await pods.create('default', pod('hostnet', { spec: { hostNetwork: true, hostPID: true, ...hostPath }, container: { ports: [{ containerPort: 9100 }] } }));
    await pods.create('default', pod('plain'));
    await advance(200);
    const s = (await pods.get('default', 'hostnet')).status as Status & { hostIP?: string; podIPs?: { ip: string }[] };
    expect(s).toMatchObject({ phase: 'Running', hostIP: '172.18.0.3', podIP: '172.18.0.3', podIPs: [{ ip: '172.18.0.3' }] });
    expect(condition(s, 'Ready')?.status).toBe('True');
    // The node's range is untouched: the next pod still gets .2.
    expect((await statusOf('plain')).podIP).toBe('10.244.1.2');
    await pods.delete('default', 'hostnet');
    await advance(200);
    expect(await pods.find('default', 'hostnet')).toBeUndefined();
  });

  it('honours the readiness probe’s initial delay', async () => {
    await pods.create('default', pod('slow', { container: { readinessProbe: { initialDelaySeconds: 10, httpGet: { path: '/', port: 80 } } } }));
    await advance(5_000);
    let s = await statusOf('slow');
    expect(s.phase).toBe('Running');
    expect(condition(s, 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });
    await advance(5_100);
    s = await statusOf('slow');
    expect(condition(s, 'Ready')?.status).toBe('True');
  });

  it('crash-loops with upstream back-off', async () => {
    await pods.create('default', pod('crash', { annotations: { [SIM.fail]: 'true' } }));
    await advance(500);
    let s = await statusOf('crash');
    // First exit: restarted at once; second: back-off 10 s.
    expect(s.containerStatuses?.[0]?.restartCount).toBe(1);
    expect(s.containerStatuses?.[0]?.state.waiting).toMatchObject({ reason: 'CrashLoopBackOff', message: expect.stringContaining('back-off 10s restarting failed container=nginx pod=crash_default') });
    expect(s.containerStatuses?.[0]?.lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(s.phase).toBe('Running');
    await advance(10_500);
    s = await statusOf('crash');
    expect(s.containerStatuses?.[0]?.restartCount).toBe(2);
    expect(s.containerStatuses?.[0]?.state.waiting?.message).toContain('back-off 20s');
  });

  it('fails a restartPolicy Never pod and completes an exit-code 0 pod', async () => {
    await pods.create('default', pod('never', { annotations: { [SIM.fail]: 'true' }, spec: { restartPolicy: 'Never' } }));
    await pods.create('default', pod('done', { annotations: { [SIM.exitCode]: '0', [SIM.runSeconds]: '2' }, spec: { restartPolicy: 'OnFailure' } }));
    await advance(3_000);
    expect((await statusOf('never')).phase).toBe('Failed');
    const done = await statusOf('done');
    expect(done.phase).toBe('Succeeded');
    expect(done.containerStatuses?.[0]?.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
  });

  it('shows ErrImagePull, then ImagePullBackOff', async () => {
    await pods.create('default', pod('pull', { annotations: { [SIM.imagePullError]: 'true' } }));
    await advance(100);
    expect((await statusOf('pull')).containerStatuses?.[0]?.state.waiting?.reason).toBe('ErrImagePull');
    await advance(5_000);
    expect((await statusOf('pull')).containerStatuses?.[0]?.state.waiting).toMatchObject({ reason: 'ImagePullBackOff', message: 'Back-off pulling image "nginx"' });
  });

  it('runs init containers in order before the app', async () => {
    await pods.create('default', pod('init', { spec: { initContainers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'busybox' }] } }));
    await flush();
    let s = await statusOf('init');
    expect(condition(s, 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized' });
    expect(s.containerStatuses?.[0]?.state.waiting?.reason).toBe('PodInitializing');
    await advance(1_000);
    s = await statusOf('init');
    expect(condition(s, 'Initialized')?.status).toBe('True');
    expect(s.phase).toBe('Running');
  });

  it('finishes a graceful delete at once when the container exits on SIGTERM', async () => {
    await pods.create('default', pod('bye'));
    await advance(200);
    await pods.delete('default', 'bye');
    await flush();
    await advance(100);
    expect(await pods.find('default', 'bye')).toBeUndefined();
  });

  it('waits out the grace period for a container that ignores SIGTERM', async () => {
    await pods.create('default', pod('stubborn', { annotations: { [SIM.ignoreSigterm]: 'true' } }));
    await advance(200);
    await pods.delete('default', 'stubborn', { gracePeriodSeconds: 5 });
    await advance(4_000);
    expect((await pods.find('default', 'stubborn'))?.metadata.deletionTimestamp).toBeDefined();
    await advance(1_500);
    expect(await pods.find('default', 'stubborn')).toBeUndefined();
  });
});

describe('logs and exec', () => {
  const call = (name: string, sub: string, query = '', method = 'GET') =>
    servePodSubresource(pool)({ method, url: `/api/v1/namespaces/default/pods/${name}/${sub}?${query}`, headers: {} }, new URLSearchParams(query), {
      store: cp.registry.get('', 'v1', 'pods')!,
      namespace: 'default',
      name,
      subresource: sub,
    });

  it('returns the runtime’s record of the container', async () => {
    await pods.create('default', pod('logs', { container: { image: 'nginx:1.25' } }));
    await advance(200);
    const res = await call('logs', 'log');
    expect(res.headers['content-type']).toBe('text/plain');
    expect(String(res.body)).toBe('k8ts-sim: container nginx started (image nginx:1.25)\n');
    const stamped = await call('logs', 'log', 'timestamps=true');
    expect(String(stamped.body)).toMatch(/^2026-01-01T00:00:00\.\d{9}Z k8ts-sim: container nginx started/);
  });

  it('asks for a container name when there are several', async () => {
    await pods.create('default', { ...pod('two'), spec: { nodeName: 'k8ts-worker', containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'nginx' }] } });
    await expect(call('two', 'log')).rejects.toThrow('a container name must be specified for pod two, choose one of: [a b]');
    await expect(call('two', 'log', 'container=c')).rejects.toThrow('container c is not valid for pod two');
  });

  it('follows until the container ends', async () => {
    await pods.create('default', pod('follow', { annotations: { [SIM.exitCode]: '3', [SIM.runSeconds]: '5' }, spec: { restartPolicy: 'Never' } }));
    await advance(200);
    const res = await call('follow', 'log', 'follow=true');
    const chunks: string[] = [];
    const done = (async () => {
      for await (const c of res.stream!) chunks.push(c);
    })();
    await advance(5_000);
    await done;
    expect(chunks.join('')).toBe('k8ts-sim: container nginx started (image nginx)\nk8ts-sim: container nginx failing with exit code 3\n');
  });

  it('answers exec with the runtime that supports it', async () => {
    await pods.create('default', pod('ex'));
    await advance(200);
    await expect(call('ex', 'exec', 'command=sh')).rejects.toThrow(
      'exec is not supported by the simulated runtime of node k8ts-worker: start k8ts with the process runtime to exec into containers',
    );
  });
});

describe('pod DNS settings', () => {
  it('hands the runtime the resolv.conf the kubelet forms, and warns when dnsConfig is cut', async () => {
    await pool.stop();
    const seen = new Map<string, string | undefined>();
    const runtime = new SimulatedRuntime({ clock, wheel: new TimerWheel(clock), startDelayMs: { min: 0, max: 0 }, pullDelayMs: { min: 0, max: 0 } });
    const create = runtime.createContainer.bind(runtime);
    runtime.createContainer = (req) => {
      seen.set(req.pod.metadata.name!, req.resolvConf);
      return create(req);
    };
    pool = new NodePool({
      client: cp.client,
      clock,
      runtime,
      workers: 4,
      dns: { clusterDomain: 'cluster.local', clusterDNS: ['10.96.0.10'], hostResolvConf: 'nameserver 192.168.0.1\nsearch corp.example\n' },
    });
    await pool.start();
    await pods.create('default', pod('plain'));
    const many = Array.from({ length: 5 }, (_, i) => `10.0.0.${i + 1}`);
    await pods.create('default', pod('custom', { spec: { dnsPolicy: 'None', dnsConfig: { nameservers: many, searches: ['a.example'], options: [{ name: 'ndots', value: '2' }] } } }));
    await pods.create('default', pod('host', { spec: { dnsPolicy: 'Default' } }));
    await advance(1000);
    expect(seen.get('plain')).toBe('search default.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:5\n');
    expect(seen.get('custom')).toBe('search a.example\nnameserver 10.0.0.1\nnameserver 10.0.0.2\nnameserver 10.0.0.3\noptions ndots:2\n');
    expect(seen.get('host')).toBe('search corp.example\nnameserver 192.168.0.1\n');
    const warnings = (await events.list('default')).items.filter((e) => (e as { reason?: string }).reason === 'DNSConfigForming');
    expect(warnings.map((e) => (e as { message?: string }).message)).toEqual([expect.stringContaining('Nameserver limits were exceeded')]);
  });
});
