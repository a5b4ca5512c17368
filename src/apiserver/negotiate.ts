// Accept-header negotiation. Every answer is JSON, but clients can ask for three shapes of it:
// the object itself, a meta.k8s.io Table (kubectl get), or PartialObjectMetadata (metadata-only
// clients such as the garbage collector's). Protobuf-preferring clients accept JSON too.

export type Shape = 'object' | 'table' | 'metadata';

export function negotiateShape(accept: string | undefined): Shape {
  if (!accept) return 'object';
  for (const clause of accept.split(',')) {
    const [type, ...params] = clause.split(';').map((s) => s.trim());
    const p = new Map(params.map((kv) => kv.split('=').map((s) => s.trim()) as [string, string]));
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/vnd.kubernetes.protobuf' && type !== 'application/yaml') continue;
    const as = p.get('as');
    if (!as) return 'object';
    if (p.get('g') !== 'meta.k8s.io' || (p.get('v') !== 'v1' && p.get('v') !== 'v1beta1')) continue;
    if (as === 'Table') return 'table';
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return 'metadata';
  }
  return 'object';
}

export const JSON_TYPE = 'application/json';
export const TABLE_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
