// Decode-time shape errors. Upstream decodes a request body into Go structs before any
// defaulting or validation, so a body whose `metadata` is a string (the seed manifest
// 004-bad-headless-service.yaml: `metadata: {name mysql-h}` parses as metadata: "name mysql-h")
// never reaches validation: the apiserver answers 400 BadRequest,
//   Service in version "v1" cannot be handled as a Service: json: cannot unmarshal string into
//   Go struct field Service.metadata of type v1.ObjectMeta
// (k8s.io/apiserver/pkg/endpoints/handlers/create.go transformDecodeError, Go encoding/json
// UnmarshalTypeError). checkWireShape reproduces that for the fields every kind shares plus a few
// well-known typed maps; the apiserver calls it on create/update bodies before the registry.
import { type ApiError, badRequest } from '../errors.ts';
import { isObj } from './json.ts';

type Shape = 'object' | 'string' | 'array' | 'map[string]string';

interface Rule {
  /** Dotted path inside the object. */
  path: string[];
  shape: Shape;
  /** Go struct holding the field (for the message), and the Go type name. */
  struct: string;
  goType: string;
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  return typeof v;
}

function fits(v: unknown, shape: Shape): boolean {
  switch (shape) {
    case 'object':
    case 'map[string]string':
      return isObj(v);
    case 'string':
      return typeof v === 'string';
    case 'array':
      return Array.isArray(v);
  }
}

function groupVersionOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[1]! : apiVersion;
}

function rulesFor(kind: string): Rule[] {
  const rules: Rule[] = [
    { path: ['metadata'], shape: 'object', struct: kind, goType: 'v1.ObjectMeta' },
    { path: ['metadata', 'name'], shape: 'string', struct: 'ObjectMeta', goType: 'string' },
    { path: ['metadata', 'generateName'], shape: 'string', struct: 'ObjectMeta', goType: 'string' },
    { path: ['metadata', 'namespace'], shape: 'string', struct: 'ObjectMeta', goType: 'string' },
    { path: ['metadata', 'labels'], shape: 'map[string]string', struct: 'ObjectMeta', goType: 'map[string]string' },
    { path: ['metadata', 'annotations'], shape: 'map[string]string', struct: 'ObjectMeta', goType: 'map[string]string' },
    { path: ['metadata', 'finalizers'], shape: 'array', struct: 'ObjectMeta', goType: '[]string' },
    { path: ['metadata', 'ownerReferences'], shape: 'array', struct: 'ObjectMeta', goType: '[]v1.OwnerReference' },
  ];
  if (!['ConfigMap', 'Secret', 'Event', 'Endpoints', 'EndpointSlice', 'ControllerRevision', 'StorageClass'].includes(kind)) {
    rules.push({ path: ['spec'], shape: 'object', struct: kind, goType: `v1.${kind}Spec` });
  }
  if (kind === 'Service') {
    rules.push({ path: ['spec', 'selector'], shape: 'map[string]string', struct: 'ServiceSpec', goType: 'map[string]string' });
    rules.push({ path: ['spec', 'ports'], shape: 'array', struct: 'ServiceSpec', goType: '[]v1.ServicePort' });
    rules.push({ path: ['spec', 'clusterIP'], shape: 'string', struct: 'ServiceSpec', goType: 'string' });
  }
  if (kind === 'ConfigMap') rules.push({ path: ['data'], shape: 'map[string]string', struct: 'ConfigMap', goType: 'map[string]string' });
  if (kind === 'Secret') {
    rules.push({ path: ['data'], shape: 'map[string]string', struct: 'Secret', goType: 'map[string][]uint8' });
    rules.push({ path: ['stringData'], shape: 'map[string]string', struct: 'Secret', goType: 'map[string]string' });
  }
  if (['StatefulSet', 'Deployment', 'ReplicaSet', 'DaemonSet'].includes(kind)) {
    rules.push({ path: ['spec', 'selector'], shape: 'object', struct: `${kind}Spec`, goType: 'v1.LabelSelector' });
    rules.push({ path: ['spec', 'template'], shape: 'object', struct: `${kind}Spec`, goType: 'v1.PodTemplateSpec' });
  }
  return rules;
}

/**
 * The 400 the apiserver answers when the body cannot be decoded into the kind's Go struct, or
 * undefined when the shape is acceptable. `apiVersion` is the request's group/version.
 */
export function checkWireShape(obj: unknown, kind: string, apiVersion: string): ApiError | undefined {
  const fail = (detail: string) => badRequest(`${kind} in version "${groupVersionOf(apiVersion)}" cannot be handled as a ${kind}: ${detail}`);
  if (!isObj(obj)) return fail(`json: cannot unmarshal ${jsonKind(obj)} into Go value of type v1.${kind}`);
  for (const rule of rulesFor(kind)) {
    let cur: unknown = obj;
    let ok = true;
    for (const key of rule.path.slice(0, -1)) {
      if (!isObj(cur)) {
        ok = false;
        break;
      }
      cur = cur[key];
    }
    if (!ok || !isObj(cur)) continue;
    const v = cur[rule.path[rule.path.length - 1]!];
    if (v === undefined || v === null) continue;
    const field = rule.path.join('.');
    if (!fits(v, rule.shape)) return fail(`json: cannot unmarshal ${jsonKind(v)} into Go struct field ${rule.struct}.${field} of type ${rule.goType}`);
    if (rule.shape === 'map[string]string' && isObj(v)) {
      for (const val of Object.values(v)) {
        if (val !== null && typeof val !== 'string') return fail(`json: cannot unmarshal ${jsonKind(val)} into Go struct field ${rule.struct}.${field} of type string`);
      }
    }
  }
  return undefined;
}

