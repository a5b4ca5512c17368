// Server-side Table printing (meta.k8s.io/v1 Table) for `kubectl get`.
export { printTable, printerFor } from './table.ts';
export type { IncludeObject, PrintTableOptions } from './table.ts';
export type { Table, TableColumnDefinition, TableRow, TableRowCondition, Cell } from './types.ts';
export { humanDuration } from './duration.ts';
