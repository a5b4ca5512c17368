// Issue 8's scenario with the real kubectl against `k8ts up --runtime process`: an image loaded
// with `k8ts image load`, a headless Service and a StatefulSet of busybox httpd serving /www from
// claims; exec, data surviving a pod's deletion, DNS names resolving inside pods, logs (follow and
// previous), attach through `kubectl run -i`, port-forward and cp. Skipped, saying why, on
// machines without root, bubblewrap or namespaces.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHost } from '../../src/process/process-runtime.ts';
import { buildBusyboxImage, busyboxUnavailable } from '../fixtures/busybox-image.ts';
import { kubectlBin, kubectlOk, repoRoot, run, startK8ts, waitFor, type K8ts } from './harness.ts';

const missing = process.platform === 'linux' ? [...(await checkHost()), ...(busyboxUnavailable() ? [busyboxUnavailable()!] : [])] : ['Linux'];
if (missing.length) console.warn(`process runtime e2e tests skipped: this machine lacks ${missing.join(', ')}`);

const WEB = `apiVersion: v1
kind: Service
metadata:
  name: nginx
spec:
  clusterIP: None
  selector:
    app: web
  ports:
  - name: web
    port: 80
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: nginx
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: httpd
        image: busybox:1.36
        command: ["sh", "-c", "echo serving $(hostname); trap 'exit 0' TERM; trap 'echo poked' USR1; httpd -f -p 80 -h /www & while true; do wait; done"]
        ports:
        - name: web
          containerPort: 80
        readinessProbe:
          tcpSocket:
            port: web
          periodSeconds: 1
        volumeMounts:
        - name: www
          mountPath: /www
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: ["ReadWriteOnce"]
      resources:
        requests:
          storage: 1Gi
`;

