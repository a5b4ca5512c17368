// The process runtime in a whole in-process cluster: real busybox processes in namespaces,
// started from an image loaded into the store, on the cluster network. Skipped, saying why, on
// machines without root, bubblewrap or namespaces.
import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/meta/types.ts';
import type { StreamSession } from '../../src/node/runtime.ts';
import { busyboxBlobs, pushImage } from '../fixtures/busybox-image.ts';
import { registryUnavailable, startRegistry } from '../fixtures/registry.ts';
import { container, processRuntimeMissing, until, useProcessCluster } from './process-cluster.ts';

const missing = await processRuntimeMissing();
if (missing.length) console.warn(`process runtime tests skipped: this machine lacks ${missing.join(', ')}`);

async function collect(s: StreamSession): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  s.stdout?.on('data', (d) => (out += d));
  s.stderr?.on('data', (d) => (err += d));
  const code = await s.done;
  await new Promise((r) => setImmediate(r));
  return { code, out, err };
}

describe.skipIf(missing.length > 0)('process runtime', () => {
  const cluster = useProcessCluster({ nodes: ['worker-a', 'worker-b'] });
  const pods = () => cluster().client.resource({ apiVersion: 'v1', resource: 'pods', namespaced: true });
  const pod = (name: string) => pods().get('default', name);
  const ready = (p: KubeObject) => ((p.status as { conditions?: { type: string; status: string }[] })?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

  it('runs a pod: its hostname, logs and exit code, and exec inside it', async () => {
    await pods().create('default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'hello' },
      spec: { terminationGracePeriodSeconds: 1, containers: [container('main', { command: ['sh', '-c', 'echo hello from $(hostname); trap "exit 0" TERM; while true; do sleep 0.2; done'] })] },
    });
    const p = await until('hello Ready', async () => {
      const p = await pod('hello');
      return ready(p) ? p : undefined;
    });
    expect((p.status as { podIP?: string }).podIP).toMatch(/^10\.244\.\d+\.\d+$/);
    const agent = cluster().pool!.agent((p.spec as { nodeName: string }).nodeName)!;
    const c = agent.pods.tracks.get('default/hello')!.containers.get('main')!.current!;
    await until('log line', () => cluster().pool!.runtime.logs(c.id).some((l) => l.text === 'hello from hello'));
    const r = await collect(await cluster().pool!.runtime.streaming!.exec(c.id, ['sh', '-c', 'hostname; cat /etc/hostname; echo err >&2; exit 3'], { stdin: false, stdout: true, stderr: true, tty: false }));
    expect(r).toEqual({ code: 3, out: 'hello\nhello\n', err: 'err\n' });
  });

  it('reports a command that does not exist as StartError', async () => {
    await pods().create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nocmd' }, spec: { restartPolicy: 'Never', containers: [container('main', { command: ['no-such-program'] })] } });
    const st = await until('nocmd terminated', async () => {
      const s = ((await pod('nocmd')).status as { containerStatuses?: { state?: { terminated?: { reason: string; message?: string; exitCode: number } } }[] })?.containerStatuses?.[0]?.state?.terminated;
      return s;
    });
    expect(st.reason).toBe('StartError');
    expect(st.exitCode).toBe(128);
    expect(st.message).toContain('exec: "no-such-program": executable file not found in $PATH');
  });

  const execIn = async (name: string, command: string[]) => {
    const p = await pod(name);
    const agent = cluster().pool!.agent((p.spec as { nodeName: string }).nodeName)!;
    const c = [...agent.pods.tracks.get(`default/${name}`)!.containers.values()].find((t) => !t.init)!.current!;
    return collect(await cluster().pool!.runtime.streaming!.exec(c.id, command, { stdin: false, stdout: true, stderr: true, tty: false }));
  };
  const waitReady = (name: string, notUid?: string) =>
    until(`${name} Ready`, async () => {
      const p = await pods().find('default', name);
      return p && ready(p) && p.metadata.uid !== notUid ? p : undefined;
    }, 60_000);

  it('serves a StatefulSet behind a headless Service: names resolve in pods, a claim outlives its pod', async () => {
    const apply = (resource: string, group: string, obj: object) => cluster().client.resource({ apiVersion: group, resource, namespaced: true }).create('default', obj as KubeObject);
    await apply('services', 'v1', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx' }, spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ name: 'web', port: 80 }] } });
    await apply('statefulsets', 'apps/v1', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web' },
      spec: {
        serviceName: 'nginx',
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [container('httpd', { command: ['httpd', '-f', '-p', '80', '-h', '/www'], ports: [{ name: 'web', containerPort: 80 }], readinessProbe: { tcpSocket: { port: 'web' }, periodSeconds: 1 }, volumeMounts: [{ name: 'www', mountPath: '/www' }] })],
          },
        },
        volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    });
    const first = await waitReady('web-0');
    await waitReady('web-1');
    expect(await execIn('web-0', ['sh', '-c', 'echo $(hostname) > /www/index.html'])).toMatchObject({ code: 0 });
    await pods().delete('default', 'web-0');
    await waitReady('web-0', first.metadata.uid);
    const got = await until('web-0 through its DNS name', async () => {
      const r = await execIn('web-1', ['wget', '-qO-', 'http://web-0.nginx/']);
      return r.code === 0 ? r.out : undefined;
    });
    expect(got).toBe('web-0\n');
    const ns = await execIn('web-1', ['nslookup', 'web-0.nginx.default.svc.cluster.local']);
    expect(ns.out).toContain(((await pod('web-0')).status as { podIP: string }).podIP);
  }, 90_000);

  it('load-balances a ClusterIP Service to ready pods and reaches the API through kubernetes.default', async () => {
    await cluster().client.resource({ apiVersion: 'v1', resource: 'services', namespaced: true }).create('default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo' }, spec: { selector: { app: 'echo' }, ports: [{ port: 8080, targetPort: 80 }] } } as KubeObject);
    await pods().create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'echo', labels: { app: 'echo' } }, spec: { terminationGracePeriodSeconds: 1, containers: [container('httpd', { command: ['sh', '-c', 'mkdir -p /srv && echo echo-pod > /srv/index.html && exec httpd -f -p 80 -h /srv'] })] } });
    await pods().create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client' }, spec: { terminationGracePeriodSeconds: 1, containers: [container('sh', { command: ['sleep', '3600'] })] } });
    await waitReady('echo');
    await waitReady('client');
    const got = await until('echo through its Service', async () => {
      const r = await execIn('client', ['wget', '-qO-', 'http://echo:8080/']);
      return r.code === 0 ? r.out : undefined;
    });
    expect(got).toBe('echo-pod\n');
    const env = await execIn('client', ['sh', '-c', 'echo $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT']);
    expect(env.out).toBe('10.96.0.1:443\n');
  }, 60_000);

  it('restarts a container whose liveness probe fails', async () => {
    await pods().create('default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'sick' },
      spec: { terminationGracePeriodSeconds: 1, containers: [container('main', { command: ['sh', '-c', 'touch /tmp/ok; sleep 1; rm /tmp/ok; exec sleep 3600'], livenessProbe: { exec: { command: ['cat', '/tmp/ok'] }, periodSeconds: 1, failureThreshold: 1 } })] },
    });
    const st = await until('sick restarted', async () => {
      const s = ((await pod('sick')).status as { containerStatuses?: { restartCount: number; lastState?: { terminated?: { exitCode: number } } }[] })?.containerStatuses?.[0];
      return s && s.restartCount >= 1 ? s : undefined;
    }, 30_000);
    expect(st.lastState?.terminated?.exitCode).toBe(137);
    const events = await cluster().client.resource({ apiVersion: 'v1', resource: 'events', namespaced: true }).list('default');
    expect(events.items.map((e) => (e as { message?: string }).message)).toContain('Container main failed liveness probe, will be restarted');
  }, 40_000);

  it('opens NodePorts on the host loopback and runs hostNetwork pods on the node address', async () => {
    await cluster().client.resource({ apiVersion: 'v1', resource: 'services', namespaced: true }).create('default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo-np' }, spec: { type: 'NodePort', selector: { app: 'echo' }, ports: [{ port: 8081, targetPort: 80 }] } } as KubeObject);
    const svc = await cluster().client.resource({ apiVersion: 'v1', resource: 'services', namespaced: true }).get('default', 'echo-np');
    const nodePort = (svc.spec as { ports: { nodePort: number }[] }).ports[0]!.nodePort;
    const body = await until('the NodePort answers', () =>
      new Promise<string | undefined>((resolve) => {
        const sock = createConnection(nodePort, '127.0.0.1');
        let got = '';
        sock.on('data', (d) => (got += d));
        sock.on('end', () => resolve(got.includes('echo-pod') ? got : undefined));
        sock.on('error', () => resolve(undefined));
        sock.write('GET / HTTP/1.0\r\n\r\n');
      }),
    );
    expect(body).toContain('echo-pod');
    await pods().create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hostnet' }, spec: { hostNetwork: true, terminationGracePeriodSeconds: 1, containers: [container('main', { command: ['sleep', '3600'] })] } });
    const p = await waitReady('hostnet');
    const st = p.status as { podIP: string; hostIP: string };
    expect(st.podIP).toBe(st.hostIP);
    const r = await execIn('hostnet', ['sh', '-c', 'hostname; ip -4 addr show k8ts0 | grep -c inet']);
    expect(r.out.split('\n')[0]).toBe((p.spec as { nodeName: string }).nodeName);
  }, 60_000);

  it('runs init containers in order, with configMap volumes, env from fields and a read-only root', async () => {
    await cluster().client.resource({ apiVersion: 'v1', resource: 'configmaps', namespaced: true }).create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { greeting: 'hi there' } } as KubeObject);
    await pods().create('default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'inits', labels: { tier: 'x' } },
      spec: {
        terminationGracePeriodSeconds: 1,
        volumes: [{ name: 'work', emptyDir: {} }, { name: 'cfg', configMap: { name: 'settings' } }],
        initContainers: [
          container('first', { command: ['sh', '-c', 'echo first >> /work/order'], volumeMounts: [{ name: 'work', mountPath: '/work' }] }),
          container('second', { command: ['sh', '-c', 'echo second >> /work/order'], volumeMounts: [{ name: 'work', mountPath: '/work' }] }),
        ],
        containers: [
          container('main', {
            command: ['sleep', '3600'],
            env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'settings', key: 'greeting' } } }],
            securityContext: { readOnlyRootFilesystem: true },
            volumeMounts: [{ name: 'work', mountPath: '/work' }, { name: 'cfg', mountPath: '/etc/cfg' }],
          }),
        ],
      },
    });
    await waitReady('inits');
    expect(await execIn('inits', ['cat', '/work/order'])).toMatchObject({ out: 'first\nsecond\n' });
    expect((await execIn('inits', ['sh', '-c', 'echo $POD_NAME/$GREETING; cat /etc/cfg/greeting'])).out).toBe('inits/hi there\nhi there');
    const ro = await execIn('inits', ['touch', '/file']);
    expect(ro.code).not.toBe(0);
    expect(ro.err).toContain('Read-only file system');
  }, 60_000);

  it('says ErrImagePull with the reason when an image cannot be had', async () => {
    await pods().create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'noimage' }, spec: { containers: [{ name: 'main', image: '127.0.0.1:1/nosuch:1.0' }] } });
    const w = await until('ErrImagePull', async () => {
      const s = ((await pod('noimage')).status as { containerStatuses?: { state?: { waiting?: { reason: string; message?: string } } }[] })?.containerStatuses?.[0]?.state?.waiting;
      return s && /ErrImagePull|ImagePullBackOff/.test(s.reason) ? s : undefined;
    });
    expect(w.message ?? '').toMatch(/127\.0\.0\.1:1|nosuch/);
  });

  it.skipIf(registryUnavailable() !== undefined)('pulls from a registry with the credentials of imagePullSecrets, with Pulling and Pulled events', async () => {
    const reg = await startRegistry({ username: 'puller', password: 'sesame' });
    try {
      await pushImage(await busyboxBlobs({ variant: 'pulled' }), { registry: reg.url, repository: 'team/busybox', tag: 'v1', username: 'puller', password: 'sesame' });
      const dockerconfig = Buffer.from(JSON.stringify({ auths: { [reg.host]: { username: 'puller', password: 'sesame' } } })).toString('base64');
      await cluster().client.resource({ apiVersion: 'v1', resource: 'secrets', namespaced: true }).create('default', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'regcred' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': dockerconfig } } as KubeObject);
      const image = `${reg.host}/team/busybox:v1`;
      await pods().create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pulled' }, spec: { terminationGracePeriodSeconds: 1, imagePullSecrets: [{ name: 'regcred' }], containers: [{ name: 'main', image, command: ['sleep', '3600'] }] } });
      const p = await waitReady('pulled');
      expect((p.status as { containerStatuses: { imageID: string }[] }).containerStatuses[0]!.imageID).toMatch(new RegExp(`^${reg.host}/team/busybox@sha256:[0-9a-f]{64}$`));
      const events = (await cluster().client.resource({ apiVersion: 'v1', resource: 'events', namespaced: true }).list('default')).items as { reason?: string; message?: string; involvedObject?: { name?: string } }[];
      const mine = events.filter((e) => e.involvedObject?.name === 'pulled').map((e) => `${e.reason}: ${e.message}`);
      expect(mine).toContain(`Pulling: Pulling image "${image}"`);
      expect(mine.some((m) => m.startsWith(`Pulled: Successfully pulled image "${image}"`))).toBe(true);
      // Without the secret the registry says no, and the pod says why.
      await pods().create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nocreds' }, spec: { containers: [{ name: 'main', image: `${reg.host}/team/busybox:v1`, imagePullPolicy: 'Always', command: ['sleep', '3600'] }] } });
      const w = await until('nocreds ErrImagePull', async () => {
        const s = ((await pod('nocreds')).status as { containerStatuses?: { state?: { waiting?: { reason: string; message?: string } } }[] })?.containerStatuses?.[0]?.state?.waiting;
        return s && /ErrImagePull|ImagePullBackOff/.test(s.reason) ? s : undefined;
      });
      expect(w.message ?? '').toMatch(/unauthorized|authentication required|back-off/i);
    } finally {
      await reg.stop();
    }
  }, 60_000);

  it('runs a container as the user its securityContext names, and refuses root under runAsNonRoot', async () => {
    await pods().create('default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'nonroot' },
      spec: {
        terminationGracePeriodSeconds: 1,
        securityContext: { runAsUser: 1000, runAsGroup: 3000 },
        volumes: [{ name: 'scratch', emptyDir: {} }],
        containers: [container('main', { command: ['sh', '-c', 'httpd -p 80 -h /tmp; exec sleep 3600'], volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] })],
      },
    });
    await waitReady('nonroot');
    const r = await execIn('nonroot', ['sh', '-c', 'id -u; id -g; touch /scratch/ok && echo wrote; touch /etc/nope 2>/dev/null || echo denied; netstat -ltn | grep -c ":80 "']);
    expect(r.out).toBe('1000\n3000\nwrote\ndenied\n1\n');
    await pods().create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'mustnotberoot' }, spec: { securityContext: { runAsNonRoot: true }, containers: [container('main', { command: ['sleep', '3600'] })] } });
    const w = await until('CreateContainerConfigError', async () => {
      const s = ((await pod('mustnotberoot')).status as { containerStatuses?: { state?: { waiting?: { reason: string; message?: string } } }[] })?.containerStatuses?.[0]?.state?.waiting;
      return s?.reason === 'CreateContainerConfigError' ? s : undefined;
    });
    expect(w.message).toContain('container has runAsNonRoot and image will run as root');
  }, 60_000);

  it('gives the containers of a pod one IPC and one UTS namespace, with the pod hostname', async () => {
    await pods().create('default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'pair' },
      spec: { terminationGracePeriodSeconds: 1, containers: [container('a', { command: ['sleep', '3600'] }), container('b', { command: ['sleep', '3600'] })] },
    });
    const p = await waitReady('pair');
    const track = cluster().pool!.agent((p.spec as { nodeName: string }).nodeName)!.pods.tracks.get('default/pair')!;
    const ns = async (name: string) => {
      const c = track.containers.get(name)!.current!;
      const r = await collect(await cluster().pool!.runtime.streaming!.exec(c.id, ['sh', '-c', 'hostname; ls -l /proc/1/ns/ipc /proc/1/ns/uts /proc/1/ns/pid | sed "s/.*-> //"'], { stdin: false, stdout: true, stderr: true, tty: false }));
      return r.out.split('\n');
    };
    const [a, b] = [await ns('a'), await ns('b')];
    const of = (lines: string[], kind: string) => lines.find((l) => l.startsWith(`${kind}:[`));
    expect(a[0]).toBe('pair');
    expect(b[0]).toBe('pair');
    expect(of(a, 'ipc')).toMatch(/^ipc:\[\d+\]$/);
    expect(of(a, 'ipc')).toBe(of(b, 'ipc'));
    expect(of(a, 'uts')).toBe(of(b, 'uts'));
    // Each container still has its own PID namespace (shareProcessNamespace is off).
    expect(of(a, 'pid')).not.toBe(of(b, 'pid'));
  }, 60_000);
});
