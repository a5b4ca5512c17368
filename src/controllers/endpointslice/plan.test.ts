import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { pod, service } from '../endpoints/testing.ts';
import { endpointDigest, endpointId, endpointPorts, ENDPOINTSLICE_CONTROLLER, portMapKey, podToEndpoint, sliceLabels, type Endpoint, type SlicePort } from './endpoint.ts';
import { desiredSet, planSlices, type DesiredSet, type SlicePlan } from './plan.ts';

describe('podToEndpoint conditions (the readiness table)', () => {
  it.each([
    ['Running + Ready', {}, {}, { ready: true, serving: true, terminating: false }],
    ['Running, not Ready', { ready: false }, {}, { ready: false, serving: false, terminating: false }],
    ['not Ready, publishNotReadyAddresses', { ready: false }, { publishNotReady: true }, { ready: true, serving: false, terminating: false }],
    [
      'not Ready, tolerate-unready annotation',
      { ready: false },
      { annotations: { 'service.alpha.kubernetes.io/tolerate-unready-endpoints': 'true' } },
      { ready: true, serving: false, terminating: false },
    ],
    ['terminating, still Ready', { terminating: true }, {}, { ready: false, serving: true, terminating: true }],
    ['terminating, publishNotReadyAddresses', { terminating: true, ready: false }, { publishNotReady: true }, { ready: true, serving: false, terminating: true }],
  ])('%s', (_name, podOpts, svcOpts, want) => {
    expect(podToEndpoint(pod('a', { ip: '10.42.0.5', ...podOpts }), service('web', svcOpts), 'IPv4', undefined).conditions).toEqual(want);
  });

  it('fills hostname, node, zone and the target; addresses of the slice family only', () => {
    const p = pod('web-0', { ip: ['10.42.0.11', 'fd00::11'], hostname: 'web-0', subdomain: 'nginx', node: 'node-b' });
    expect(podToEndpoint(p, service('nginx', { headless: true }), 'IPv4', 'zone-1')).toEqual({
      addresses: ['10.42.0.11'],
      conditions: { ready: true, serving: true, terminating: false },
      hostname: 'web-0',
      targetRef: { kind: 'Pod', namespace: 'demo', name: 'web-0', uid: 'uid-web-0' },
      nodeName: 'node-b',
      zone: 'zone-1',
    });
    expect(podToEndpoint(p, service('other', { headless: true }), 'IPv6', undefined)).toEqual({
      addresses: ['fd00::11'],
      conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: 'Pod', namespace: 'demo', name: 'web-0', uid: 'uid-web-0' },
      nodeName: 'node-b',
    });
  });
});

describe('endpointPorts', () => {
  it('resolves target ports per pod and leaves out the ones a pod lacks', () => {
    const svc = service('web', {
      ports: [
        { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' },
        { name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP' },
      ],
    });
    const a = pod('a', { ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9100 }] });
    const b = pod('b', { ports: [{ name: 'http', containerPort: 8081 }] });
    expect(endpointPorts(svc, a)).toEqual([
      { name: 'http', protocol: 'TCP', port: 8080, appProtocol: 'http' },
      { name: 'metrics', protocol: 'TCP', port: 9100 },
    ]);
    expect(endpointPorts(svc, b)).toEqual([{ name: 'http', protocol: 'TCP', port: 8081, appProtocol: 'http' }]);
    expect(portMapKey(endpointPorts(svc, a))).not.toBe(portMapKey(endpointPorts(svc, b)));
  });

  it('gives none for a headless Service without ports; the key ignores order', () => {
    expect(endpointPorts(service('db', { headless: true, ports: [] }), pod('a'))).toEqual([]);
    const p1: SlicePort = { name: 'a', protocol: 'TCP', port: 1 };
    const p2: SlicePort = { name: 'b', protocol: 'TCP', port: 2 };
    expect(portMapKey([p1, p2])).toBe(portMapKey([p2, p1]));
  });
});

