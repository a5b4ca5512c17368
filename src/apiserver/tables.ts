// One entry point for server-side Tables: per-kind printers for built-in kinds, the CRD's
// printer columns for custom resources.
import type { KubeObject } from '../api/meta/types.ts';
import type { ResourceInfo } from '../api/resources.ts';
import { customTable } from './custom-table.ts';
import { printTable as printBuiltinTable, type PrintTableOptions } from './printers/index.ts';

export function printTable(info: ResourceInfo, objects: KubeObject[], opts: PrintTableOptions) {
  return info.custom ? customTable(info, objects, opts) : printBuiltinTable(info, objects, opts);
}
