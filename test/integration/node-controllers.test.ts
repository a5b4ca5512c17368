// The node-facing controllers started together, as the control plane wires them: they sync,
// serve and stop cleanly on one signal.
import { describe, it } from 'vitest';
import { startControlPlane } from '../../src/cli/control-plane.ts';
import { createNodeControllers } from '../../src/controllers/node-lifecycle/start.ts';
import { FakeClock } from '../../src/util/clock.ts';
import { eventually } from './helpers.ts';

describe('createNodeControllers', () => {
  it('runs node lifecycle, pod GC and disruption on shared informers', async () => {
    const clock = new FakeClock();
    const cp = await startControlPlane({ datastore: 'memory', clock, controllers: false });
    const ctrls = createNodeControllers(cp.client, { clock });
    const stop = new AbortController();
    const running = ctrls.run(stop.signal);
    await ctrls.waitForSync();
    const pdbs = cp.client.resource({ apiVersion: 'policy/v1', resource: 'poddisruptionbudgets', namespaced: true });
    await pdbs.create('default', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'p' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'x' } } } });
    await eventually(async () => ((await pdbs.get('default', 'p')).status as { observedGeneration?: number }).observedGeneration === 1, { what: 'pdb status' });
    const nodes = cp.client.resource({ apiVersion: 'v1', resource: 'nodes', namespaced: false });
    await nodes.create('', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'silent' } });
    await eventually(() => ctrls.informers.nodes.get('', 'silent'));
    clock.advance(65_000); // past the 60 s startup grace of a node that never posted status
    await ctrls.nodeLifecycle.monitor();
    await eventually(async () => {
      const n = await nodes.get('', 'silent');
      const ready = ((n.status as { conditions?: { type: string; reason: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === 'Ready');
      return ready?.reason === 'NodeStatusNeverUpdated';
    }, { what: 'never-updated node marked Unknown' });
    stop.abort();
    await running;
    await cp.stop();
  });
});
