import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../cli/control-plane.ts';
import { FakeClock } from '../../util/clock.ts';
import { EventRecorder } from './event-recorder.ts';

let cp: ControlPlane;
const clock = new FakeClock(Date.UTC(2026, 0, 1));
beforeAll(async () => {
  cp = await startControlPlane({ datastore: 'memory', controllers: false, clock });
});
afterAll(async () => {
  await cp.stop();
});

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'default', uid: 'u1' } };

describe('EventRecorder', () => {
  it('aggregates repeats into one Event with a count, as upstream', async () => {
    const rec = new EventRecorder(cp.client, { component: 'kubelet', host: 'node-1' }, clock);
    await rec.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    clock.advance(30_000);
    await rec.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    await rec.record(pod, 'Normal', 'Pulled', 'Container image "nginx" already present on machine');
    const events = (await cp.client.resource({ apiVersion: 'v1', resource: 'events', namespaced: true }).list('default')).items as unknown as {
      reason: string;
      count: number;
      firstTimestamp: string;
      lastTimestamp: string;
      source: { component: string; host: string };
      involvedObject: { name: string };
    }[];
    const backoff = events.filter((e) => e.reason === 'BackOff');
    expect(backoff).toHaveLength(1);
    expect(backoff[0]).toMatchObject({ count: 2, firstTimestamp: '2026-01-01T00:00:00Z', lastTimestamp: '2026-01-01T00:00:30Z', source: { component: 'kubelet', host: 'node-1' } });
    expect(events.filter((e) => e.reason === 'Pulled')).toHaveLength(1);
  });

  it('starts a new Event after the aggregation window', async () => {
    const rec = new EventRecorder(cp.client, { component: 'scheduler' }, clock);
    const obj = { ...pod, metadata: { ...pod.metadata, name: 'late', uid: 'u2' } };
    await rec.record(obj, 'Warning', 'FailedScheduling', 'no nodes');
    clock.advance(11 * 60 * 1000);
    await rec.record(obj, 'Warning', 'FailedScheduling', 'no nodes');
    const list = await cp.client.resource({ apiVersion: 'v1', resource: 'events', namespaced: true }).list('default', { fieldSelector: 'involvedObject.name=late' });
    expect(list.items).toHaveLength(2);
  });
});
