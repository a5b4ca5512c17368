import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/types.ts';
import { eventsTimeline, eventTime } from './events.ts';

const event = (name: string, fields: Record<string, unknown> = {}, created?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name, namespace: 'shop', ...(created ? { creationTimestamp: created } : {}) },
  involvedObject: { kind: 'Pod', name: 'web-0' },
  ...fields,
});

describe('eventTime', () => {
  const cases: { name: string; event: KubeObject; time: string }[] = [
    { name: 'series last observation first', event: event('e', { series: { count: 3, lastObservedTime: '2026-01-01T00:00:09.000000Z' }, lastTimestamp: '2026-01-01T00:00:05Z', eventTime: '2026-01-01T00:00:01.000000Z' }), time: '2026-01-01T00:00:09.000000Z' },
    { name: 'lastTimestamp', event: event('e', { lastTimestamp: '2026-01-01T00:00:05Z', eventTime: '2026-01-01T00:00:01.000000Z', firstTimestamp: '2026-01-01T00:00:00Z' }), time: '2026-01-01T00:00:05Z' },
    { name: 'eventTime (events.k8s.io writers leave lastTimestamp empty)', event: event('e', { eventTime: '2026-01-01T00:00:01.000000Z', firstTimestamp: '2026-01-01T00:00:00Z' }), time: '2026-01-01T00:00:01.000000Z' },
    { name: 'firstTimestamp', event: event('e', { firstTimestamp: '2026-01-01T00:00:00Z' }, '2026-01-01T00:00:02Z'), time: '2026-01-01T00:00:00Z' },
    { name: 'creationTimestamp last', event: event('e', {}, '2026-01-01T00:00:02Z'), time: '2026-01-01T00:00:02Z' },
    { name: 'nothing', event: event('e'), time: '' },
  ];
  it.each(cases)('$name', ({ event: e, time }) => {
    expect(eventTime(e)).toBe(time);
  });
});

describe('eventsTimeline', () => {
  const events = [
    event('web-0.a', { type: 'Normal', reason: 'Scheduled', message: 'Successfully assigned shop/web-0 to n1', source: { component: 'default-scheduler' }, lastTimestamp: '2026-01-01T00:00:01Z', count: 1 }),
    event('web-0.b', { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container', source: { component: 'kubelet', host: 'n1' }, lastTimestamp: '2026-01-01T00:03:00Z', count: 7 }),
    // Same second as web-0.a but with microseconds: later.
    event('web-0.c', { reason: 'Pulled', reportingComponent: 'kubelet', eventTime: '2026-01-01T00:00:01.500000Z', series: { count: 2, lastObservedTime: '2026-01-01T00:00:01.500000Z' } }),
    // An offset other than Z: 00:00:30+00:00.
    event('web-0.d', { reason: 'Created', involvedObject: { kind: 'StatefulSet', name: 'web' }, source: { component: 'statefulset-controller' }, lastTimestamp: '2026-01-01T01:00:30+01:00' }),
    // Ties broken by name, later-created first.
    event('web-0.e', { reason: 'Started', lastTimestamp: '2026-01-01T00:03:00Z' }),
    event('web-0.f', { reason: 'Old' }, '2025-12-31T23:59:59Z'),
  ];

  it('newest first, by instant', () => {
    expect(eventsTimeline(events).map((e) => `${e.name} ${e.reason}`)).toEqual(['web-0.e Started', 'web-0.b BackOff', 'web-0.d Created', 'web-0.c Pulled', 'web-0.a Scheduled', 'web-0.f Old']);
  });

  it('limit keeps the newest', () => {
    expect(eventsTimeline(events, { limit: 2 }).map((e) => e.name)).toEqual(['web-0.e', 'web-0.b']);
    expect(eventsTimeline(events, { limit: 0 })).toEqual([]);
  });

  it('rows: type, reason, object, message, count, source', () => {
    const rows = eventsTimeline(events);
    expect(rows.find((r) => r.name === 'web-0.b')).toEqual({
      namespace: 'shop',
      name: 'web-0.b',
      time: '2026-01-01T00:03:00Z',
      type: 'Warning',
      reason: 'BackOff',
      object: 'pod/web-0',
      message: 'Back-off restarting failed container',
      count: 7,
      source: 'kubelet',
    });
    expect(rows.find((r) => r.name === 'web-0.c')).toMatchObject({ type: 'Normal', count: 2, source: 'kubelet', time: '2026-01-01T00:00:01.500000Z' });
    expect(rows.find((r) => r.name === 'web-0.d')).toMatchObject({ object: 'statefulset/web', count: 1, source: 'statefulset-controller' });
  });

  it('does not reorder its input', () => {
    const input = [...events];
    eventsTimeline(input);
    expect(input.map((e) => e.metadata.name)).toEqual(events.map((e) => e.metadata.name));
  });
});
