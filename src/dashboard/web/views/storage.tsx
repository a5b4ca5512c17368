// Storage: classes, claims (with the pods using them) and volumes, and their phases.
import { inNamespace } from '../../model/objects.ts';
import { storageView } from '../../model/storage.ts';
import type { ViewProps } from '../app.tsx';
import { Empty } from './common.tsx';

export function StorageView({ objects, route }: ViewProps) {
  const v = storageView({ ...objects, persistentvolumeclaims: inNamespace(objects.persistentvolumeclaims, route.namespace), pods: inNamespace(objects.pods, route.namespace) });
  return (
    <>
      <h2>StorageClasses</h2>
      {v.classes.length ? (
        <table class="classes">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Provisioner</th>
              <th scope="col">Binding mode</th>
              <th scope="col">Reclaim policy</th>
              <th scope="col">Expansion</th>
            </tr>
          </thead>
          <tbody>
            {v.classes.map((c) => (
              <tr data-class={c.name}>
                <td>
                  {c.name}
                  {c.isDefault ? ' (default)' : ''}
                </td>
                <td>{c.provisioner}</td>
                <td>{c.bindingMode}</td>
                <td>{c.reclaimPolicy}</td>
                <td>{c.expandable ? 'allowed' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <Empty>No StorageClasses.</Empty>
      )}
      <h2>PersistentVolumeClaims</h2>
      {v.claims.length ? (
        <table class="claims-table">
          <thead>
            <tr>
              <th scope="col">Claim</th>
              <th scope="col">Phase</th>
              <th scope="col">Class</th>
              <th scope="col">Capacity</th>
              <th scope="col">Access</th>
              <th scope="col">Volume</th>
              <th scope="col">Used by</th>
            </tr>
          </thead>
          <tbody>
            {v.claims.map((c) => (
              <tr data-claim={c.name} data-phase={c.phase}>
                <td>
                  {c.name}
                  {route.namespace ? '' : <small class="muted"> {c.namespace}</small>}
                </td>
                <td class={`phase ${c.phase}`}>{c.phase}</td>
                <td>{c.storageClass}</td>
                <td>{c.capacity}</td>
                <td>{c.accessModes.join(', ')}</td>
                <td>{c.volume ?? '—'}</td>
                <td>{c.usedBy.length ? c.usedBy.join(', ') : <span class="muted">no pod (kept)</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <Empty>No claims.</Empty>
      )}
      <h2>PersistentVolumes</h2>
      {v.volumes.length ? (
        <table class="volumes">
          <thead>
            <tr>
              <th scope="col">Volume</th>
              <th scope="col">Phase</th>
              <th scope="col">Capacity</th>
              <th scope="col">Reclaim</th>
              <th scope="col">Class</th>
              <th scope="col">Claim</th>
              <th scope="col">Path</th>
            </tr>
          </thead>
          <tbody>
            {v.volumes.map((pv) => (
              <tr data-volume={pv.name} data-phase={pv.phase}>
                <td>{pv.name}</td>
                <td class={`phase ${pv.phase}`}>{pv.phase}</td>
                <td>{pv.capacity}</td>
                <td>{pv.reclaimPolicy}</td>
                <td>{pv.storageClass}</td>
                <td>{pv.claim ?? '—'}</td>
                <td>
                  <code>{pv.path ?? ''}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <Empty>No volumes.</Empty>
      )}
    </>
  );
}
