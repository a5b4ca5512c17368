// List and map semantics of built-in fields, which the kubernetes-models d.ts files do not carry.
// Facts from upstream's Go API types (k8s.io/api/<group>/v1/types.go, k8s.io/apimachinery
// pkg/apis/meta/v1/types.go, k8s.io/apiextensions-apiserver pkg/apis/apiextensions/v1), read from
// their struct tags (`patchStrategy`, `patchMergeKey`) and markers (`+listType`, `+listMapKey`,
// `+mapType`, `+structType`). scripts/gen-schemas.ts bakes them into the generated schemas.
//
// Encoding, one string per field (space-separated tokens):
//   merge(key)            x-kubernetes-patch-strategy: merge, x-kubernetes-patch-merge-key: key
//   merge                 strategy merge without key (lists of scalars: union on patch)
//   merge,retainKeys(k)   any strategy list, comma-separated, optional merge key in parentheses
//   list=map(k1,k2)       x-kubernetes-list-type: map, x-kubernetes-list-map-keys: [k1, k2]
//   list=set | list=atomic
//   map=atomic | map=granular   x-kubernetes-map-type (maps, and structs via +structType)
//   default=<json>        upstream's +default marker; SSA needs it for list-map keys (protocol)
// The field name '' annotates the type itself (upstream's type-level +structType / +mapType).
import type { SchemaNode } from './types.ts';
import { LIST_SEMANTICS_TABLE } from './list-semantics-table.ts';

export type ListSemantics = Pick<
  SchemaNode,
  | 'x-kubernetes-patch-strategy'
  | 'x-kubernetes-patch-merge-key'
  | 'x-kubernetes-list-type'
  | 'x-kubernetes-list-map-keys'
  | 'x-kubernetes-map-type'
  | 'default'
>;

/** Package name → type name → field name → encoded semantics. */
export const LIST_SEMANTICS: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, string>>>>>> =
  LIST_SEMANTICS_TABLE;

const STRATEGIES = new Set(['merge', 'retainKeys', 'replace']);

/** Decodes one table string; throws on a token it does not know, so typos fail the generator. */
export function parseSemantics(spec: string): ListSemantics {
  const out: ListSemantics = {};
  for (const token of spec.split(/\s+/).filter(Boolean)) {
    let m: RegExpMatchArray | null;
    if ((m = token.match(/^default=(.+)$/))) {
      out.default = JSON.parse(m[1]!) as unknown;
    } else if ((m = token.match(/^list=(map)\(([^)]+)\)$/))) {
      out['x-kubernetes-list-type'] = 'map';
      out['x-kubernetes-list-map-keys'] = m[2]!.split(',');
    } else if ((m = token.match(/^list=(set|atomic)$/))) {
      out['x-kubernetes-list-type'] = m[1] as 'set' | 'atomic';
    } else if ((m = token.match(/^map=(atomic|granular)$/))) {
      out['x-kubernetes-map-type'] = m[1] as 'atomic' | 'granular';
    } else if ((m = token.match(/^([a-zA-Z,]+)(?:\(([^)]+)\))?$/)) && m[1]!.split(',').every((s) => STRATEGIES.has(s))) {
      out['x-kubernetes-patch-strategy'] = m[1]!;
      if (m[2]) out['x-kubernetes-patch-merge-key'] = m[2];
    } else {
      throw new Error(`Invalid list semantics token: ${JSON.stringify(token)} in ${JSON.stringify(spec)}`);
    }
  }
  return out;
}