describe('sliceLabels', () => {
  it('takes the Service labels, not its reserved ones, and adds the headless label', () => {
    const svc = service('nginx', { headless: true, labels: { app: 'nginx', 'kubernetes.io/service-name': 'fake', 'endpointslice.kubernetes.io/managed-by': 'me' } });
    expect(sliceLabels(svc, ENDPOINTSLICE_CONTROLLER)).toEqual({
      app: 'nginx',
      'service.kubernetes.io/headless': '',
      'kubernetes.io/service-name': 'nginx',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
    expect(sliceLabels(service('web'), ENDPOINTSLICE_CONTROLLER)).toEqual({ 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
  });
});

// --- planSlices -----------------------------------------------------------------------------

const svc = service('web', { ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
const PORTS: SlicePort[] = [{ name: 'http', protocol: 'TCP', port: 8080 }];
const ip = (i: number) => `10.42.${Math.floor(i / 200)}.${(i % 200) + 2}`;
const ep = (i: number, ready = true): Endpoint => podToEndpoint(pod(`p${i}`, { ip: ip(i), ready }), svc, 'IPv4', undefined);

function desired(eps: Endpoint[], ports = PORTS): Map<string, DesiredSet> {
  const set = desiredSet(
    ports,
    eps.map((e) => ({ ep: e, id: endpointId(e), digest: endpointDigest(e) })),
  );
  return new Map(eps.length ? [[portMapKey(ports), set]] : []);
}

let rv = 100;
/** What the API would store for the plan: names and revisions for new slices, revisions bumped. */
function apply(existing: KubeObject[], plan: SlicePlan): KubeObject[] {
  const gone = new Set(plan.delete.map((s) => s.metadata.name));
  const updated = new Map(plan.update.map((s) => [s.metadata.name, s]));
  const out = existing.filter((s) => !gone.has(s.metadata.name)).map((s) => {
    const u = updated.get(s.metadata.name);
    return u ? JSON.parse(JSON.stringify({ ...u, metadata: { ...u.metadata, resourceVersion: String(++rv) } })) : s;
  });
  for (const c of plan.create) {
    out.push(JSON.parse(JSON.stringify({ ...c, metadata: { ...c.metadata, name: `web-${++rv}`, uid: `s${rv}`, resourceVersion: String(rv) } })));
  }
  return out;
}

const plan = (existing: KubeObject[], eps: Endpoint[], opts: { triggerTime?: number; service?: KubeObject; ports?: SlicePort[] } = {}) =>
  planSlices({
    svc: opts.service ?? svc,
    addressType: 'IPv4',
    desired: desired(eps, opts.ports),
    existing,
    controllerName: ENDPOINTSLICE_CONTROLLER,
    maxEndpointsPerSlice: 100,
    triggerTime: opts.triggerTime,
  });
const counts = (p: SlicePlan) => [p.create.length, p.update.length, p.delete.length];
const sizes = (slices: KubeObject[]) => slices.map((s) => (s.endpoints as unknown[]).length).sort((a, b) => b - a);
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ep(from + i));

describe('planSlices', () => {
  it('creates slices of at most 100 with the metadata of the spec', () => {
    const p = plan([], range(250), { triggerTime: Date.UTC(2026, 0, 1, 0, 0, 10) });
    expect(counts(p)).toEqual([3, 0, 0]);
    expect(p.create.map((s) => (s.endpoints as unknown[]).length)).toEqual([100, 100, 50]);
    expect(p.create[0]!.metadata).toEqual({
      generateName: 'web-',
      namespace: 'demo',
      labels: { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'uid-svc-web', controller: true, blockOwnerDeletion: true }],
      annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2026-01-01T00:00:10Z' },
    });
    expect(p.create[0]).toMatchObject({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4', ports: PORTS });
  });

  it('leaves everything alone when nothing changed', () => {
    const slices = apply([], plan([], range(250)));
    expect(counts(plan(slices, range(250)))).toEqual([0, 0, 0]);
  });

  it('rewrites only the slice holding a changed endpoint', () => {
    const slices = apply([], plan([], range(250)));
    const eps = range(250);
    eps[120] = ep(120, false);
    const p = plan(slices, eps);
    expect(counts(p)).toEqual([0, 1, 0]);
    const holder = slices.find((s) => (s.endpoints as Endpoint[]).some((e) => e.targetRef?.name === 'p120'))!;
    expect(p.update[0]!.metadata.name).toBe(holder.metadata.name);
    expect(p.update[0]!.metadata.resourceVersion).toBe(holder.metadata.resourceVersion);
    expect((p.update[0]!.endpoints as Endpoint[]).find((e) => e.targetRef?.name === 'p120')!.conditions).toEqual({ ready: false, serving: false, terminating: false });
  });

  it('a removed endpoint shrinks its slice; a new one goes into the slice being rewritten', () => {
    const slices = apply([], plan([], range(250)));
    const eps = range(250).filter((_, i) => i !== 5);
    eps.push(ep(900));
    const p = plan(slices, eps);
    expect(counts(p)).toEqual([0, 1, 0]);
    const names = (p.update[0]!.endpoints as Endpoint[]).map((e) => e.targetRef?.name);
    expect(names).toContain('p900');
    expect(names).not.toContain('p5');
  });

  it('a new endpoint alone goes into the fullest unchanged slice with room', () => {
    const slices = apply([], plan([], range(250)));
    const p = plan(slices, [...range(250), ep(900)]);
    expect(counts(p)).toEqual([0, 1, 0]);
    expect((p.update[0]!.endpoints as unknown[]).length).toBe(51);
  });

  it('new endpoints that fit nowhere make a new slice', () => {
    const slices = apply([], plan([], range(200)));
    const p = plan(slices, range(230));
    expect(counts(p)).toEqual([1, 0, 0]);
    expect((p.create[0]!.endpoints as unknown[]).length).toBe(30);
  });

  it('an emptied slice is deleted; the rest stays', () => {
    const slices = apply([], plan([], range(250)));
    const small = slices.find((s) => (s.endpoints as unknown[]).length === 50)!;
    const inSmall = new Set((small.endpoints as Endpoint[]).map((e) => e.targetRef?.name));
    const p = plan(
      slices,
      range(250).filter((e) => !inSmall.has(e.targetRef?.name)),
    );
    expect(counts(p)).toEqual([0, 0, 1]);
    expect(p.delete[0]!.metadata.name).toBe(small.metadata.name);
  });

  it('no endpoints: one placeholder slice without ports, kept as it is', () => {
    const p = plan([], []);
    expect(counts(p)).toEqual([1, 0, 0]);
    expect(p.create[0]).toMatchObject({ endpoints: [], ports: [] });
    const slices = apply([], p);
    expect(counts(plan(slices, []))).toEqual([0, 0, 0]);
    // The first endpoints replace the placeholder under its name.
    const next = plan(slices, range(3));
    expect(counts(next)).toEqual([0, 1, 0]);
    expect(next.update[0]!.metadata.name).toBe(slices[0]!.metadata.name);
    expect(next.update[0]).toMatchObject({ ports: PORTS });
    expect((next.update[0]!.endpoints as unknown[]).length).toBe(3);
  });

  it('everything gone: the last slice becomes the placeholder', () => {
    const slices = apply([], plan([], range(30)));
    const p = plan(slices, []);
    expect(counts(p)).toEqual([0, 1, 0]);
    expect(p.update[0]).toMatchObject({ endpoints: [], ports: [], metadata: { name: slices[0]!.metadata.name } });
  });

  it('a changed port set moves endpoints to new slices under the old names', () => {
    const slices = apply([], plan([], range(150)));
    const other: SlicePort[] = [{ name: 'http', protocol: 'TCP', port: 9090 }];
    const p = plan(slices, range(150), { ports: other });
    expect(counts(p)).toEqual([0, 2, 0]);
    expect(p.update.map((s) => s.metadata.name).sort()).toEqual(slices.map((s) => s.metadata.name).sort());
    expect(p.update.every((s) => JSON.stringify(s.ports) === JSON.stringify(other))).toBe(true);
  });

  it('slices of another Service of the same name are deleted', () => {
    const slices = apply([], plan([], range(10)));
    const again = { ...svc, metadata: { ...svc.metadata, uid: 'uid-new' } };
    const p = plan(slices, range(10), { service: again });
    // The new slice takes a name only from a slice this Service owns: the stranger goes.
    expect(counts(p)).toEqual([1, 0, 1]);
    expect(p.create[0]!.metadata.ownerReferences![0]!.uid).toBe('uid-new');
  });

  it('a label change on the Service rewrites every slice', () => {
    const slices = apply([], plan([], range(150)));
    const labelled = { ...svc, metadata: { ...svc.metadata, labels: { tier: 'web' } } };
    const p = plan(slices, range(150), { service: labelled });
    expect(counts(p)).toEqual([0, 2, 0]);
    expect(p.update.every((s) => s.metadata.labels?.tier === 'web')).toBe(true);
  });

  it('keeps the slice count low over many single changes', () => {
    let slices = apply([], plan([], range(250)));
    let eps = range(250);
    for (let i = 0; i < 100; i++) {
      eps = eps.filter((e) => e.targetRef?.name !== `p${i * 2}`);
      eps.push(ep(1000 + i));
      const p = plan(slices, eps);
      expect(p.create.length + p.update.length + p.delete.length).toBeLessThanOrEqual(1);
      slices = apply(slices, p);
    }
    expect(sizes(slices).reduce((a, b) => a + b, 0)).toBe(250);
    expect(slices.length).toBe(3);
  });
});
