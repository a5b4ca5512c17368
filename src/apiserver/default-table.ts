// Stand-in Table printer (Name + Created At for every kind), used until per-kind printers are wired.
import type { KubeObject } from '../api/meta/types.ts';
import type { ResourceInfo } from '../api/resources.ts';

export function printTable(
  _info: ResourceInfo,
  objects: KubeObject[],
  opts: { now: Date; includeObject?: 'None' | 'Metadata' | 'Object'; noHeaders?: boolean; resourceVersion?: string; continue?: string },
) {
  const rows = objects.map((o) => ({
    cells: [o.metadata.name, o.metadata.creationTimestamp],
    object: opts.includeObject === 'None' ? undefined : opts.includeObject === 'Object' ? o : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
  }));
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: opts.resourceVersion, continue: opts.continue },
    columnDefinitions: opts.noHeaders
      ? []
      : [
          { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
          { name: 'Created At', type: 'date', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 },
        ],
    rows,
  };
}
