// Server-side Table rendering for `kubectl get` (Accept: application/json;as=Table;g=meta.k8s.io).
// Mirrors the apiserver's TableConvertor: kinds with an upstream printer get its columns, every
// other resource gets the default convertor's Name + Created At (k8s.io/apiserver
// pkg/registry/rest/table.go). Rows always carry the wide cells, as the real server generates with
// Wide: true and leaves hiding priority-1 columns to kubectl.
import type { ResourceInfo } from '../../api/resources.ts';
import { groupVersion } from '../../api/resources.ts';
import type { KubeObject, ListMeta } from '../../api/meta/types.ts';
import { CORE_PRINTERS } from './core.ts';
import { doc } from './descriptions.ts';
import { POD_PRINTER } from './pods.ts';
import { GROUP_PRINTERS } from './groups.ts';
import { col, type Printer, type Table, type TableRow } from './types.ts';
import { WORKLOAD_PRINTERS } from './workloads.ts';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface PrintTableOptions {
  now: Date;
  /** Default `Metadata`: rows carry PartialObjectMetadata. */
  includeObject?: IncludeObject;
  /** Leave out columnDefinitions (watch events after the first). */
  noHeaders?: boolean;
  resourceVersion?: string;
  continue?: string;
}

const PRINTERS: Record<string, Printer> = {
  '/pods': POD_PRINTER,
  ...CORE_PRINTERS,
  ...WORKLOAD_PRINTERS,
  ...GROUP_PRINTERS,
};

/** The default convertor's cells: name and creationTimestamp as RFC 3339 (Go's zero time if unset). */
const DEFAULT_PRINTER: Printer = {
  columns: [col('Name', doc('ObjectMeta.name'), { format: 'name' }), col('Created At', doc('ObjectMeta.creationTimestamp'), { type: 'date' })],
  row(obj) {
    const t = Date.parse(obj.metadata?.creationTimestamp ?? '');
    const created = Number.isNaN(t) ? '0001-01-01T00:00:00Z' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return { cells: [obj.metadata?.name ?? '', created] };
  },
};

/** The printer for a resource: its upstream columns, or Name + Created At. */
export function printerFor(resource: Pick<ResourceInfo, 'group' | 'resource'>): Printer {
  return PRINTERS[`${resource.group}/${resource.resource}`] ?? DEFAULT_PRINTER;
}

/**
 * A meta.k8s.io/v1 Table for `objects` (one row each, in order). Pure: time comes from `opts.now`.
 * A printer never throws on odd objects; missing fields print as upstream prints zero values.
 */
export function printTable(resource: ResourceInfo, objects: KubeObject[], opts: PrintTableOptions): Table {
  const printer = printerFor(resource);
  const ctx = { now: opts.now };
  const include = opts.includeObject ?? 'Metadata';
  const rows = objects.map((obj): TableRow => {
    const { cells, conditions } = printer.row(obj, ctx);
    const row: TableRow = { cells };
    if (conditions) row.conditions = conditions;
    if (include === 'Metadata') {
      row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
    } else if (include === 'Object') {
      row.object = { ...obj, kind: obj.kind ?? resource.kind, apiVersion: obj.apiVersion ?? groupVersion(resource) };
    }
    return row;
  });
  const metadata: ListMeta = {};
  if (opts.resourceVersion) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: opts.noHeaders ? [] : printer.columns,
    rows,
  };
}
