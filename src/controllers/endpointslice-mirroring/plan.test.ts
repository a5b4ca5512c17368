import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { planMirroring, shouldMirror } from './plan.ts';

const endpoints = (subsets: unknown[], meta: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name: 'legacy', namespace: 'demo', uid: 'uid-ep', ...meta },
  subsets,
});

const stored = (s: KubeObject, name: string): KubeObject => JSON.parse(JSON.stringify({ ...s, metadata: { ...s.metadata, generateName: undefined, name, resourceVersion: '7', uid: `u-${name}` } }));

describe('shouldMirror', () => {
  it.each([
    [{}, true],
    [{ labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }, false],
    [{ labels: { 'endpointslice.kubernetes.io/skip-mirror': 'false' } }, true],
    [{ annotations: { 'control-plane.alpha.kubernetes.io/leader': '{}' } }, false],
  ])('%j', (meta, want) => {
    expect(shouldMirror(endpoints([], meta))).toBe(want);
  });
});

describe('planMirroring', () => {
  it('mirrors addresses as ready and notReadyAddresses as not ready, with labels, annotations and owner', () => {
    const ep = endpoints(
      [{ addresses: [{ ip: '192.168.1.10', hostname: 'db-a' }], notReadyAddresses: [{ ip: '192.168.1.11', nodeName: 'n1' }], ports: [{ port: 5432, protocol: 'TCP' }] }],
      { labels: { team: 'db' }, annotations: { note: 'x', 'endpoints.kubernetes.io/last-change-trigger-time': 't', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
    );
    const p = planMirroring(ep, []);
    expect([p.create.length, p.update.length, p.delete.length]).toEqual([1, 0, 0]);
    expect(p.create[0]).toEqual({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        generateName: 'legacy-',
        namespace: 'demo',
        labels: { team: 'db', 'kubernetes.io/service-name': 'legacy', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' },
        annotations: { note: 'x' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Endpoints', name: 'legacy', uid: 'uid-ep', controller: true, blockOwnerDeletion: true }],
      },
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['192.168.1.10'], conditions: { ready: true }, hostname: 'db-a' },
        { addresses: ['192.168.1.11'], conditions: { ready: false }, nodeName: 'n1' },
      ],
      ports: [{ name: '', protocol: 'TCP', port: 5432 }],
    });
  });

  it('splits by address family and port set; skips invalid IPs', () => {
    const ep = endpoints([
      { addresses: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }, { ip: 'not-an-ip' }], ports: [{ name: 'a', port: 1, protocol: 'TCP' }] },
      { addresses: [{ ip: '10.0.0.2' }], ports: [{ name: 'b', port: 2, protocol: 'UDP' }] },
    ]);
    const p = planMirroring(ep, []);
    expect(p.create.map((s) => [s.addressType, (s.endpoints as { addresses: string[] }[]).map((e) => e.addresses[0])]).sort()).toEqual([
      ['IPv4', ['10.0.0.1']],
      ['IPv4', ['10.0.0.2']],
      ['IPv6', ['fd00::1']],
    ]);
    expect([p.invalid, p.skipped]).toEqual([1, 1]);
  });

  it('writes nothing when the slice is as wanted, updates in place when not, deletes when emptied', () => {
    const ep = endpoints([{ addresses: [{ ip: '192.168.1.10' }], ports: [{ port: 5432, protocol: 'TCP' }] }]);
    const slice = stored(planMirroring(ep, []).create[0]!, 'legacy-abcde');
    expect(planMirroring(ep, [slice])).toMatchObject({ create: [], update: [], delete: [] });

    const more = endpoints([{ addresses: [{ ip: '192.168.1.10' }, { ip: '192.168.1.12' }], ports: [{ port: 5432, protocol: 'TCP' }] }]);
    const p = planMirroring(more, [slice]);
    expect([p.create.length, p.update.length, p.delete.length]).toEqual([0, 1, 0]);
    expect(p.update[0]!.metadata).toMatchObject({ name: 'legacy-abcde', resourceVersion: '7' });
    expect((p.update[0]!.endpoints as unknown[]).length).toBe(2);

    const relabelled = endpoints([{ addresses: [{ ip: '192.168.1.10' }], ports: [{ port: 5432, protocol: 'TCP' }] }], { labels: { x: 'y' } });
    expect(planMirroring(relabelled, [slice]).update).toHaveLength(1);

    const empty = endpoints([]);
    expect(planMirroring(empty, [slice])).toMatchObject({ create: [], update: [], delete: [slice] });
  });

  it('a new port set takes over the old slice by name', () => {
    const ep = endpoints([{ addresses: [{ ip: '192.168.1.10' }], ports: [{ port: 5432, protocol: 'TCP' }] }]);
    const slice = stored(planMirroring(ep, []).create[0]!, 'legacy-abcde');
    const moved = endpoints([{ addresses: [{ ip: '192.168.1.10' }], ports: [{ port: 5433, protocol: 'TCP' }] }]);
    const p = planMirroring(moved, [slice]);
    expect([p.create.length, p.update.length, p.delete.length]).toEqual([0, 1, 0]);
    expect(p.update[0]).toMatchObject({ metadata: { name: 'legacy-abcde' }, ports: [{ port: 5433 }] });
  });

  it('mirrors at most 1000 addresses per subset', () => {
    const addrs = Array.from({ length: 1005 }, (_, i) => ({ ip: `10.1.${Math.floor(i / 250)}.${i % 250}` }));
    const p = planMirroring(endpoints([{ addresses: addrs, ports: [{ port: 80, protocol: 'TCP' }] }]), []);
    expect((p.create[0]!.endpoints as unknown[]).length).toBe(1000);
    expect([p.invalid, p.skipped]).toEqual([0, 5]);
  });
});
