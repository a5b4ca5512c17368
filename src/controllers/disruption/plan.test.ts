import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { rfc3339 } from '../../util/clock.ts';
import { decrementBudget, canIgnorePdb } from './eviction.ts';
import { DELETION_TIMEOUT_MS, failSafeStatus, planPdbStatus, scaledValue, type PdbStatus, type PodController } from './plan.ts';

const NOW = Date.UTC(2026, 0, 1, 12);
const pdb = (spec: Record<string, unknown>, status: Partial<PdbStatus> = {}, generation = 1): KubeObject => ({
  metadata: { name: 'web', namespace: 'default', generation },
  spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
  status,
});
const pod = (name: string, o: { ready?: boolean; deleting?: boolean } = {}): KubeObject => ({
  metadata: { name, namespace: 'default', labels: { app: 'web' }, ...(o.deleting ? { deletionTimestamp: rfc3339(NOW) } : {}) },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});
const sts: PodController = { uid: 'sts-uid', replicas: 5 };
const owned = (names: string[], c: PodController = sts) => new Map(names.map((n) => [n, c]));

describe('scaledValue', () => {
  it.each([[2, 10, 2], ['50%', 5, 3], ['10%', 5, 1], ['0%', 5, 0], ['100%', 3, 3]] as const)('%s of %d = %d', (v, total, want) => expect(scaledValue(v, total)).toBe(want));
  it('refuses a non-percent string', () => expect(() => scaledValue('3', 5)).toThrow('string is not a percentage'));
});

describe('planPdbStatus', () => {
  const three = ['web-0', 'web-1', 'web-2'];
  const cases: { name: string; pdb: KubeObject; pods: KubeObject[]; controllers?: Map<string, PodController>; want: Partial<PdbStatus> }[] = [
    { name: 'minAvailable int counts pods', pdb: pdb({ minAvailable: 2 }), pods: three.map((n) => pod(n)), want: { expectedPods: 3, desiredHealthy: 2, currentHealthy: 3, disruptionsAllowed: 1 } },
    { name: 'minAvailable percent uses the controller scale', pdb: pdb({ minAvailable: '50%' }), pods: three.map((n) => pod(n)), controllers: owned(three), want: { expectedPods: 5, desiredHealthy: 3, currentHealthy: 3, disruptionsAllowed: 0 } },
    { name: 'maxUnavailable int', pdb: pdb({ maxUnavailable: 1 }), pods: three.map((n) => pod(n)), controllers: owned(three, { uid: 'x', replicas: 3 }), want: { expectedPods: 3, desiredHealthy: 2, disruptionsAllowed: 1 } },
    { name: 'maxUnavailable percent', pdb: pdb({ maxUnavailable: '34%' }), pods: three.map((n) => pod(n)), controllers: owned(three, { uid: 'x', replicas: 3 }), want: { expectedPods: 3, desiredHealthy: 1, disruptionsAllowed: 2 } },
    { name: 'unready and terminating pods are not healthy', pdb: pdb({ minAvailable: 1 }), pods: [pod('a', { ready: false }), pod('b', { deleting: true }), pod('c')], want: { currentHealthy: 1, disruptionsAllowed: 0 } },
    { name: 'no pods: nothing allowed', pdb: pdb({ maxUnavailable: 1 }), pods: [], want: { expectedPods: 0, disruptionsAllowed: 0 } },
    {
      name: 'a recently evicted pod counts as gone',
      pdb: pdb({ minAvailable: 1 }, { disruptedPods: { 'web-0': rfc3339(NOW - 1000) } }),
      pods: three.map((n) => pod(n)),
      want: { currentHealthy: 2, disruptionsAllowed: 1, disruptedPods: { 'web-0': rfc3339(NOW - 1000) } },
    },
    {
      name: 'an eviction not followed by deletion expires',
      pdb: pdb({ minAvailable: 1 }, { disruptedPods: { 'web-0': rfc3339(NOW - DELETION_TIMEOUT_MS - 1000) } }),
      pods: three.map((n) => pod(n)),
      want: { currentHealthy: 3, disruptionsAllowed: 2, disruptedPods: {} },
    },
  ];
  it.each(cases)('$name', (c) => {
    const plan = planPdbStatus({ pdb: c.pdb, pods: c.pods, controllers: c.controllers ?? new Map(), now: NOW, rfc3339 });
    expect(plan.status).toMatchObject({ ...c.want, observedGeneration: 1 });
    const cond = plan.status!.conditions!.find((x) => x.type === 'DisruptionAllowed')!;
    expect([cond.status, cond.reason]).toEqual(plan.status!.disruptionsAllowed > 0 ? ['True', 'SufficientPods'] : ['False', 'InsufficientPods']);
  });

  it('writes nothing when the status is already right, and rechecks when an eviction expires', () => {
    const first = planPdbStatus({ pdb: pdb({ minAvailable: 1 }, { disruptedPods: { 'web-0': rfc3339(NOW) } }), pods: [pod('web-0'), pod('web-1')], controllers: new Map(), now: NOW, rfc3339 });
    const again = planPdbStatus({ pdb: pdb({ minAvailable: 1 }, first.status), pods: [pod('web-0'), pod('web-1')], controllers: new Map(), now: NOW + 5000, rfc3339 });
    expect(again.status).toBeUndefined();
    expect(again.recheckAt).toBe(NOW + DELETION_TIMEOUT_MS);
  });

  it('lists unmanaged pods, fails when a controller is missing', () => {
    const plan = planPdbStatus({ pdb: pdb({ minAvailable: '50%' }), pods: [pod('a'), pod('b')], controllers: new Map([['a', null], ['b', sts]]), now: NOW, rfc3339 });
    expect(plan.unmanaged).toEqual(['a']);
    expect(() => planPdbStatus({ pdb: pdb({ maxUnavailable: 1 }), pods: [pod('a')], controllers: new Map(), now: NOW, rfc3339 })).toThrow('found no controllers for pod "a"');
  });

  it('fails safe with SyncFailed', () => {
    const s = failSafeStatus(pdb({ minAvailable: 1 }, { disruptionsAllowed: 2, currentHealthy: 3, desiredHealthy: 1, expectedPods: 3 }), 'boom', 'T');
    expect(s).toMatchObject({ disruptionsAllowed: 0, currentHealthy: 3, conditions: [{ type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message: 'boom' }] });
  });
});

