// Field checks that upstream performs while decoding a request body into Go structs, before any
// validation: unknown fields (sigs.k8s.io/json strict decoding, reported under
// fieldValidation=Strict|Warn as `unknown field "spec.foo"`) and values of the wrong JSON type
// (encoding/json's UnmarshalTypeError, always a 400: `json: cannot unmarshal string into Go struct
// field StatefulSetSpec.spec.replicas of type int32`).
//
// The kubernetes-models compiled validators are deliberately not used here: they also enforce
// required fields, enums and formats, which upstream does not check at decode time (strategy
// validation does, with field.Error messages), their error shape does not match upstream's, and
// loading ~900 modules would cost cold start. The generator uses them once, offline, to learn
// integer formats.
import type { SchemaNode } from './types.ts';

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const EMBEDDED_ALLOWED = new Set(['apiVersion', 'kind', 'metadata']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/**
 * Paths of fields in `obj` that `node` does not declare, in upstream's notation
 * (`spec.template.spec.containers[0].imagePullPolicyy`, map values as `data.key`). Fields under
 * `x-kubernetes-preserve-unknown-fields` are accepted, as are apiVersion/kind/metadata of an
 * `x-kubernetes-embedded-resource`. An object schema with neither properties nor
 * additionalProperties accepts no fields (upstream prunes them). Values whose JSON type does not
 * match the schema are skipped here: findTypeErrors reports them.
 */
export function findUnknownFields(node: SchemaNode | undefined, obj: unknown): string[] {
  const out: string[] = [];
  walkUnknown(node, obj, '', out);
  return out;
}

function walkUnknown(node: SchemaNode | undefined, value: unknown, path: string, out: string[]): void {
  if (!node || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    if (node.items) value.forEach((v, i) => walkUnknown(node.items, v, `${path}[${i}]`, out));
    return;
  }
  if (node.type !== undefined && node.type !== 'object') return;
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  const props = node.properties;
  const extra = node.additionalProperties;
  if (!props && extra === undefined && (preserve || node.type === undefined)) return;
  for (const [key, v] of Object.entries(value)) {
    const child = props?.[key];
    if (child) walkUnknown(child, v, join(path, key), out);
    else if (typeof extra === 'object') walkUnknown(extra, v, join(path, key), out);
    else if (extra === true || preserve) continue;
    else if (node['x-kubernetes-embedded-resource'] && EMBEDDED_ALLOWED.has(key)) continue;
    else out.push(join(path, key));
  }
}

export interface FieldTypeError {
  /** Dotted path with indexes: `spec.template.spec.containers[0].ports[0].containerPort`. */
  field: string;
  /** Go type the field decodes into: `int32`, `string`, `[]v1.Container`, `map[string]string`. */
  expected: string;
  /** JSON type received, as Go names it: `string`, `number`, `number 1.5`, `bool`, `array`, `object`. */
  received: string;
  /**
   * The schema's OpenAPI type (`integer`, `string`, …). Custom resources decode without Go types,
   * so upstream reports their mismatches as 422 validation errors instead:
   * `spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"`.
   */
  schemaType: string;
  /** encoding/json's message, e.g. `json: cannot unmarshal string into Go struct field StatefulSetSpec.spec.replicas of type int32`. */
  message: string;
}

/** Go's shortname of a component: `io.k8s.api.core.v1.PodSpec` → `v1.PodSpec`. */
function goName(name: string): string {
  const parts = name.split('.');
  return parts.slice(-2).join('.');
}

function goType(node: SchemaNode): string {
  if (node.name === QUANTITY) return 'resource.Quantity';
  if (node['x-kubernetes-int-or-string']) return 'intstr.IntOrString';
  if (node.name && node.type === 'object') return goName(node.name);
  switch (node.type) {
    case 'integer':
      return node.format === 'int32' ? 'int32' : 'int64';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'string':
      return 'string';
    case 'array':
      return `[]${node.items ? goType(node.items) : 'interface {}'}`;
    case 'object':
      if (typeof node.additionalProperties === 'object') return `map[string]${goType(node.additionalProperties)}`;
      return 'map[string]interface {}';
    default:
      return 'interface {}';
  }
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

const INT_RANGE = { int32: [-(2 ** 31), 2 ** 31 - 1], int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] } as const;

/** The received description when `value` does not fit `node`, or undefined when it does. */
function mismatch(node: SchemaNode, value: unknown): string | undefined {
  if (value === null) return undefined; // null decodes to the zero value
  if (node.name === QUANTITY) return typeof value === 'string' || typeof value === 'number' ? undefined : jsonKind(value);
  if (node['x-kubernetes-int-or-string']) {
    if (typeof value === 'string') return undefined;
    if (typeof value === 'number') return Number.isInteger(value) ? undefined : `number ${value}`;
    return jsonKind(value);
  }
  switch (node.type) {
    case 'integer': {
      if (typeof value !== 'number') return jsonKind(value);
      const [lo, hi] = INT_RANGE[node.format === 'int32' ? 'int32' : 'int64'];
      return Number.isInteger(value) && value >= lo && value <= hi ? undefined : `number ${value}`;
    }
    case 'number':
      return typeof value === 'number' ? undefined : jsonKind(value);
    case 'boolean':
      return typeof value === 'boolean' ? undefined : jsonKind(value);
    case 'string':
      return typeof value === 'string' ? undefined : jsonKind(value);
    case 'array':
      return Array.isArray(value) ? undefined : jsonKind(value);
    case 'object':
      return isPlainObject(value) ? undefined : jsonKind(value);
    default:
      return undefined;
  }
}

/**
 * Values whose JSON type cannot decode into the field's type, outermost first; a mismatched value
 * is not descended into. Integers must be whole and within their format's range (int64 when
 * unspecified); Quantity takes a string or number; int-or-string a string or whole number; null
 * is always accepted.
 */
export function findTypeErrors(node: SchemaNode | undefined, obj: unknown): FieldTypeError[] {
  const out: FieldTypeError[] = [];
  walkTypes(node, obj, { path: '', goPath: '', struct: node?.name ? goName(node.name).split('.')[1]! : '' }, out);
  return out;
}

interface Where {
  /** Dotted path with indexes, for our messages. */
  path: string;
  /** Dotted path without indexes, as encoding/json prints it. */
  goPath: string;
  /** Name of the innermost named struct, as encoding/json prints it. */
  struct: string;
}

function walkTypes(node: SchemaNode | undefined, value: unknown, at: Where, out: FieldTypeError[]): void {
  if (!node) return;
  const received = mismatch(node, value);
  if (received !== undefined) {
    const expected = goType(node);
    const field = at.goPath ? `Go struct field ${at.struct}.${at.goPath}` : 'Go value';
    const schemaType = node['x-kubernetes-int-or-string'] ? 'integer or string' : (node.type ?? 'object');
    out.push({ field: at.path, expected, received, schemaType, message: `json: cannot unmarshal ${received} into ${field} of type ${expected}` });
    return;
  }
  if (Array.isArray(value)) {
    if (node.items) value.forEach((v, i) => walkTypes(node.items, v, { ...at, path: `${at.path}[${i}]` }, out));
    return;
  }
  if (!isPlainObject(value) || node.type !== 'object') return;
  const struct = node.name ? goName(node.name).split('.')[1]! : at.struct;
  for (const [key, v] of Object.entries(value)) {
    const child = node.properties?.[key] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
    if (child) walkTypes(child, v, { path: join(at.path, key), goPath: join(at.goPath, key), struct }, out);
  }
}
