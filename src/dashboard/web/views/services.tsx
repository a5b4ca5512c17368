// Services and the names cluster DNS answers for them, with the addresses each answers.
import { inNamespace } from '../../model/objects.ts';
import { servicesView } from '../../model/services.ts';
import type { ViewProps } from '../app.tsx';
import { Empty, nsLabel } from './common.tsx';

export function ServicesView({ objects, route }: ViewProps) {
  const services = servicesView({ services: inNamespace(objects.services, route.namespace), endpointslices: objects.endpointslices }).filter((s) => !route.name || s.name === route.name);
  if (!services.length) return <Empty>No Services in {nsLabel(route.namespace)}.</Empty>;
  return (
    <table class="services">
      <caption class="muted">Names as cluster DNS answers them (from the same EndpointSlices the DNS server reads); a headless Service answers with its ready pods' addresses, and each has a name of its own.</caption>
      <thead>
        <tr>
          <th scope="col">Service</th>
          <th scope="col">Type</th>
          <th scope="col">Cluster IP</th>
          <th scope="col">Ports</th>
          <th scope="col">Selector</th>
          <th scope="col">DNS name → answers</th>
        </tr>
      </thead>
      <tbody>
        {services.map((s) => (
          <tr data-service={s.name}>
            <td>
              {s.name}
              {route.namespace ? '' : <small class="muted"> {s.namespace}</small>}
            </td>
            <td>{s.headless ? 'headless' : s.type}</td>
            <td>{s.clusterIP}</td>
            <td>{s.ports.join(', ')}</td>
            <td>{s.selector || '—'}</td>
            <td>
              <ul class="dns">
                {s.names.map((n) => (
                  <li data-dns-name={n.name}>
                    <code>{n.name}</code> {n.cname ? 'CNAME ' : '→ '}
                    {n.answers.length ? n.answers.join(', ') : <span class="muted">no ready endpoints</span>}
                  </li>
                ))}
              </ul>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