describe('decrementBudget', () => {
  const status = (allowed: number): Partial<PdbStatus> => ({ disruptionsAllowed: allowed, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, observedGeneration: 1 });
  it('spends one disruption and records the pod', () => {
    const s = decrementBudget(pdb({ minAvailable: 2 }, status(1)), 'web-0', 'T');
    expect(s).toMatchObject({ disruptionsAllowed: 0, disruptedPods: { 'web-0': 'T' }, conditions: [{ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' }] });
  });
  const refusals: [string, KubeObject, number, string | RegExp][] = [
    ['none allowed', pdb({ minAvailable: 2 }, status(0)), 429, 'The disruption budget web needs 2 healthy pods and has 3 currently'],
    ['status behind the spec', pdb({ minAvailable: 2 }, status(1), 2), 429, 'The disruption budget web is still being processed by the server.'],
    ['negative', pdb({ minAvailable: 2 }, status(-1)), 403, /pdb disruptions allowed is negative/],
  ];
  it.each(refusals)('refuses: %s', (_n, p, code, cause) => {
    let err: unknown;
    try {
      decrementBudget(p, 'web-0', 'T');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code });
    if (code === 429) {
      expect((err as Error).message).toBe("Cannot evict pod as it would violate the pod's disruption budget.");
      expect((err as { details: { causes: { reason: string; message: string }[] } }).details.causes[0]).toEqual({ reason: 'DisruptionBudget', message: cause });
    } else expect((err as Error).message).toMatch(cause);
  });
  it('terminal, pending and terminating pods need no budget', () => {
    expect(canIgnorePdb(pod('a'))).toBe(false);
    expect(canIgnorePdb(pod('a', { deleting: true }))).toBe(true);
    expect(canIgnorePdb({ metadata: {}, status: { phase: 'Succeeded' } })).toBe(true);
    expect(canIgnorePdb({ metadata: {}, status: { phase: 'Pending' } })).toBe(true);
  });
});
