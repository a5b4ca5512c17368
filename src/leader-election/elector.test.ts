import { afterEach, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../cli/control-plane.ts';
import { LeaderElector, type ElectionTimings } from './elector.ts';

// Short real timings keep the test quick; the logic is the same at 15/10/2 s.
const timings: ElectionTimings = { leaseDurationMs: 600, renewDeadlineMs: 400, retryPeriodMs: 50 };

async function eventually(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('LeaderElector', () => {
  let cp: ControlPlane | undefined;
  const stops: AbortController[] = [];
  afterEach(async () => {
    for (const s of stops.splice(0)) s.abort();
    await cp?.stop();
  });

  function candidate(identity: string, terms: string[]) {
    const stop = new AbortController();
    stops.push(stop);
    const elector = new LeaderElector({
      client: cp!.client,
      name: 'kube-controller-manager',
      identity,
      timings,
      lead: (signal) =>
        new Promise<void>((resolve) => {
          terms.push(`${identity} starts`);
          signal.addEventListener('abort', () => {
            terms.push(`${identity} stops`);
            resolve();
          });
        }),
    });
    const done = elector.run(stop.signal);
    return { elector, stop, done };
  }

  const lease = async () => (await cp!.client.resource({ apiVersion: 'coordination.k8s.io/v1', resource: 'leases', namespaced: true }).get('kube-system', 'kube-controller-manager')).spec as Record<string, unknown>;

  it('elects exactly one leader, and hands over at once when it steps down', async () => {
    cp = await startControlPlane({ datastore: 'memory', controllers: false });
    const terms: string[] = [];
    const a = candidate('a', terms);
    await eventually(() => a.elector.isLeader());
    const b = candidate('b', terms);
    // b keeps reading a live lease and never leads while a renews.
    await eventually(() => b.elector.leader() === 'a');
    await new Promise((r) => setTimeout(r, timings.leaseDurationMs * 2));
    expect(b.elector.isLeader()).toBe(false);
    expect(await lease()).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 1, leaseTransitions: 0 });
    a.stop.abort();
    await a.done;
    await eventually(() => b.elector.isLeader());
    expect(await lease()).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    expect(terms).toEqual(['a starts', 'a stops', 'b starts']);
  });

  it('a leader that cannot renew stops leading before its lease expires for others', async () => {
    cp = await startControlPlane({ datastore: 'memory', controllers: false });
    const terms: string[] = [];
    const a = candidate('a', terms);
    await eventually(() => a.elector.isLeader());
    // Another writer takes the lease from under it (as if a's renewals had been failing).
    const leases = cp.client.resource({ apiVersion: 'coordination.k8s.io/v1', resource: 'leases', namespaced: true });
    const live = await leases.get('kube-system', 'kube-controller-manager');
    await leases.update('kube-system', { ...live, spec: { ...(live.spec as object), holderIdentity: 'z' } });
    await eventually(() => !a.elector.isLeader());
    expect(terms).toEqual(['a starts', 'a stops']);
  });
});
