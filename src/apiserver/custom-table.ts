// Tables for custom resources (apiextensions-apiserver tableconvertor): Name, the CRD's
// additionalPrinterColumns (evaluated with a small JSONPath subset), then Age.
import type { KubeObject } from '../api/meta/types.ts';
import type { PrinterColumn, ResourceInfo } from '../api/resources.ts';
import { humanDuration } from './printers/duration.ts';

const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' };

/** Evaluates `.a.b`, `.a[0].b` and `.a['x.y']` paths; undefined when a step is missing. */
export function evalJsonPath(obj: unknown, path: string): unknown {
  const steps: (string | number)[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]|\['([^']+)'\]|\["([^"]+)"\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(path))) steps.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (m[3] ?? m[4])!));
  let cur: unknown = obj;
  for (const s of steps) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[s];
  }
  return cur;
}

function cell(col: PrinterColumn, obj: KubeObject, now: Date): unknown {
  const v = evalJsonPath(obj, col.jsonPath);
  if (v === undefined || v === null) return col.type === 'string' || col.type === 'date' ? '<none>' : null;
  if (col.type === 'date' && typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? v : humanDuration(now.getTime() - t);
  }
  if (typeof v === 'object') return JSON.stringify(v);
  return v;
}

export function customTable(
  info: ResourceInfo,
  objects: KubeObject[],
  opts: { now: Date; includeObject?: 'None' | 'Metadata' | 'Object'; noHeaders?: boolean; resourceVersion?: string; continue?: string },
) {
  const columns = [...(info.printerColumns ?? []), AGE];
  const defs = [{ name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 }].concat(
    columns.map((c) => ({ name: c.name, type: c.type === 'date' ? 'date' : c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 })),
  );
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: opts.resourceVersion, ...(opts.continue ? { continue: opts.continue } : {}) },
    columnDefinitions: opts.noHeaders ? [] : defs,
    rows: objects.map((o) => ({
      cells: [o.metadata.name, ...columns.map((c) => cell(c, o, opts.now))],
      ...(opts.includeObject === 'None'
        ? {}
        : { object: opts.includeObject === 'Object' ? o : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata } }),
    })),
  };
}
