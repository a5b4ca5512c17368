// Opens the datastore `k8ts up --datastore` names and settles this server's PKI against it: a
// datastore that already holds a cluster hands its CA, keys and token to this data dir (the
// token opens them); an empty one receives this server's. Two servers starting together on an
// empty etcd agree: the second to publish adopts the first one's files and checks its PKI again.
import { describeDatastore, openDatastore, parseDatastore, type Backend } from '../store/index.ts';
import { adoptClusterSecrets, publishClusterSecrets } from './cluster-secrets.ts';
import { ensurePki, type EnsurePkiOptions, type Pki } from './pki.ts';

export interface ClusterStore {
  backend: Backend;
  /** Several servers may share it (etcd): controllers need leader election. */
  shared: boolean;
  pki: Pki;
}

export async function openClusterStore(o: { datastore: string; dataDir: string; token?: string; pki?: EnsurePkiOptions; quotaBytes?: number }): Promise<ClusterStore> {
  const spec = parseDatastore(o.datastore, { dataDir: o.dataDir });
  if (o.token !== undefined && !o.token.trim()) throw new Error('--token is empty: pass the contents of <data-dir>/token of a server of this cluster');
  const token = o.token?.trim();
  let backend: Backend;
  try {
    backend = await openDatastore(spec, o.quotaBytes !== undefined ? { quotaBytes: o.quotaBytes } : {});
  } catch (e) {
    throw new Error(`cannot open the datastore ${describeDatastore(spec)}: ${(e as Error).message}`);
  }
  try {
    if (spec.kind === 'memory') return { backend, shared: false, pki: await ensurePki(o.dataDir, o.pki) };
    const adopted = await adoptClusterSecrets(backend, o.dataDir, token);
    let pki = await ensurePki(o.dataDir, o.pki);
    if (!adopted && !(await publishClusterSecrets(backend, o.dataDir, pki.token))) {
      await adoptClusterSecrets(backend, o.dataDir, token ?? pki.token);
      pki = await ensurePki(o.dataDir, o.pki);
    }
    return { backend, shared: spec.kind === 'etcd', pki };
  } catch (e) {
    await backend.close();
    throw e;
  }
}
