// OpenAPI components for kinds without a generated schema (custom resources), serialised from
// their SchemaNode (crd.ts). Named nodes inside (ObjectMeta) become references to the built-in
// components. Names follow upstream's CRD publishing (k8s.io/apiextensions-apiserver
// pkg/controller/openapi/builder): the group reversed, then version and kind, e.g.
// `com.example.v1.Widget`, plus a `WidgetList`.
import type { SchemaNode } from './types.ts';
import { gvkKey } from './graph.ts';
import { SCHEMA_PREFIX } from './openapi-paths.ts';

type Obj = Record<string, unknown>;
type GVK = { group: string; version: string; kind: string };

export interface CustomComponents {
  /** gvkKey → component name, for the kinds and their lists. */
  kinds: Map<string, string>;
  /** Served component schemas by name. */
  schemas: Record<string, Obj>;
  /** Built-in components they reference. */
  refs: Set<string>;
}

function serialise(node: SchemaNode, refs: Set<string>, top: boolean): Obj {
  if (node.name && !top) {
    refs.add(node.name);
    return { $ref: SCHEMA_PREFIX + node.name };
  }
  const out: Obj = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'name') continue;
    if (k === 'properties') {
      out.properties = Object.fromEntries(Object.entries(v as Record<string, SchemaNode>).map(([p, c]) => [p, serialise(c, refs, false)]));
    } else if (k === 'items' || (k === 'additionalProperties' && typeof v === 'object')) {
      out[k] = serialise(v as SchemaNode, refs, false);
    } else {
      out[k] = v;
    }
  }
  return out;
}

export function customComponentName(gvk: GVK): string {
  return [...gvk.group.split('.').reverse(), gvk.version, gvk.kind].join('.');
}

/** Components for each custom kind and its list; `node` is the kind's root (schemaForCustomResource). */
export function customComponents(entries: readonly { gvk: GVK; node: SchemaNode }[]): CustomComponents {
  const out: CustomComponents = { kinds: new Map(), schemas: {}, refs: new Set() };
  for (const { gvk, node } of entries) {
    const name = customComponentName(gvk);
    const listGvk = { ...gvk, kind: `${gvk.kind}List` };
    const listName = customComponentName(listGvk);
    out.schemas[name] = { ...serialise(node, out.refs, true), 'x-kubernetes-group-version-kind': [gvk] };
    out.schemas[listName] = {
      description: `${gvk.kind}List is a list of ${gvk.kind}`,
      type: 'object',
      required: ['items'],
      properties: {
        apiVersion: { type: 'string' },
        items: { type: 'array', items: { $ref: SCHEMA_PREFIX + name } },
        kind: { type: 'string' },
        metadata: { $ref: `${SCHEMA_PREFIX}io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta` },
      },
      'x-kubernetes-group-version-kind': [listGvk],
    };
    out.refs.add('io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta');
    out.kinds.set(gvkKey(gvk), name);
    out.kinds.set(gvkKey(listGvk), listName);
  }
  return out;
}
