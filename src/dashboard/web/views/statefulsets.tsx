// StatefulSets as the seeds draw them: a row of ordinal slots, each with its pod and, beneath,
// the claims that outlive it; the partition is a line across the row.
import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { KubeObject } from '../../../api/meta/types.ts';
import { deletePod, scale, setPartition } from '../../model/actions.ts';
import { inNamespace } from '../../model/objects.ts';
import { statefulSetView, type Slot } from '../../model/statefulset.ts';
import type { ViewProps } from '../app.tsx';
import { byName, Empty, memoByValue, nsLabel, PodState, rollBackLater } from './common.tsx';

export function StatefulSetsView({ objects, route, act }: ViewProps) {
  const sets = inNamespace(objects.statefulsets, route.namespace)
    .filter((s) => !route.name || s.metadata.name === route.name)
    .sort(byName);
  if (!sets.length) return <Empty>No StatefulSets in {nsLabel(route.namespace)}. Apply one with kubectl and it appears here.</Empty>;
  return (
    <>
      {sets.map((set) => (
        <StatefulSetCard key={set.metadata.uid} set={set} objects={objects} act={act} />
      ))}
    </>
  );
}

function StatefulSetCard({ set, objects, act }: { set: KubeObject; objects: ViewProps['objects']; act: ViewProps['act'] }) {
  const v = statefulSetView(set, objects);
  const [partition, setPartitionInput] = useState(String(v.partition));
  // Slots mounted after the first drawing are new pods: they animate in.
  const drawn = useRef(false);
  useEffect(() => {
    drawn.current = true;
  }, []);
  const isFresh = () => drawn.current;
  return (
    <section class="workload statefulset" data-name={v.name} aria-labelledby={`sts-${v.namespace}-${v.name}`}>
      <header>
        <h2 id={`sts-${v.namespace}-${v.name}`}>
          statefulset/{v.name} <small>{v.namespace}</small>
        </h2>
        <p class="summary" aria-live="polite">
          {v.summary}
        </p>
        <p class="facts">
          {v.podManagementPolicy} · {v.strategy} · service {v.serviceName || '—'} · revision {v.updateRevision || '—'}
        </p>
        <div class="actions">
          <span class="scale" role="group" aria-label="Replicas">
            <button onClick={() => act(scale('statefulsets', v.namespace, v.name, Math.max(0, v.replicas - 1)))} aria-label="Scale down by one">
              −
            </button>
            <span class="replicas" data-replicas={v.replicas}>
              {v.replicas} replicas
            </span>
            <button onClick={() => act(scale('statefulsets', v.namespace, v.name, v.replicas + 1))} aria-label="Scale up by one">
              +
            </button>
          </span>
          {v.strategy === 'RollingUpdate' && (
            <form
              class="partition-form"
              onSubmit={(e) => {
                e.preventDefault();
                act(setPartition(v.namespace, v.name, Math.max(0, Number(partition) || 0)));
              }}
            >
              <label>
                Partition <input type="number" min="0" value={partition} onInput={(e) => setPartitionInput(e.currentTarget.value)} />
              </label>
              <button type="submit">Set</button>
            </form>
          )}
          <button onClick={() => act(rollBackLater('statefulsets', set))}>Roll back</button>
        </div>
      </header>
      <ol class="slots" aria-label={`Pods of ${v.name} by ordinal`}>
        {v.slots.map((slot, i) => (
          <Fragment key={slot.ordinal}>
            {/* The line goes where the partition leaves off (it counts from ordinals.start). */}
            {v.partition > 0 && !slot.belowPartition && v.slots[i - 1]?.belowPartition && <li class="partition-line" aria-label={`partition ${v.partition}: ordinals from ${slot.ordinal} update`} />}
            <SlotBox value={slot} rolling={v.currentRevision !== v.updateRevision} isFresh={isFresh} onDelete={() => act(deletePod(v.namespace, slot.podName))} />
          </Fragment>
        ))}
      </ol>
    </section>
  );
}

const SlotBox = memoByValue(({ value: slot, rolling, isFresh, onDelete }: { value: Slot; rolling: boolean; isFresh(): boolean; onDelete(): void }) => {
  const [fresh] = useState(isFresh);
  const state = slot.pod?.state ?? 'none';
  // Outside a rollout every pod is at the one revision: call it current.
  const revision = !rolling && slot.revision === 'update' ? 'current' : slot.revision;
  return (
    <li class={`slot ${state} rev-${revision}${slot.wanted ? '' : ' unwanted'}${fresh ? ' fresh' : ''}`} data-ordinal={slot.ordinal} data-pod={slot.podName} data-state={state} data-revision={revision}>
      <div class="pod">
        <span class="name">{slot.podName}</span>
        <PodState pod={slot.pod} />
        <span class="rev" title="revision">
          {revision === 'none' ? '' : `${revision} revision`}
        </span>
        <span class="node">{slot.pod?.node ?? (slot.wanted ? 'not scheduled' : 'scaled down')}</span>
        {slot.pod && (
          <button class="delete" onClick={onDelete} aria-label={`Delete pod ${slot.podName}`} title={`kubectl delete pod ${slot.podName}`}>
            ×
          </button>
        )}
      </div>
      {slot.claims.length > 0 && (
        <ul class="claims" aria-label={`Claims of ordinal ${slot.ordinal}`}>
          {slot.claims.map((c) => (
            <li class={`claim ${c.phase}`} data-claim={c.name} data-phase={c.phase}>
              <span class="name">{c.name}</span> <span class="phase">{c.phase === 'Missing' ? 'not created' : c.phase}</span>
              {c.volume && <span class="volume">{c.volume}</span>}
              {!slot.pod && c.phase !== 'Missing' && <span class="waiting">waiting for {slot.podName}</span>}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
});
