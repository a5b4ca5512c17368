// The StorageClass every k8ts cluster starts with, as k3s ships `local-path`: named `standard`
// (kind's name for its default class), served by the built-in provisioner, default for claims
// that name no class.
import type { StorageClass } from '../../api/storage/volume.ts';
import { createIfAbsent, type Client } from '../../client/client.ts';
import { LOCAL_PATH_PROVISIONER } from './plan.ts';

export const DEFAULT_STORAGE_CLASS = 'standard';

export function defaultStorageClass(): StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: DEFAULT_STORAGE_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: LOCAL_PATH_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  };
}

/** Creates the default class unless a class of that name exists (a deleted one comes back at the next start). */
export async function ensureDefaultStorageClass(client: Client): Promise<void> {
  const classes = client.resource({ apiVersion: 'storage.k8s.io/v1', resource: 'storageclasses', namespaced: false });
  if (!(await classes.find('', DEFAULT_STORAGE_CLASS))) await createIfAbsent(classes.create('', defaultStorageClass()));
}
