// Turns component schemas with `$ref`s into the linked SchemaNode graph (types.ts): every named
// component becomes one node object, and references point at that object, so walkers never
// resolve names and recursive types (JSONSchemaProps) become cycles.
import type { RawSchema } from './raw.ts';
import type { SchemaNode } from './types.ts';

/**
 * Links `schemas` into nodes keyed by component name, in place: the parsed objects become the
 * nodes (no copying, which keeps first use fast), so the input must not be used afterwards.
 * A reference to a missing component yields an empty node ("schema unknown"). A reference with
 * field-level annotations beside it (for example `x-kubernetes-patch-strategy: retainKeys` on
 * DeploymentSpec.strategy) becomes a copy of the named node with those annotations; it shares
 * the named node's `properties` object. The field-level description of a plain reference is
 * dropped: the node is the named type's. Nodes are shared: treat them as read-only.
 */
export function linkSchemas(schemas: Record<string, RawSchema>): Map<string, SchemaNode> {
  const named = new Map<string, SchemaNode>();
  for (const [name, raw] of Object.entries(schemas)) {
    (raw as SchemaNode).name = name;
    named.set(name, raw as SchemaNode);
  }
  const overlays: { node: SchemaNode; target: SchemaNode; extras: RawSchema }[] = [];

  const resolve = (raw: RawSchema): SchemaNode => {
    if (raw.$ref === undefined) return link(raw);
    const target = named.get(raw.$ref);
    if (!target) return {};
    let extras: RawSchema | undefined;
    for (const k in raw) {
      if (k !== '$ref' && k !== 'description') (extras ??= {})[k as 'default'] = raw[k as 'default'];
    }
    if (!extras) return target;
    const node: SchemaNode = {};
    overlays.push({ node, target, extras });
    return node;
  };

  const link = (raw: RawSchema): SchemaNode => {
    const props = raw.properties;
    if (props) for (const k in props) props[k] = resolve(props[k]!) as RawSchema;
    if (raw.items) raw.items = resolve(raw.items) as RawSchema;
    if (typeof raw.additionalProperties === 'object') raw.additionalProperties = resolve(raw.additionalProperties) as RawSchema;
    return raw as SchemaNode;
  };

  for (const node of named.values()) link(node as RawSchema);
  // Named nodes are complete only now; copies taken earlier would miss fields.
  for (const { node, target, extras } of overlays) Object.assign(node, target, extras);
  return named;
}

/** `{group, version, kind}` → key used to index kinds. */
export function gvkKey(gvk: { group: string; version: string; kind: string }): string {
  return `${gvk.group}/${gvk.version}/${gvk.kind}`;
}
