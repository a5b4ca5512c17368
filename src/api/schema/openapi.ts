// Per-group-version OpenAPI v3 documents and the /openapi/v3 index, as kube-apiserver serves them
// (k8s.io/kube-openapi pkg/handler3). Components are the generated schemas reachable from the
// group-version's kinds; references use upstream's form, `allOf: [{$ref}]` where a field adds a
// description or annotations beside the reference (OpenAPI 3.0 ignores siblings of `$ref`).
import { createHash } from 'node:crypto';
import { groupVersion, type ResourceInfo, type SubresourceInfo } from '../resources.ts';
import { gvkKey } from './graph.ts';
import { resourcePaths, SCHEMA_PREFIX, type OperationTarget } from './openapi-paths.ts';
import type { RawSchema } from './raw.ts';
import type { CustomComponents } from './openapi-custom.ts';

type Obj = Record<string, unknown>;

export interface OpenAPIIndex {
  paths: Record<string, { serverRelativeURL: string }>;
}

/** Subresources that stream or proxy: upstream documents them as connect operations; clients never look. */
const CONNECT_SUBRESOURCES = new Set(['attach', 'exec', 'portforward', 'proxy', 'log']);
/** Meta types every document references from its operations. */
const META_ROOTS = ['Status', 'DeleteOptions', 'Patch', 'WatchEvent'].map((k) => `io.k8s.apimachinery.pkg.apis.meta.v1.${k}`);

/** Index key of a group-version: `api/v1` for the core group, `apis/<group>/<version>` otherwise. */
export function openapiPathKey(gv: string): string {
  return gv.includes('/') ? `apis/${gv}` : `api/${gv}`;
}

/** Upstream's document hash format: SHA-512, upper-case hex. */
export function documentHash(json: string): string {
  return createHash('sha512').update(json).digest('hex').toUpperCase();
}

/** A component schema in served form: `#/components/schemas/` references, allOf where needed. */
function served(raw: RawSchema): Obj {
  const out: Obj = {};
  if (raw.$ref !== undefined) {
    const { $ref, ...rest } = raw;
    const reference = { $ref: SCHEMA_PREFIX + $ref };
    if (Object.keys(rest).length === 0) return reference;
    out.allOf = [reference];
    Object.assign(out, rest);
    return out;
  }
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'properties') {
      out.properties = Object.fromEntries(Object.entries(v as Record<string, RawSchema>).map(([p, s]) => [p, served(s)]));
    } else if (k === 'items' || (k === 'additionalProperties' && typeof v === 'object')) {
      out[k] = served(v as RawSchema);
    } else {
      out[k] = v;
    }
  }
  return out;
}

function collectRefs(raw: RawSchema, into: Set<string>): void {
  if (raw.$ref !== undefined) into.add(raw.$ref);
  if (raw.properties) for (const p of Object.values(raw.properties)) collectRefs(p, into);
  if (raw.items) collectRefs(raw.items, into);
  if (raw.additionalProperties && typeof raw.additionalProperties === 'object') collectRefs(raw.additionalProperties, into);
}

/** Names of every component reachable from `roots`, sorted. */
export function reachable(schemas: Readonly<Record<string, RawSchema>>, roots: Iterable<string>): string[] {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name) || !schemas[name]) continue;
    seen.add(name);
    const refs = new Set<string>();
    collectRefs(schemas[name]!, refs);
    queue.push(...refs);
  }
  return [...seen].sort();
}

export interface DocumentInputs {
  schemas: Readonly<Record<string, RawSchema>>;
  /** gvkKey → component name of the kind's schema. */
  kinds: ReadonlyMap<string, string>;
  /** Component names whose list/map annotations are upstream's, so SMP may be advertised. */
  builtin: (component: string) => boolean;
  /** Served forms already built, shared across documents (most reach ObjectMeta, PodSpec, …). */
  served?: Map<string, Obj>;
}

function subTarget(inputs: DocumentInputs & { lookup: (key: string) => string | undefined }, parent: OperationTarget, sub: SubresourceInfo): OperationTarget | undefined {
  if (CONNECT_SUBRESOURCES.has(sub.name)) return undefined;
  const gvk = sub.kind
    ? { group: sub.group ?? parent.info.group, version: sub.version ?? parent.info.version, kind: sub.kind }
    : parent.gvk;
  const schema = inputs.lookup(gvkKey(gvk));
  if (!schema) return undefined;
  return { info: parent.info, gvk, schema, subresource: sub, strategicMerge: inputs.builtin(schema) };
}

/**
 * The OpenAPI v3 document for one group-version: a path item per resource of that group-version
 * whose kind has a schema, built-in or in `custom` (resources without one are left out), and the
 * components they reach. Strategic merge patch is advertised for built-in kinds only, as upstream
 * does for custom resources. Deterministic: the same inputs give byte-identical JSON.
 */
export function buildDocument(inputs: DocumentInputs, gv: string, resources: readonly ResourceInfo[], custom?: CustomComponents): Obj {
  const withLookup = { ...inputs, lookup: (key: string) => inputs.kinds.get(key) ?? custom?.kinds.get(key) };
  const paths: Record<string, Obj> = {};
  const roots = new Set([...META_ROOTS, ...(custom?.refs ?? [])]);
  for (const info of resources) {
    if (groupVersion(info) !== gv) continue;
    const gvk = { group: info.group, version: info.version, kind: info.kind };
    const schema = withLookup.lookup(gvkKey(gvk));
    if (!schema) continue;
    const target: OperationTarget = { info, gvk, schema, strategicMerge: inputs.builtin(schema) };
    const list = withLookup.lookup(gvkKey({ ...gvk, kind: `${info.kind}List` }));
    const subs = (info.subresources ?? []).flatMap((s) => subTarget(withLookup, target, s) ?? []);
    for (const name of [schema, list, ...subs.map((s) => s.schema)]) if (name) roots.add(name);
    Object.assign(paths, resourcePaths(target, subs, list));
  }
  const components: Record<string, Obj> = {};
  const cache = (inputs.served ??= new Map());
  for (const name of reachable(inputs.schemas, roots)) {
    let component = cache.get(name);
    if (!component) cache.set(name, (component = served(inputs.schemas[name]!)));
    components[name] = component;
  }
  for (const name of Object.keys(custom?.schemas ?? {})) if (roots.has(name)) components[name] = custom!.schemas[name]!;
  const sortedComponents = Object.fromEntries(Object.keys(components).sort().map((n) => [n, components[n]!]));
  const sortedPaths = Object.fromEntries(Object.keys(paths).sort().map((p) => [p, paths[p]!]));
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'unversioned' },
    paths: sortedPaths,
    components: { schemas: sortedComponents },
  };
}