describe.skipIf(missing.length > 0)('process runtime with kubectl', () => {
  let k: K8ts;
  let work: string;
  const ok = (args: string[], input?: string) => kubectlOk(k, args, input);

  beforeAll(async () => {
    k = await startK8ts({ args: ['--runtime', 'process', '--dns-port', '0'] });
    work = mkdtempSync(join(tmpdir(), 'k8ts-e2e-proc-'));
    const archive = join(work, 'busybox.tar');
    await buildBusyboxImage(archive, { format: 'docker', tag: 'busybox:1.36' });
    const load = await run(process.execPath, [join(repoRoot, 'bin/k8ts.mjs'), 'image', 'load', archive, '--data-dir', k.dataDir]);
    expect(load.stdout).toContain('Loaded image: docker.io/library/busybox:1.36');
  }, 120_000);

  afterAll(async () => {
    await k?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('lists the loaded image', async () => {
    const r = await run(process.execPath, [join(repoRoot, 'bin/k8ts.mjs'), 'image', 'list', '--data-dir', k.dataDir]);
    expect(r.stdout).toMatch(/docker\.io\/library\/busybox\s+1\.36/);
  });

  it('runs the StatefulSet: hostnames, data on a claim surviving the pod, DNS names from another pod', async () => {
    await ok(['apply', '-f', '-'], WEB);
    await ok(['rollout', 'status', 'sts/web', '--timeout=90s']);
    expect((await ok(['exec', 'web-0', '--', 'hostname'])).trim()).toBe('web-0');
    await ok(['exec', 'web-0', '--', 'sh', '-c', 'echo $(hostname) > /www/index.html']);
    const uid = await ok(['get', 'pod', 'web-0', '-o', 'jsonpath={.metadata.uid}']);
    await ok(['delete', 'pod', 'web-0']);
    await ok(['wait', '--for=condition=Ready', 'pod/web-0', '--timeout=60s']);
    expect(await ok(['get', 'pod', 'web-0', '-o', 'jsonpath={.metadata.uid}'])).not.toBe(uid);
    const page = await waitFor(async () => {
      const r = await k.kubectl(['exec', 'web-1', '--', 'wget', '-qO-', 'http://web-0.nginx/'], { allowFail: true });
      return r.code === 0 ? r.stdout : undefined;
    }, { timeoutMs: 30_000 });
    expect(page).toBe('web-0\n');
  }, 180_000);

  it('reports exit codes and errors of exec as kubectl expects', async () => {
    const r = await k.kubectl(['exec', 'web-1', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'], { allowFail: true });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toContain('err');
    const none = await k.kubectl(['exec', 'web-1', '--', 'no-such-command'], { allowFail: true });
    expect(none.code).not.toBe(0);
    expect(await ok(['exec', '-i', 'web-1', '--', 'cat'], 'piped in\n')).toBe('piped in\n');
  });

  it('answers nslookup from a pod started with kubectl run -i --rm', async () => {
    const r = await k.kubectl(['run', 'dns-test', '-i', '--rm', '--image=busybox:1.36', '--restart=Never', '--', 'sh', '-c', 'sleep 1; nslookup web-0.nginx.default.svc.cluster.local'], { allowFail: true, timeoutMs: 60_000 });
    const ip = await ok(['get', 'pod', 'web-0', '-o', 'jsonpath={.status.podIP}']);
    expect(r.stdout + r.stderr).toContain(ip);
  }, 90_000);

  it('shows logs, following and of the previous container', async () => {
    expect(await ok(['logs', 'web-1'])).toContain('serving web-1');
    const before = await ok(['get', 'pod', 'web-1', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}']);
    // A container that exits by itself restarts; its predecessor's output stays readable.
    await k.kubectl(['exec', 'web-1', '--', 'kill', '1'], { allowFail: true });
    await waitFor(async () => (await ok(['get', 'pod', 'web-1', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'])) !== before, { timeoutMs: 30_000 });
    expect(await ok(['logs', 'web-1', '--previous'])).toContain('serving web-1');
    await ok(['wait', '--for=condition=Ready', 'pod/web-1', '--timeout=60s']);
    // Follow: new lines appear as the container writes them.
    const follow = spawn(kubectlBin, ['logs', '-f', 'web-1'], { env: { ...process.env, KUBECONFIG: k.kubeconfig } });
    let seen = '';
    follow.stdout.on('data', (d) => (seen += d));
    await waitFor(() => seen.includes('serving web-1'), { timeoutMs: 15_000 });
    await ok(['exec', 'web-1', '--', 'kill', '-USR1', '1']);
    await waitFor(() => seen.includes('poked'), { timeoutMs: 15_000 });
    follow.kill();
  }, 90_000);

  it('forwards a local port to the pod and copies files in and out', async () => {
    const pf = spawn(kubectlBin, ['port-forward', 'pod/web-0', ':80'], { env: { ...process.env, KUBECONFIG: k.kubeconfig } });
    let out = '';
    pf.stdout.on('data', (d) => (out += d));
    const port = await waitFor(() => /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)?.[1], { timeoutMs: 20_000 });
    const body = await new Promise<string>((resolve, reject) => {
      request({ host: '127.0.0.1', port: Number(port), path: '/' }, (res) => {
        let b = '';
        res.on('data', (d) => (b += d));
        res.on('end', () => resolve(b));
      })
        .on('error', reject)
        .end();
    });
    pf.kill();
    expect(body).toBe('web-0\n');
    const local = join(work, 'note.txt');
    writeFileSync(local, 'copied in\n');
    await ok(['cp', local, 'web-0:/tmp/note.txt']);
    expect(await ok(['exec', 'web-0', '--', 'cat', '/tmp/note.txt'])).toBe('copied in\n');
    await ok(['cp', 'web-0:/www/index.html', join(work, 'index.html')]);
    expect(readFileSync(join(work, 'index.html'), 'utf8')).toBe('web-0\n');
  }, 60_000);

  it('gives kubectl exec -it a terminal', async () => {
    // kubectl asks for a tty only when its own stdin is a terminal: script(1) gives it one.
    const cmd = `${kubectlBin} exec -it web-1 -- sh -c 'echo size=$(stty size); test -t 0 && echo on-a-terminal'`;
    const r = await run('/usr/bin/script', ['-qec', cmd, '/dev/null'], { env: { KUBECONFIG: k.kubeconfig }, allowFail: true });
    expect(r.stdout).toMatch(/size=\d+ \d+\r\non-a-terminal/);
    expect(r.code).toBe(0);
  });

  it('survives kill -9: containers die with k8ts, and run again after a restart with nothing left behind', async () => {
    const ip = await ok(['get', 'pod', 'web-0', '-o', 'jsonpath={.status.podIP}']);
    await k.kill9();
    await k.restart();
    await ok(['wait', '--for=condition=Ready', 'pod/web-0', 'pod/web-1', '--timeout=60s']);
    // The claim kept its data and the pod its address; the name resolves again.
    expect(await ok(['get', 'pod', 'web-0', '-o', 'jsonpath={.status.podIP}'])).toBe(ip);
    const page = await waitFor(async () => {
      const r = await k.kubectl(['exec', 'web-1', '--', 'wget', '-qO-', 'http://web-0.nginx/'], { allowFail: true });
      return r.code === 0 ? r.stdout : undefined;
    }, { timeoutMs: 30_000 });
    expect(page).toBe('web-0\n');
    // The roots the killed run left were unmounted: one overlay per running container remains.
    const overlays = readFileSync('/proc/self/mounts', 'utf8').split('\n').filter((l) => l.startsWith('overlay ') && l.includes(`${k.dataDir}/pods/`));
    expect(overlays).toHaveLength(2);
  }, 120_000);

  it('runs an interactive shell with kubectl run -it --rm', async () => {
    // script(1) is kubectl's terminal; commands are typed once the shell's prompt shows.
    const cmd = `${kubectlBin} run ttytest -it --rm --image=busybox:1.36 --restart=Never -- sh`;
    const term = spawn('script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, KUBECONFIG: k.kubeconfig } });
    let seen = '';
    term.stdout.on('data', (d) => (seen += d));
    const exited = new Promise((r) => term.on('exit', r));
    await waitFor(() => seen.includes('/ # '), { timeoutMs: 60_000 });
    term.stdin.write('echo hello-from-$(hostname)\n');
    await waitFor(() => seen.includes('hello-from-ttytest'), { timeoutMs: 15_000 });
    term.stdin.write('exit\n');
    await exited;
    expect(seen).toContain('pod "ttytest" deleted');
  }, 90_000);

  it('refuses to remove an image that running containers use', async () => {
    await ok(['wait', '--for=condition=Ready', 'pod/web-0', '--timeout=60s']);
    const r = await run(process.execPath, [join(repoRoot, 'bin/k8ts.mjs'), 'image', 'rm', 'busybox:1.36', '--data-dir', k.dataDir], { allowFail: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('image "busybox:1.36" is in use by a running container: delete the pods that use it first');
    const list = await run(process.execPath, [join(repoRoot, 'bin/k8ts.mjs'), 'image', 'list', '--data-dir', k.dataDir]);
    expect(list.stdout).toMatch(/docker\.io\/library\/busybox\s+1\.36/);
  });

  it('refuses exec into a pod that does not exist', async () => {
    const r = await k.kubectl(['exec', 'nope', '--', 'true'], { allowFail: true });
    expect(r.stderr).toContain('pods "nope" not found');
  });
});
