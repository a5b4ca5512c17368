// SchemaNodes for custom resources, from a CustomResourceDefinition version's openAPIV3Schema
// (structural schemas: k8s.io/apiextensions-apiserver pkg/apiserver/schema). Only the structural
// skeleton matters to pruning, unknown-field checks and apply: type, properties, items,
// additionalProperties and the x-kubernetes-* extensions. Value validations (pattern, minimum,
// allOf/anyOf/oneOf/not, x-kubernetes-validations) are left to the CRD validation code.
import { loadSchemas } from './index.ts';
import type { SchemaNode } from './types.ts';

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** The subset of apiextensions/v1 JSONSchemaProps read here; other keys are ignored. */
export interface JSONSchemaProps {
  type?: string;
  format?: string;
  description?: string;
  enum?: unknown[];
  required?: string[];
  default?: unknown;
  properties?: Record<string, JSONSchemaProps>;
  items?: JSONSchemaProps | JSONSchemaProps[];
  additionalProperties?: JSONSchemaProps | boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  [key: string]: unknown;
}

const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);
const COPIED = [
  'format', 'description', 'enum', 'required', 'default',
  'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string',
  'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type',
] as const;

function convert(props: JSONSchemaProps, objectMeta: SchemaNode): SchemaNode {
  const node: SchemaNode = {};
  if (props.type && TYPES.has(props.type)) node.type = props.type as SchemaNode['type'];
  for (const key of COPIED) {
    if (props[key] !== undefined) (node as Record<string, unknown>)[key] = props[key];
  }
  if (props.properties) {
    node.properties = {};
    for (const [k, v] of Object.entries(props.properties)) node.properties[k] = convert(v, objectMeta);
  }
  const items = Array.isArray(props.items) ? props.items[0] : props.items;
  if (items) node.items = convert(items, objectMeta);
  if (typeof props.additionalProperties === 'boolean') node.additionalProperties = props.additionalProperties;
  else if (props.additionalProperties) node.additionalProperties = convert(props.additionalProperties, objectMeta);
  if (node['x-kubernetes-embedded-resource']) addTypeMeta(node, objectMeta);
  return node;
}

/** apiVersion, kind and metadata exist on every resource whatever the schema says (metadata is ObjectMeta). */
function addTypeMeta(node: SchemaNode, objectMeta: SchemaNode): void {
  node.properties = {
    ...node.properties,
    apiVersion: node.properties?.apiVersion ?? { type: 'string' },
    kind: node.properties?.kind ?? { type: 'string' },
    metadata: objectMeta,
  };
  node.type ??= 'object';
}

/**
 * The root SchemaNode of a custom resource version. `schema` is the version's
 * `schema.openAPIV3Schema`; undefined (no schema) gives a node that keeps every field, as upstream
 * does for a CRD without a schema. Root and embedded resources get apiVersion, kind and an
 * ObjectMeta `metadata`, replacing whatever the CRD declared there (upstream only lets CRDs
 * restrict metadata.name and metadata.generateName, which is validation, not structure).
 */
export function schemaForCustomResource(
  schema: JSONSchemaProps | undefined,
  opts: { group: string; version: string; kind: string; objectMeta?: SchemaNode },
): SchemaNode {
  const objectMeta = opts.objectMeta ?? loadSchemas().byName(OBJECT_META) ?? { type: 'object' };
  const root = schema ? convert(schema, objectMeta) : { type: 'object' as const, 'x-kubernetes-preserve-unknown-fields': true };
  addTypeMeta(root, objectMeta);
  root['x-kubernetes-group-version-kind'] = [{ group: opts.group, version: opts.version, kind: opts.kind }];
  return root;
}
