// Issue 7's scenario with the real kubectl and dig: Services get cluster IPs and node ports,
// Endpoints and EndpointSlices follow pod readiness, and the cluster DNS server answers for
// Services, headless Services, StatefulSet pods and hostname + subdomain pods as CoreDNS does.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digBin, kubectlOk, run, useK8ts, waitFor } from './harness.ts';

const cluster = useK8ts();
const ok = (args: string[], input?: string) => kubectlOk(cluster(), args, input);
const manifest = (name: string) => join(import.meta.dirname, '../../../shared/manifests', name);
const ZONE = 'cluster.local';

async function dig(args: string[]): Promise<string> {
  const r = await run(digBin, ['@127.0.0.1', '-p', String(cluster().dnsPort), '+time=2', '+tries=1', ...args]);
  return r.stdout;
}
/** The answer's data, sorted (CoreDNS shuffles record order). */
const short = async (name: string, type = 'A') => (await dig(['+short', name, type])).split('\n').filter(Boolean).sort();
const status = async (name: string, type = 'A') => /status: (\w+)/.exec(await dig([name, type]))?.[1];

async function podIPs(selector: string, ns = 'default'): Promise<Record<string, string>> {
  const out = await ok(['get', 'pods', '-n', ns, '-l', selector, '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.podIP}{"\\n"}{end}']);
  return Object.fromEntries(out.split('\n').filter(Boolean).map((l) => l.split('=') as [string, string]));
}

