// The events timeline: newest first, as `kubectl get events --sort-by=.lastTimestamp` reversed,
// each with what it is about and who said it.
import type { KubeObject } from '../../api/meta/types.ts';

export interface EventRow {
  namespace: string;
  name: string;
  /** ISO time of the latest occurrence. */
  time: string;
  type: string;
  reason: string;
  /** kind/name of the involved object. */
  object: string;
  message: string;
  count: number;
  source: string;
}

type EventFields = {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string;
  firstTimestamp?: string;
  eventTime?: string;
  involvedObject?: { kind?: string; name?: string };
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  series?: { count?: number; lastObservedTime?: string };
};

/** When an event last happened: the series' last observation, lastTimestamp, eventTime, firstTimestamp, creation. */
export function eventTime(e: KubeObject): string {
  const f = e as KubeObject & EventFields;
  return f.series?.lastObservedTime ?? f.lastTimestamp ?? f.eventTime ?? f.firstTimestamp ?? e.metadata.creationTimestamp ?? '';
}

export function eventsTimeline(events: readonly KubeObject[], opts: { limit?: number } = {}): EventRow[] {
  const rows = events.map((e): EventRow => {
    const f = e as KubeObject & EventFields;
    return {
      namespace: e.metadata.namespace ?? '',
      name: e.metadata.name!,
      time: eventTime(e),
      type: f.type ?? 'Normal',
      reason: f.reason ?? '',
      object: `${(f.involvedObject?.kind ?? '').toLowerCase()}/${f.involvedObject?.name ?? ''}`,
      message: f.message ?? '',
      count: f.series?.count ?? f.count ?? 1,
      source: f.source?.component ?? f.reportingComponent ?? '',
    };
  });
  // Newest first, by the instant (times mix seconds, microseconds and offsets, so strings do not
  // compare); among equal times, the later-created (greater name suffix) first, for a stable order.
  const at = new Map(rows.map((r) => [r, Date.parse(r.time) || 0]));
  rows.sort((a, b) => at.get(b)! - at.get(a)! || b.name.localeCompare(a.name));
  return opts.limit === undefined ? rows : rows.slice(0, opts.limit);
}
