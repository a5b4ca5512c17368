// Nodes: condition, roles, taints, capacity, pods; cordon, uncordon, add and remove.
import { addNode, cordon, removeNode } from '../../model/actions.ts';
import { nodesView } from '../../model/nodes.ts';
import type { ViewProps } from '../app.tsx';
import { Empty } from './common.tsx';

export function NodesView({ objects, act }: ViewProps) {
  const rows = nodesView(objects);
  const names = new Set(rows.map((r) => r.name));
  let next = 1;
  while (names.has(`dashboard-node-${next}`)) next++;
  return (
    <>
      <p class="toolbar">
        <button onClick={() => act(addNode(`dashboard-node-${next}`))}>Add a simulated node</button>
      </p>
      {rows.length ? (
        <table class="nodes">
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Status</th>
              <th scope="col">Roles</th>
              <th scope="col">Taints</th>
              <th scope="col">CPU</th>
              <th scope="col">Memory</th>
              <th scope="col">Pods</th>
              <th scope="col">Served by</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((n) => (
              <tr data-node={n.name} data-status={n.status}>
                <td>{n.name}</td>
                <td class={n.status === 'Ready' ? 'ok' : 'Warning'}>
                  {n.status}
                  {n.cordoned ? ', SchedulingDisabled' : ''}
                </td>
                <td>{n.roles.join(', ') || '—'}</td>
                <td>{n.taints.length ? n.taints.map((t) => <code class="taint">{t}</code>) : '—'}</td>
                <td>{n.cpu}</td>
                <td>{n.memory}</td>
                <td>
                  {n.pods}/{n.maxPods}
                </td>
                <td>{n.servedBy}</td>
                <td class="actions">
                  <button onClick={() => act(cordon(n.name, !n.cordoned))}>{n.cordoned ? 'Uncordon' : 'Cordon'}</button>
                  <button onClick={() => act(removeNode(n.name))} aria-label={`Remove node ${n.name}`}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <Empty>No nodes.</Empty>
      )}
    </>
  );
}
