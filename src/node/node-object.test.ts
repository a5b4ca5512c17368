import { describe, expect, it } from 'vitest';
import { CPU_ANNOTATION, nodeIndexFromCidr, nodeIpFor, podCidrFor, SIMULATED_ANNOTATION } from './contract.ts';
import { IpAllocator } from './ip-allocator.ts';
import { renewOffsetMs } from './node-agent.ts';
import { createNodeObject, nextNodeIndex } from './node-object.ts';
import { buildNodeStatus, nodeStatusStale } from './node-status.ts';

describe('node addressing', () => {
  it.each([
    [0, '10.244.0.0/24', '172.18.0.2'],
    [1, '10.244.1.0/24', '172.18.0.3'],
    [253, '10.244.253.0/24', '172.18.0.255'],
    [254, '10.244.254.0/24', '172.18.1.0'],
    [256, '10.128.0.0/24', '172.18.1.2'],
    [4999, '10.146.135.0/24', '172.18.19.137'],
  ])('node %i: pod CIDR %s, InternalIP %s', (i, cidr, ip) => {
    expect(podCidrFor(i)).toBe(cidr);
    expect(nodeIndexFromCidr(cidr)).toBe(i);
    expect(nodeIpFor(i)).toBe(ip);
  });

  it('hands out pod IPs from .2, never the same twice at once', () => {
    const ips = new IpAllocator('10.244.1.0/24');
    const got = Array.from({ length: 253 }, () => ips.allocate());
    expect(got[0]).toBe('10.244.1.2');
    expect(new Set(got).size).toBe(253);
    expect(ips.allocate()).toBeUndefined();
    ips.release('10.244.1.7');
    expect(ips.allocate()).toBe('10.244.1.7');
    expect(ips.claim('10.244.2.5')).toBe(false);
  });

  it('spreads lease renewals over the interval on 500 ms slots', () => {
    const offsets = new Set(Array.from({ length: 1000 }, (_, i) => renewOffsetMs(`n${i}`, 10_000)));
    expect(offsets.size).toBe(20);
    for (const o of offsets) expect(o % 500).toBe(0);
  });
});

describe('createNodeObject', () => {
  it('writes a kind-style node with its capacity in annotations', () => {
    const n = createNodeObject('k8ts-worker3', { index: 3, labels: { disktype: 'ssd' }, taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }], cpu: '4' });
    expect(n.metadata.annotations).toEqual({ [SIMULATED_ANNOTATION]: 'true', [CPU_ANNOTATION]: '4' });
    expect(n.metadata.labels).toMatchObject({ disktype: 'ssd', 'kubernetes.io/hostname': 'k8ts-worker3', 'kubernetes.io/os': 'linux' });
    expect(n.spec).toEqual({ podCIDR: '10.244.3.0/24', podCIDRs: ['10.244.3.0/24'], taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] });
    expect(nextNodeIndex([createNodeObject('a', { index: 0 }), n])).toBe(1);
  });
});

describe('buildNodeStatus', () => {
  it('reports capacity, addresses, versions and healthy conditions; keeps transition times', () => {
    const node = createNodeObject('k8ts-worker', { index: 1, memory: '8Gi' });
    const st = buildNodeStatus({ node, ip: '172.18.0.3', now: Date.UTC(2026, 0, 1), kubeletVersion: 'v1.35.0+k8ts', runtimeVersion: 'k8ts-sim://0.1.0' }) as any;
    expect(st.capacity).toEqual({ cpu: '8', 'ephemeral-storage': '100Gi', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '8Gi', pods: '110' });
    expect(st.allocatable).toEqual(st.capacity);
    expect(st.conditions.map((c: any) => `${c.type}=${c.status}`)).toEqual(['NetworkUnavailable=False', 'MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True']);
    expect(st.nodeInfo).toMatchObject({ kubeletVersion: 'v1.35.0+k8ts', containerRuntimeVersion: 'k8ts-sim://0.1.0', operatingSystem: 'linux' });
    const later = buildNodeStatus({ node: { ...node, status: st }, ip: '172.18.0.3', now: Date.UTC(2026, 0, 1, 0, 5), kubeletVersion: 'v', runtimeVersion: 'r' }) as any;
    const ready = later.conditions.find((c: any) => c.type === 'Ready');
    expect(ready).toMatchObject({ lastTransitionTime: '2026-01-01T00:00:00Z', lastHeartbeatTime: '2026-01-01T00:05:00Z' });
    expect(nodeStatusStale({ ...node, status: st })).toBe(false);
    expect(nodeStatusStale({ ...node, status: { ...st, conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }] } })).toBe(true);
  });
});
