// DaemonSets as a grid of nodes: each cell the node's daemon pod, or why it has none; the rollout
// budget above. Selecting a cell shows its details and the node's actions.
import { useState } from 'preact/hooks';
import type { KubeObject } from '../../../api/meta/types.ts';
import { addNode, cordon, deletePod, removeNode } from '../../model/actions.ts';
import { daemonSetView, type NodeCell } from '../../model/daemonset.ts';
import { inNamespace } from '../../model/objects.ts';
import type { ViewProps } from '../app.tsx';
import { byName, Empty, memoByValue, nsLabel, PodState, rollBackLater } from './common.tsx';

export function DaemonSetsView({ objects, route, act }: ViewProps) {
  const sets = inNamespace(objects.daemonsets, route.namespace)
    .filter((s) => !route.name || s.metadata.name === route.name)
    .sort(byName);
  const nextNode = () => {
    const names = new Set(objects.nodes.map((n) => n.metadata.name));
    let i = 1;
    while (names.has(`dashboard-node-${i}`)) i++;
    return `dashboard-node-${i}`;
  };
  return (
    <>
      <p class="toolbar">
        <button onClick={() => act(addNode(nextNode()))}>Add a simulated node</button> <span class="muted">{objects.nodes.length} nodes</span>
      </p>
      {sets.length ? sets.map((ds) => <DaemonSetCard key={ds.metadata.uid} ds={ds} objects={objects} act={act} />) : <Empty>No DaemonSets in {nsLabel(route.namespace)}.</Empty>}
    </>
  );
}

function cellClass(c: NodeCell): string {
  if (!c.wanted) return 'cell excluded';
  if (!c.pod) return 'cell missing';
  return `cell ${c.pod.state}${c.updated ? ' updated' : ' old'}`;
}

function cellLabel(c: NodeCell): string {
  const pod = c.pod ? `${c.pod.name} ${c.pod.reason ?? c.pod.state}${c.updated ? ', updated' : ', old revision'}` : 'no pod';
  return `${c.node}: ${pod}${c.reason ? ` — ${c.reason}` : ''}${c.cordoned ? ' (cordoned)' : ''}${c.nodeReady ? '' : ' (node not ready)'}`;
}

function DaemonSetCard({ ds, objects, act }: { ds: KubeObject; objects: ViewProps['objects']; act: ViewProps['act'] }) {
  const v = daemonSetView(ds, objects);
  const [selected, setSelected] = useState<string | undefined>();
  const cell = v.cells.find((c) => c.node === selected);
  const budgetUsed = v.maxUnavailable ? Math.min(1, v.unavailable / v.maxUnavailable) : 0;
  return (
    <section class="workload daemonset" data-name={v.name} aria-labelledby={`ds-${v.namespace}-${v.name}`}>
      <header>
        <h2 id={`ds-${v.namespace}-${v.name}`}>
          daemonset/{v.name} <small>{v.namespace}</small>
        </h2>
        <p class="summary" aria-live="polite">
          {v.summary}
        </p>
        {v.strategy === 'RollingUpdate' && (
          <p class="budget">
            <span>
              unavailable {v.unavailable} of max {v.maxUnavailable}
              {v.maxSurge ? `, surge ${v.maxSurge}` : ''}
            </span>
            <meter min={0} max={1} value={budgetUsed} aria-label="Share of the unavailability budget in use" />
          </p>
        )}
        <div class="actions">
          <button onClick={() => act(rollBackLater('daemonsets', ds))}>Roll back</button>
        </div>
      </header>
      <ul class={v.cells.length <= ROOMY ? 'grid roomy' : 'grid'} aria-label={`Nodes of ${v.name}`}>
        {v.cells.map((c) => (
          <Cell key={c.node} value={c} roomy={v.cells.length <= ROOMY} selected={c.node === selected} onSelect={() => setSelected(c.node === selected ? undefined : c.node)} />
        ))}
      </ul>
      {cell && (
        <div class="details" aria-live="polite">
          <h3>{cell.node}</h3>
          <p>
            <PodState pod={cell.pod} /> {cell.pod && <span>{cell.pod.name}</span>} {cell.reason && <span class="reason">{cell.reason}</span>}
          </p>
          <p class="actions">
            <button onClick={() => act(cordon(cell.node, !cell.cordoned))}>{cell.cordoned ? 'Uncordon' : 'Cordon'}</button>
            {cell.pod && <button onClick={() => act(deletePod(v.namespace, cell.pod!.name))}>Delete pod</button>}
            <button onClick={() => act(removeNode(cell.node))}>Remove node</button>
          </p>
        </div>
      )}
    </section>
  );
}

/** Up to this many nodes, each cell names its node and pod; beyond, cells are small squares. */
const ROOMY = 48;

const Cell = memoByValue(({ value: c, roomy, selected, onSelect }: { value: NodeCell; roomy: boolean; selected: boolean; onSelect(): void }) => {
  const label = cellLabel(c);
  return (
    <li class={cellClass(c) + (selected ? ' selected' : '')} data-node={c.node} data-state={c.pod?.state ?? (c.wanted ? 'missing' : 'excluded')} data-cordoned={String(c.cordoned)}>
      <button aria-label={label} title={label} aria-pressed={selected} onClick={onSelect}>
        {roomy && (
          <>
            <span class="node">{c.node}</span>
            <span class="what">{c.pod ? (c.pod.reason ?? c.pod.state) : c.wanted ? 'no pod yet' : (c.reason ?? 'excluded')}</span>
          </>
        )}
      </button>
    </li>
  );
});
