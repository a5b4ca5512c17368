// meta.k8s.io/v1 Table wire types (k8s.io/apimachinery/pkg/apis/meta/v1 types.go) and the shape
// of one kind's printer.
import type { JsonValue, KubeObject, ListMeta } from '../../api/meta/types.ts';
import { doc } from './descriptions.ts';
import type { PrintContext } from './format.ts';

export interface TableColumnDefinition {
  name: string;
  /** OpenAPI type: string, integer, number, boolean, date. */
  type: string;
  /** `name` marks the column kubectl uses for the object name. */
  format: string;
  description: string;
  /** 0 = always shown; 1 = only with `-o wide`. */
  priority: number;
}

export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export type Cell = string | number | boolean;

export interface TableRow {
  cells: Cell[];
  conditions?: TableRowCondition[];
  /** PartialObjectMetadata (default), the full object, or absent for includeObject=None. */
  object?: { [key: string]: JsonValue | unknown };
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ListMeta;
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

/** One kind's columns and the function that fills a row (always the wide set, as the server does). */
export interface Printer {
  columns: TableColumnDefinition[];
  row(obj: KubeObject, ctx: PrintContext): { cells: Cell[]; conditions?: TableRowCondition[] };
}

/** Column shorthand: `col('Age', doc)`, `col('IP', doc, { priority: 1 })`. */
export function col(
  name: string,
  description: string,
  opts: { type?: string; format?: string; priority?: number } = {},
): TableColumnDefinition {
  return { name, type: opts.type ?? 'string', format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}

const CONTAINERS_DOC = 'Names of each container in the template.';
const IMAGES_DOC = 'Images referenced by each container in the template.';

export const NAME_COL = col('Name', doc('ObjectMeta.name'), { format: 'name' });
export const AGE_COL = col('Age', doc('ObjectMeta.creationTimestamp'));
export const WIDE_CONTAINERS_COL = col('Containers', CONTAINERS_DOC, { priority: 1 });
export const WIDE_IMAGES_COL = col('Images', IMAGES_DOC, { priority: 1 });
export const CONTAINERS_COL = col('Containers', CONTAINERS_DOC);
export const IMAGES_COL = col('Images', IMAGES_DOC);
