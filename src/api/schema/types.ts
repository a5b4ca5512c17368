// The schema graph shared by OpenAPI serving, field validation, strategic merge patch and
// server-side apply. Nodes are linked in memory (properties point at nodes, cycles allowed, as
// JSONSchemaProps is recursive), so walkers follow `properties[k]`, `items`, `additionalProperties`
// without resolving references. A missing node means "schema unknown": callers then treat the
// value as plain JSON (maps merge, lists are atomic).

export interface SchemaNode {
  /** OpenAPI component name, e.g. `io.k8s.api.apps.v1.StatefulSetSpec`, when the node is a named type. */
  name?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, SchemaNode>;
  /** Map values (labels, annotations, data, resources.requests…). */
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  default?: unknown;
  // Strategic merge patch (from Go struct tags patchStrategy / patchMergeKey).
  'x-kubernetes-patch-merge-key'?: string;
  /** `merge`, `retainKeys`, `merge,retainKeys` or `replace`. */
  'x-kubernetes-patch-strategy'?: string;
  // Server-side apply (structured-merge-diff list and map semantics).
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  /** On top-level kinds: the GVKs this schema describes. */
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
}
