import { describe, expect, it } from 'vitest';
import { SchedulerCache } from './cache.ts';
import { podInfo } from './pod-info.ts';
import { makeNode, makePod } from './testing.ts';

const placed = (pod: ReturnType<typeof makePod>, nodeName: string) => ({ ...pod, spec: { ...pod.spec, nodeName } });

describe('SchedulerCache', () => {
  it('counts assumed pods until the informer confirms them, once', () => {
    const c = new SchedulerCache();
    c.upsertNode(makeNode('n1'));
    const pod = makePod('p', { cpu: '1' });
    c.assume(podInfo(pod), 'n1');
    expect(c.nodeInfo('n1')!.reqCpu).toBe(1000);
    expect(c.isAssumed(pod.metadata.uid!)).toBe(true);
    c.setAssignedPod(placed(pod, 'n1'));
    expect(c.isAssumed(pod.metadata.uid!)).toBe(false);
    expect(c.nodeInfo('n1')!.reqCpu).toBe(1000);
    expect(c.nodeInfo('n1')!.podCount).toBe(1);
  });

  it('forgets a failed assumption but not a confirmed pod', () => {
    const c = new SchedulerCache();
    c.upsertNode(makeNode('n1'));
    const a = makePod('a', { cpu: '1' });
    const b = makePod('b', { cpu: '1' });
    c.assume(podInfo(a), 'n1');
    c.forget(a.metadata.uid!);
    expect(c.nodeInfo('n1')!.reqCpu).toBe(0);
    c.setAssignedPod(placed(b, 'n1'));
    c.forget(b.metadata.uid!);
    expect(c.nodeInfo('n1')!.reqCpu).toBe(1000);
  });

  it('frees terminal pods and keeps pods of deleted nodes out of the list', () => {
    const c = new SchedulerCache();
    c.upsertNode(makeNode('n1'));
    c.upsertNode(makeNode('n2'));
    const p = placed(makePod('p', { cpu: '1', hostPort: 80 }), 'n1');
    c.setAssignedPod(p);
    expect(c.nodeInfo('n1')!.usedPorts.size).toBe(1);
    c.setAssignedPod({ ...p, status: { phase: 'Succeeded' } });
    expect(c.nodeInfo('n1')!.reqCpu).toBe(0);
    expect(c.nodeInfo('n1')!.usedPorts.size).toBe(0);
    c.setAssignedPod(placed(makePod('q'), 'n2'));
    c.removeNode('n2');
    expect(c.nodes.map((n) => n.name)).toEqual(['n1']);
    expect([...c.assignedPods('default')]).toHaveLength(1);
  });

  it('indexes pods by namespace and affinity', () => {
    const c = new SchedulerCache();
    c.upsertNode(makeNode('n1'));
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: {}, topologyKey: 'kubernetes.io/hostname' }] } };
    const p = makePod('p', { namespace: 'x', affinity: anti });
    c.setAssignedPod(placed(p, 'n1'));
    expect([...c.assignedPods('x')]).toHaveLength(1);
    expect([...c.assignedPods('y')]).toHaveLength(0);
    expect([...c.podsWithRequiredAntiAffinity()]).toHaveLength(1);
    c.removePod(p.metadata.uid!);
    expect([...c.podsWithAffinity()]).toHaveLength(0);
  });
});
