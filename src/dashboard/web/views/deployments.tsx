// Deployments, for contrast: ReplicaSets by revision, pods with random names in no order.
import { deletePod, rollBackDeployment, scale } from '../../model/actions.ts';
import { deploymentView } from '../../model/deployment.ts';
import { inNamespace } from '../../model/objects.ts';
import type { ViewProps } from '../app.tsx';
import { byName, Empty, nsLabel, PodState } from './common.tsx';

export function DeploymentsView({ objects, route, act }: ViewProps) {
  const deployments = inNamespace(objects.deployments, route.namespace)
    .filter((d) => !route.name || d.metadata.name === route.name)
    .sort(byName);
  if (!deployments.length) return <Empty>No Deployments in {nsLabel(route.namespace)}.</Empty>;
  return (
    <>
      <p class="muted">Unlike a StatefulSet's ordinals, a Deployment's pods get random names, are made and removed in no order, and share whatever storage their template names.</p>
      {deployments.map((d) => {
        const v = deploymentView(d, objects);
        const undo = rollBackDeployment(d, objects.replicasets);
        return (
          <section key={d.metadata.uid} class="workload deployment" data-name={v.name} aria-labelledby={`deploy-${v.namespace}-${v.name}`}>
            <header>
              <h2 id={`deploy-${v.namespace}-${v.name}`}>
                deployment/{v.name} <small>{v.namespace}</small>
              </h2>
              <p class="summary" aria-live="polite">
                {v.summary}
              </p>
              <p class="facts">
                {v.strategy}
                {v.maxSurge ? ` · maxSurge ${v.maxSurge} · maxUnavailable ${v.maxUnavailable}` : ''}
              </p>
              <div class="actions">
                <span class="scale" role="group" aria-label="Replicas">
                  <button onClick={() => act(scale('deployments', v.namespace, v.name, Math.max(0, v.replicas - 1)))} aria-label="Scale down by one">
                    −
                  </button>
                  <span class="replicas">{v.replicas} replicas</span>
                  <button onClick={() => act(scale('deployments', v.namespace, v.name, v.replicas + 1))} aria-label="Scale up by one">
                    +
                  </button>
                </span>
                <button disabled={!undo} onClick={() => undo && act(undo)} title={undo?.kubectl ?? 'no earlier revision'}>
                  Roll back
                </button>
              </div>
            </header>
            {v.replicaSets.map((rs) => (
              <div class={`replicaset${rs.newest ? ' newest' : ''}`} data-replicaset={rs.name}>
                <h3>
                  replicaset/{rs.name} <small>revision {rs.revision} · {rs.ready}/{rs.desired} ready{rs.newest ? ' · newest' : ''}</small>
                </h3>
                <ul class="chips">
                  {rs.pods.map((p) => (
                    <li class={`chip ${p.state}`} data-pod={p.name} data-state={p.state}>
                      <span class="name">{p.name}</span> <PodState pod={p} /> <span class="node">{p.node ?? ''}</span>
                      <button class="delete" onClick={() => act(deletePod(v.namespace, p.name))} aria-label={`Delete pod ${p.name}`}>
                        ×
                      </button>
                    </li>
                  ))}
                </ul>
              </div>
            ))}
          </section>
        );
      })}
    </>
  );
}