async function readyPods(selector: string, n: number, ns = 'default'): Promise<void> {
  await waitFor(
    async () => {
      const out = await ok(['get', 'pods', '-n', ns, '-l', selector, '-o', 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']);
      const lines = out.split('\n').filter(Boolean);
      return lines.length === n && lines.every((l) => l === 'True');
    },
    { timeoutMs: 60_000 },
  );
}

describe('cluster DNS and Services', () => {
  it('prints where DNS listens and serves the kube-dns and kubernetes Services', async () => {
    expect(cluster().output()).toMatch(new RegExp(`k8ts: DNS on 127\\.0\\.0\\.1:${cluster().dnsPort} \\(zone ${ZONE.replace('.', '\\.')}\\)`));
    expect(await ok(['get', 'svc', 'kube-dns', '-n', 'kube-system', '-o', 'jsonpath={.spec.clusterIP}'])).toBe('10.96.0.10');
    expect(await short(`kubernetes.default.svc.${ZONE}`)).toEqual(['10.96.0.1']);
    expect(await short(`kube-dns.kube-system.svc.${ZONE}`)).toEqual(['10.96.0.10']);
    expect(await short(`dns-version.${ZONE}`, 'TXT')).toEqual(['"1.1.0"']);
  });

  it('answers for the seed StatefulSet behind its headless Service, per pod, and after a pod is replaced', async () => {
    await ok(['apply', '-f', manifest('002-nginx-web.yaml')]);
    await readyPods('app=nginx', 3);
    expect(await ok(['get', 'svc', 'nginx', '-o', 'jsonpath={.spec.clusterIP}'])).toBe('None');
    const ips = await podIPs('app=nginx');
    await waitFor(async () => (await short(`nginx.default.svc.${ZONE}`)).length === 3, { timeoutMs: 10_000 });
    expect(await short(`nginx.default.svc.${ZONE}`)).toEqual(Object.values(ips).sort());
    for (const [name, ip] of Object.entries(ips)) expect(await short(`${name}.nginx.default.svc.${ZONE}`)).toEqual([ip]);

    // SRV: one per ready pod, CoreDNS's weight for three targets, the container port.
    const srv = await short(`_web._tcp.nginx.default.svc.${ZONE}`, 'SRV');
    expect(srv).toEqual(['web-0', 'web-1', 'web-2'].map((n) => `0 33 80 ${n}.nginx.default.svc.${ZONE}.`));

    // Endpoints and slices, as kubectl shows them.
    const listed = await cluster().kubectl(['get', 'endpoints', 'nginx']);
    expect(listed.stderr).toContain('Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice');
    const ep = JSON.parse(await ok(['get', 'endpoints', 'nginx', '-o', 'json']));
    expect(ep.metadata.labels).toMatchObject({ app: 'nginx', 'service.kubernetes.io/headless': '' });
    expect(ep.subsets[0].addresses.map((a: { hostname: string }) => a.hostname).sort()).toEqual(['web-0', 'web-1', 'web-2']);
    expect(ep.subsets[0].ports).toEqual([{ name: 'web', port: 80, protocol: 'TCP' }]);
    const slices = JSON.parse(await ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=nginx', '-o', 'json'])).items;
    expect(slices).toHaveLength(1);
    expect(slices[0].metadata.labels).toMatchObject({ 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', 'service.kubernetes.io/headless': '' });
    expect(slices[0].endpoints).toHaveLength(3);
    expect(await ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=nginx'])).toMatch(/nginx-\w+\s+IPv4\s+80\s+[\d.,+ more]+/);

    // PTR for a pod IP names the pod under its Service.
    const [a, b, c, d] = ips['web-1']!.split('.');
    expect(await short(`${d}.${c}.${b}.${a}.in-addr.arpa`, 'PTR')).toEqual([`web-1.nginx.default.svc.${ZONE}.`]);

    // A replaced pod answers again, with its new address, once it is Ready.
    await ok(['delete', 'pod', 'web-0', '--wait=true']);
    await readyPods('app=nginx', 3);
    const after = await podIPs('app=nginx');
    await waitFor(async () => (await short(`web-0.nginx.default.svc.${ZONE}`)).join() === after['web-0'], { timeoutMs: 10_000 });
  });

  it('names pods by hostname + subdomain and refuses the seed Service with the typo', async () => {
    await ok(['apply', '-f', manifest('004-pod-hostname-subdomain.yaml')]);
    await readyPods('app=mysql', 1);
    const ip = Object.values(await podIPs('app=mysql'))[0]!;
    await waitFor(async () => (await short(`mysql-primary.mysql-h.default.svc.${ZONE}`)).join() === ip, { timeoutMs: 10_000 });
    expect(await short(`${ip.replaceAll('.', '-')}.default.pod.${ZONE}`)).toEqual([ip]);

    const bad = await cluster().kubectl(['apply', '-n', 'default', '-f', manifest('004-bad-headless-service.yaml')], { allowFail: true });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/metadata/);
  });

  it('follows readiness: a pod that stops being Ready leaves DNS and moves to notReadyAddresses', async () => {
    await ok(['create', 'service', 'clusterip', 'db', '--clusterip=None', '--tcp=5432:5432']);
    const pod = (name: string, extra = '') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: {app: db}
  ${extra}
spec:
  hostname: ${name}
  subdomain: db
  containers: [{name: pg, image: postgres:16, ports: [{containerPort: 5432}]}]
`;
    await ok(['apply', '-f', '-'], pod('db-0') + '---\n' + pod('db-1'));
    await readyPods('app=db', 2);
    await waitFor(async () => (await short(`db.default.svc.${ZONE}`)).length === 2, { timeoutMs: 10_000 });

    // Replace db-1 with a pod whose readiness never succeeds (docs/simulation.md).
    await ok(['delete', 'pod', 'db-1', '--wait=true']);
    await ok(['apply', '-f', '-'], pod('db-1', 'annotations: {sim.k8ts.io/never-ready: "true"}'));
    await waitFor(async () => (await ok(['get', 'pod', 'db-1', '-o', 'jsonpath={.status.podIP}'])) !== '', { timeoutMs: 30_000 });
    await waitFor(async () => (await status(`db-1.db.default.svc.${ZONE}`)) === 'NXDOMAIN', { timeoutMs: 10_000 });
    expect(await short(`db.default.svc.${ZONE}`)).toHaveLength(1);
    const ep = JSON.parse(await ok(['get', 'endpoints', 'db', '-o', 'json']));
    expect(ep.subsets[0].notReadyAddresses.map((a: { hostname: string }) => a.hostname)).toEqual(['db-1']);

    // publishNotReadyAddresses brings it back.
    await ok(['patch', 'service', 'db', '-p', '{"spec":{"publishNotReadyAddresses":true}}']);
    await waitFor(async () => (await short(`db-1.db.default.svc.${ZONE}`)).length === 1, { timeoutMs: 10_000 });
  });

  it('gives ClusterIP, NodePort and ExternalName Services what upstream gives them', async () => {
    await ok(['create', 'deployment', 'hello', '--image=nginx:1.27', '--replicas=2', '--port=8080']);
    await ok(['expose', 'deployment', 'hello', '--port=80', '--target-port=8080', '--name=hello']);
    const ip = await ok(['get', 'svc', 'hello', '-o', 'jsonpath={.spec.clusterIP}']);
    expect(ip).toMatch(/^10\.96\.\d+\.\d+$/);
    expect(await short(`hello.default.svc.${ZONE}`)).toEqual([ip]);
    const [a, b, c, d] = ip.split('.');
    expect(await short(`${d}.${c}.${b}.${a}.in-addr.arpa`, 'PTR')).toEqual([`hello.default.svc.${ZONE}.`]);
    expect(await status(`hello.default.svc.${ZONE}`, 'AAAA')).toBe('NOERROR');
    expect(await status(`nope.default.svc.${ZONE}`)).toBe('NXDOMAIN');
    expect(await status(`x.nonamespace.svc.${ZONE}`)).toBe('NXDOMAIN');
    await readyPods('app=hello', 2);
    await waitFor(async () => (await ok(['get', 'endpoints', 'hello', '-o', 'jsonpath={.subsets[0].addresses[*].ip}'])).split(' ').length === 2, { timeoutMs: 10_000 });

    await ok(['create', 'service', 'nodeport', 'np', '--tcp=80:8080']);
    const nodePort = Number(await ok(['get', 'svc', 'np', '-o', 'jsonpath={.spec.ports[0].nodePort}']));
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    expect(nodePort).toBeLessThanOrEqual(32767);
    const taken = await cluster().kubectl(['create', 'service', 'nodeport', 'np2', '--tcp=80:8080', `--node-port=${nodePort}`], { allowFail: true });
    expect(taken.stderr).toContain(`spec.ports[0].nodePort: Invalid value: ${nodePort}: provided port is already allocated`);
    const sameIP = await cluster().kubectl(['create', 'service', 'clusterip', 'twin', '--tcp=80:80', `--clusterip=${ip}`], { allowFail: true });
    expect(sameIP.stderr).toContain(`failed to allocate IP ${ip}: provided IP is already allocated`);
    const outside = await cluster().kubectl(['create', 'service', 'clusterip', 'far', '--tcp=80:80', '--clusterip=192.168.0.10'], { allowFail: true });
    expect(outside.stderr).toContain('The range of valid IPs is 10.96.0.0/16');
    const typeChange = await cluster().kubectl(['patch', 'svc', 'np', '-p', '{"spec":{"type":"ClusterIP"}}']);
    expect(typeChange.code).toBe(0);
    expect(await ok(['get', 'svc', 'np', '-o', 'jsonpath={.spec.ports[0].nodePort}'])).toBe('');

    await ok(['create', 'service', 'externalname', 'ext', '--external-name=example.com']);
    expect(await short(`ext.default.svc.${ZONE}`, 'CNAME')).toEqual(['example.com.']);
    const lb = await ok(['create', 'service', 'loadbalancer', 'lb', '--tcp=80:8080', '-o', 'jsonpath={.spec.ports[0].nodePort}']);
    expect(Number(lb)).toBeGreaterThanOrEqual(30000);
    expect(await ok(['get', 'svc', 'lb'])).toMatch(/lb\s+LoadBalancer\s+10\.96\.[\d.]+\s+<pending>\s+80:\d+\/TCP/);
  });

  it('mirrors user-managed Endpoints of a selector-less Service into a slice DNS answers from', async () => {
    await ok(
      ['apply', '-f', '-'],
      `apiVersion: v1
kind: Service
metadata: {name: legacy}
spec:
  clusterIP: None
  ports: [{port: 5432}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: legacy}
subsets:
- addresses: [{ip: 192.168.1.10}]
  ports: [{port: 5432}]
`,
    );
    await waitFor(async () => (await short(`legacy.default.svc.${ZONE}`)).join() === '192.168.1.10', { timeoutMs: 10_000 });
    const slice = JSON.parse(await ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=legacy', '-o', 'json'])).items[0];
    expect(slice.metadata.labels['endpointslice.kubernetes.io/managed-by']).toBe('endpointslicemirroring-controller.k8s.io');
  });
});
