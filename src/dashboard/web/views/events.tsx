// The events timeline, newest first.
import { eventsTimeline } from '../../model/events.ts';
import { inNamespace } from '../../model/objects.ts';
import type { ViewProps } from '../app.tsx';
import { Empty, nsLabel } from './common.tsx';

const LIMIT = 300;

export function EventsView({ objects, route }: ViewProps) {
  const rows = eventsTimeline(inNamespace(objects.events, route.namespace), { limit: LIMIT });
  if (!rows.length) return <Empty>No events in {nsLabel(route.namespace)}.</Empty>;
  return (
    <table class="events">
      <caption class="muted">The newest {LIMIT} events, newest first.</caption>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Type</th>
          <th scope="col">Reason</th>
          <th scope="col">Object</th>
          <th scope="col">Message</th>
          <th scope="col">Count</th>
          <th scope="col">From</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((e) => (
          <tr key={`${e.namespace}/${e.name}`} data-event={e.name}>
            <td>
              <time dateTime={e.time}>{e.time.replace('T', ' ').replace(/\.\d+Z$|Z$/, '')}</time>
            </td>
            <td class={e.type}>{e.type}</td>
            <td>{e.reason}</td>
            <td>{e.object}</td>
            <td>{e.message}</td>
            <td>{e.count}</td>
            <td>{e.source}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
